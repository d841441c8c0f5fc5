/**
 * Section 3, what is made of a group's photos: the face analysis backend that chooses the best
 * (the seed's aliases are accepted in files and flags, but only the real choices are offered
 * here), and for folders the HDR merge of exposure brackets with its tone.
 */
import { optionFieldSchemas, type FaceBackendName } from '../../pipeline/options.js';
import { type Draft, type Section, type SetupContext, withSettings } from './context.js';

export const FACE_CHOICES: readonly { value: FaceBackendName; name: string; description: string }[] = [
  {
    value: 'auto',
    name: 'Look at faces when the face model loads (auto)',
    description: 'The built-in face analysis if it loads, else none (with a notice).',
  },
  {
    value: 'human',
    name: 'Always look at faces: the built-in face model (human)',
    description: 'The built-in face analysis (closed eyes, smiles, sharp faces); the run fails if it cannot load.',
  },
  { value: 'none', name: 'Ignore faces (none)', description: 'No faces: sharpness, exposure and resolution decide. Fastest.' },
];

export const bestPhotoSection: Section = async (draft, ctx) => {
  const current = draft.settings.faceBackend;
  if (draft.settings.sourceType === 'immich') {
    ctx.say(
      '  (For Immich, the pictures downloaded for grouping are analyzed; the actions section also offers the faces Immich found instead.)',
    );
  }
  const faceBackend = await ctx.prompt.choose({
    message: 'Face analysis for choosing the best photo:',
    choices: FACE_CHOICES,
    // face_recognition and mediapipe are aliases of human.
    default: current === 'face_recognition' || current === 'mediapipe' ? 'human' : current,
  });
  // An Immich run merges into its local tree: asked with the download folder (actions section).
  if (draft.settings.sourceType === 'immich') return withSettings(draft, { faceBackend });
  return askEnhancements(withSettings(draft, { faceBackend }), ctx);
};

/** What is made for a group's folder: HDR merges of brackets, and face swaps of blinks. */
export async function askEnhancements(draft: Draft, ctx: SetupContext): Promise<Draft> {
  const enableHdr = await ctx.prompt.confirm({
    message: 'Merge exposure brackets into hdr_merged.jpg (HDR)?',
    default: draft.settings.enableHdr,
  });
  const hdrGamma = enableHdr ? await askGamma(ctx, draft.settings.hdrGamma) : draft.settings.hdrGamma;
  const withHdr = withSettings(draft, { enableHdr, hdrGamma });
  // A swap finds closed eyes with this tool's own face analysis (with the faces Immich found, it
  // analyses the groups it may swap).
  const s = withHdr.settings;
  if (s.faceBackend === 'none') return withSettings(withHdr, { enableFaceSwap: false });
  const enableFaceSwap = await ctx.prompt.confirm({
    message: 'When someone blinks in the best photo, write face_swapped.jpg with their open eyes from another frame?',
    default: s.enableFaceSwap,
  });
  // The seed's --no-swap-closed-eyes is kept for its settings files; turning the swap on here means it.
  return withSettings(withHdr, enableFaceSwap ? { enableFaceSwap, swapClosedEyes: true } : { enableFaceSwap });
}

async function askGamma(ctx: SetupContext, current: number): Promise<number> {
  const toNumber = (text: string): number => (/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(text) ? Number.parseFloat(text) : Number.NaN);
  const answer = await ctx.prompt.text({
    message: 'HDR tone (gamma 0.5-5: 2.2 keeps the fused tones, higher lifts the shadows):',
    default: String(current),
    validate: (text) => {
      const parsed = optionFieldSchemas.hdrGamma.safeParse(toNumber(text));
      return parsed.success ? true : parsed.error.issues[0]!.message.replace('something that is not a number', `"${text}"`);
    },
  });
  return toNumber(answer);
}
