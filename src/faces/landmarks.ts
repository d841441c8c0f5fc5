/**
 * Face-mesh landmarks for the few frames a face swap involves. The catalog keeps only the
 * measures derived from the mesh (eyes, smile, sharpness), not its 478 points, so the swap finds
 * them again on the best frame, its donors and its own result. Same models, settings and
 * pipeline as the analysis backend (onnx-analysis.ts), so eyes and descriptors read the same
 * numbers here.
 */
import type { FaceResult } from '@vladmandic/human';
import type { EyeMeasure, RelativeBox } from '../core/faces.js';
import type { RgbImage } from '../core/pixels.js';
import type { DecodedImage } from '../media/contract.js';
import { shrinkRgb } from '../media/decode.js';
import { FACE_DECODE_SIDE } from './backend.js';
import type { FoundFace } from './face-record.js';
import { humanSessions, loadOnnxFirstPass } from './human-backend.js';
import { KEEP } from './human-files.js';
import { eyeMeasures, type MeshPoint } from './measures.js';
import { type FindOptions, OnnxAnalysis } from './onnx-analysis.js';
import { onnxRuntimeLoads } from './onnx/runtime.js';

/** One face with its mesh, in the pixels of the image it was found on. */
export interface MeshFace {
  /** 478 points (468 mesh + 10 iris). */
  readonly mesh: readonly MeshPoint[];
  readonly box: RelativeBox;
  /** Head pose from the mesh, degrees. */
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
  readonly leftEye: EyeMeasure;
  readonly rightEye: EyeMeasure;
  readonly descriptor: Float32Array;
}

export interface MeshFinder {
  /** Every face with a full mesh; large images are searched at the analysis size and the points scaled back. */
  find(image: RgbImage): Promise<MeshFace[]>;
  close(): Promise<void>;
}

const degrees = (radians: number | undefined): number => ((radians ?? 0) * 180) / Math.PI;

/**
 * The mesh finder: on onnxruntime with the analysis's own pipeline (onnx-analysis.ts), so a swap
 * thread loads neither Human nor TF.js; where onnxruntime does not load, Human on TF.js.
 */
export async function loadMeshFinder(): Promise<MeshFinder> {
  if (!onnxRuntimeLoads()) return loadHumanMeshFinder();
  const sessions = humanSessions();
  const { first } = await loadOnnxFirstPass(sessions);
  const analysis = new OnnxAnalysis(sessions);
  // A swap needs the mesh, the irises and the descriptor; expressions play no part in it.
  const options: FindOptions = { descriptors: true, expressions: false, keep: (f) => f.mesh.length >= 478 };
  return {
    async find(image) {
      const { searched, up } = await searchSize(image);
      try {
        const faces = await analysis.find(searched, first, options);
        return faces.map((f) => meshFace(f, searched, up, degrees(f.roll)));
      } finally {
        first.forget();
      }
    },
    close: () => sessions.dispose(),
  };
}

/** `image` at the analysis size (never enlarged), and the factor back to its own pixels. */
async function searchSize(image: RgbImage): Promise<{ searched: DecodedImage; up: number }> {
  const scale = Math.min(1, FACE_DECODE_SIDE / Math.max(image.width, image.height));
  const small = scale < 1 ? await shrinkRgb(image, Math.round(image.width * scale), Math.round(image.height * scale)) : image;
  const data = Buffer.from(small.data.buffer, small.data.byteOffset, small.data.byteLength);
  return { searched: { data, width: small.width, height: small.height }, up: 1 / scale };
}

/** Where onnxruntime does not load: Human's own pipeline on TF.js. */
async function loadHumanMeshFinder(): Promise<MeshFinder> {
  const { loadHuman } = await import('./human.js');
  const { tf } = await import('./tf.js');
  const on = { enabled: true };
  const human = await loadHuman(
    { mesh: on, iris: on, description: { ...on, skipFrames: 0, skipTime: 0, minConfidence: 0 }, emotion: { enabled: false } },
    'tfjs',
  );
  return {
    async find(image) {
      const { searched, up } = await searchSize(image);
      const input = tf.tensor3d(searched.data, [searched.height, searched.width, 3], 'int32');
      let faces: FaceResult[];
      try {
        const result = await human.detect(input);
        if (result.error) throw new Error(result.error);
        faces = result.face;
      } finally {
        input.dispose();
      }
      return faces
        .filter((f) => f.mesh.length >= 478 && f.faceScore >= KEEP.meshScore)
        .map((f) => {
          const angle = f.rotation?.angle;
          const found = {
            mesh: f.mesh as readonly MeshPoint[],
            box: f.box,
            yaw: angle?.yaw ?? 0,
            pitch: angle?.pitch ?? 0,
            descriptor: f.embedding ?? [],
          };
          return meshFace(found, searched, up, degrees(angle?.roll));
        });
    },
    async close() {
      for (const model of Object.values(human.models.models)) model?.dispose();
    },
  };
}

/** A found face (pixels of `searched`) as the swap takes it, in the pixels of the image searched at `up` times less. */
function meshFace(
  face: Pick<FoundFace, 'mesh' | 'box' | 'yaw' | 'pitch' | 'descriptor'>,
  searched: DecodedImage,
  up: number,
  roll: number,
): MeshFace {
  const [bx, by, bw, bh] = face.box;
  const eyes = eyeMeasures(face.mesh);
  return {
    mesh: face.mesh.map(([x, y]) => [x * up, y * up] as const),
    box: { x: bx / searched.width, y: by / searched.height, width: bw / searched.width, height: bh / searched.height },
    yaw: degrees(face.yaw),
    pitch: degrees(face.pitch),
    roll,
    leftEye: eyes.left,
    rightEye: eyes.right,
    descriptor: Float32Array.from(face.descriptor),
  };
}
