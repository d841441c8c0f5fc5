/**
 * A photo's ranking decode (the 440 px one every photo likely to be grouped gets, while it is in
 * memory anyway) looked at for faces on the spot: a photo that surely shows none is stored as
 * analyzed, with no faces, and the face stage never opens its file again. "Surely" keeps the
 * first pass's judgement with margins: the detector's best score well under Human's threshold,
 * or every doubtful box large enough to judge and scored by the mesh model well under a face.
 * Anything else is left to the face stage's own first pass on its 800 px decode, as before.
 * Runs on onnxruntime alone (no TF.js); where onnxruntime does not load, nothing is settled here.
 */
import type { DecodedImage } from '../media/contract.js';
import type { FirstPass } from './first-pass.js';
import { humanSessions, loadOnnxFirstPass } from './human-backend.js';
import { FIRST_LOOK } from './human-files.js';
import type { MeshCheck } from './mesh-check.js';
import { onnxRuntimeLoads } from './onnx/runtime.js';

/**
 * Margins under the first pass's thresholds (Human's 0.3 on the detector, 0.3 on the mesh): on
 * every fixture face the detector's score on a 256 px copy of the 440 px decode differs from its
 * score on the 800 px one by at most 0.032, and the mesh's by at most 0.02 between the two ways of
 * cropping; 0.1 is three times that.
 */
const DETECTOR_NONE_BELOW = 0.2;
const MESH_NONE_AT_MOST = 0.2;

let checker: Promise<{ first: FirstPass; mesh: MeshCheck } | null> | null = null;

/** Whether `image` (a photo's ranking decode) surely shows no face the analysis would keep. */
export async function surelyNoFace(image: DecodedImage): Promise<boolean> {
  checker ??= onnxRuntimeLoads() ? loadOnnxFirstPass(humanSessions()) : Promise.resolve(null);
  const check = await checker;
  if (check === null) return false;
  const { first, mesh } = check;
  try {
    const best = first.best(image);
    if (best < DETECTOR_NONE_BELOW) return true;
    if (best >= FIRST_LOOK.sure) return false;
    const boxes = await mesh.boxes(image);
    return boxes.every((b) => b.score <= MESH_NONE_AT_MOST && b.side >= FIRST_LOOK.judgedSide);
  } finally {
    first.forget();
  }
}
