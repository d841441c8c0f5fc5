/**
 * Face-mesh landmarks for the few frames a face swap involves. The catalog keeps only the
 * measures derived from the mesh (eyes, smile, sharpness), not its 478 points, so the swap finds
 * them again on the best frame, its donors and its own result. Same models and settings as the
 * analysis backend (human.ts), so eyes and descriptors read the same numbers here.
 */
import { tf } from './tf.js';
import type { FaceResult } from '@vladmandic/human';
import type { EyeMeasure, RelativeBox } from '../core/faces.js';
import type { RgbImage } from '../core/pixels.js';
import { shrinkRgb } from '../media/decode.js';
import { FACE_DECODE_SIDE } from './backend.js';
import { loadHuman } from './human.js';
import { eyeMeasures, type MeshPoint } from './measures.js';

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

const MIN_MESH_SCORE = 0.8;
const degrees = (radians: number | undefined): number => ((radians ?? 0) * 180) / Math.PI;

export async function loadMeshFinder(): Promise<MeshFinder> {
  // A swap needs the mesh, the irises and the descriptor (the analysis switches them on per
  // call); expressions play no part in it.
  const on = { enabled: true };
  const human = await loadHuman({
    mesh: on,
    iris: on,
    description: { ...on, skipFrames: 0, skipTime: 0, minConfidence: 0 },
    emotion: { enabled: false },
  });
  return {
    async find(image) {
      const scale = Math.min(1, FACE_DECODE_SIDE / Math.max(image.width, image.height));
      const small = scale < 1 ? await shrinkRgb(image, Math.round(image.width * scale), Math.round(image.height * scale)) : image;
      const input = tf.tensor3d(small.data, [small.height, small.width, 3], 'int32');
      let faces: FaceResult[];
      try {
        const result = await human.detect(input);
        if (result.error) throw new Error(result.error);
        faces = result.face;
      } finally {
        input.dispose();
      }
      return faces.flatMap((f) => toMeshFace(f, small, 1 / scale));
    },
    async close() {
      for (const model of Object.values(human.models.models)) model?.dispose();
    },
  };
}

function toMeshFace(face: FaceResult, searched: RgbImage, up: number): MeshFace[] {
  const mesh = face.mesh as readonly MeshPoint[];
  if (mesh.length < 478 || face.faceScore < MIN_MESH_SCORE) return [];
  const [bx, by, bw, bh] = face.box;
  const eyes = eyeMeasures(mesh);
  return [
    {
      mesh: mesh.map(([x, y]) => [x * up, y * up] as const),
      box: { x: bx / searched.width, y: by / searched.height, width: bw / searched.width, height: bh / searched.height },
      yaw: degrees(face.rotation?.angle.yaw),
      pitch: degrees(face.rotation?.angle.pitch),
      roll: degrees(face.rotation?.angle.roll),
      leftEye: eyes.left,
      rightEye: eyes.right,
      descriptor: Float32Array.from(face.embedding ?? []),
    },
  ];
}
