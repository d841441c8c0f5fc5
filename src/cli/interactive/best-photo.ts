/**
 * Section 3, how the best photo of a group is chosen: the face analysis backend (the seed's
 * aliases are accepted in files and flags, but only the real choices are offered here).
 */
import type { FaceBackendName } from '../../pipeline/options.js';
import { type Section, withSettings } from './context.js';

export const FACE_CHOICES: readonly { value: FaceBackendName; name: string; description: string }[] = [
  { value: 'auto', name: 'auto', description: 'The built-in face analysis if it loads, else none (with a notice).' },
  { value: 'human', name: 'human', description: 'The built-in face analysis (closed eyes, smiles, sharp faces); the run fails if it cannot load.' },
  { value: 'none', name: 'none', description: 'No faces: sharpness, exposure and resolution decide. Fastest.' },
];

export const bestPhotoSection: Section = async (draft, ctx) => {
  const current = draft.settings.faceBackend;
  if (draft.settings.sourceType === 'immich') {
    ctx.say('  (Immich runs do not use the built-in face analysis yet: the actions section offers the faces Immich found.)');
  }
  const faceBackend = await ctx.prompt.choose({
    message: 'Face analysis for choosing the best photo:',
    choices: FACE_CHOICES,
    // face_recognition and mediapipe are aliases of human.
    default: current === 'face_recognition' || current === 'mediapipe' ? 'human' : current,
  });
  return withSettings(draft, { faceBackend });
};
