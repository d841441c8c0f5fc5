/**
 * A photo's ranking decode (the 440 px one every photo likely to be grouped gets, while it is in
 * memory anyway) looked at for faces on the spot: a photo that surely shows none is stored as
 * analyzed, with no faces, and the face stage never opens its file again. "Surely" keeps the
 * first pass's judgement with margins: the detector's best score well under Human's threshold,
 * or every doubtful box large enough to judge and scored by the mesh model well under a face.
 * When the only doubt is boxes too small to judge at 440 px, the face stage's own first look runs
 * here instead, on the decode it would make (FACE_DECODE_SIDE): its answer is the face stage's
 * answer, and a library without faces never starts the face stage at all. Anything else is left
 * to the face stage. Runs on onnxruntime alone (no TF.js); where it does not load, nothing is
 * settled here.
 */
import type { DecodedImage } from '../media/contract.js';
import type { FirstPass } from './first-pass.js';
import { humanSessions, loadOnnxFirstPass } from './human-backend.js';
import { FIRST_LOOK } from './human-files.js';
import type { MeshCheck } from './mesh-check.js';
import { onnxRuntimeLoads } from './onnx/runtime.js';

/**
 * Margins under the first pass's thresholds (Human's 0.3 on the detector, 0.3 on the mesh): on
 * every fixture face (26 photos and video stills) the detector's score on a 256 px copy of the
 * 440 px decode differs from its score on the face stage's 1200 px one by at most 0.016 (0.032
 * against the 800 px decode it once used), and the mesh's by at most 0.02 between the two ways of
 * cropping; 0.1 is three times the larger. Photos without faces move more (a forest: 0.10 at
 * 440 px, 0.35 at 1200): settled here, they skip a mesh check that scores such landscapes 0–0.02.
 */
const DETECTOR_NONE_BELOW = 0.2;
const MESH_NONE_AT_MOST = 0.2;

/** The size of the decode a photo was found to show no face on (stored with its analysis). */
export interface NoFaceSize {
  readonly width: number;
  readonly height: number;
}

let checker: Promise<{ first: FirstPass; mesh: MeshCheck } | null> | null = null;

/**
 * Whether `image` (a photo's ranking decode) surely shows no face the analysis would keep: the
 * size of the decode that settled it, or null when the face stage must look. `faceDecode` makes
 * the face stage's decode of the same photo, for the small boxes only it can judge.
 */
export async function noFaceSize(image: DecodedImage, faceDecode: () => Promise<DecodedImage>): Promise<NoFaceSize | null> {
  checker ??= onnxRuntimeLoads() ? loadOnnxFirstPass(humanSessions()) : Promise.resolve(null);
  const check = await checker;
  if (check === null) return null;
  const { first, mesh } = check;
  try {
    const best = first.best(image);
    if (best < DETECTOR_NONE_BELOW) return sizeOf(image);
    if (best >= FIRST_LOOK.sure) return null;
    const boxes = await mesh.boxes(image);
    if (boxes.some((b) => b.score > MESH_NONE_AT_MOST)) return null;
    if (boxes.every((b) => b.side >= FIRST_LOOK.judgedSide)) return sizeOf(image);
    // The face stage settles a photo whose first look is not 'face' on this decode (face-worker.ts).
    const large = await faceDecode();
    return (await first.answer(large, (on) => mesh.boxes(on))) === 'face' ? null : sizeOf(large);
  } finally {
    first.forget();
  }
}

function sizeOf(image: DecodedImage): NoFaceSize {
  return { width: image.width, height: image.height };
}
