/**
 * What a face found by the landmark pipeline becomes in the catalog (a FaceRecord), whichever
 * pipeline found it: Human's own on TF.js, or the same steps in plain JavaScript (onnx-analysis.ts).
 */
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { KEEP } from './human-files.js';
import { combineSmile, eyeMeasures, faceSharpness, type MeshPoint, meshBounds, smileShape } from './measures.js';

/** One face as the pipeline leaves it, in the pixels of the image it was found on. */
export interface FoundFace {
  /** 478 points with the irises (468 without); fewer for a face the mesh model rejected. */
  readonly mesh: readonly MeshPoint[];
  /** Face box clamped to the image, whole pixels: [x, y, width, height]. */
  readonly box: readonly [number, number, number, number];
  /** The detector's score and the mesh model's, rounded to hundredths. */
  readonly boxScore: number;
  readonly faceScore: number;
  /** The expression model's "happy" score. */
  readonly happy: number;
  /** Head turn, radians. */
  readonly yaw: number;
  readonly pitch: number;
  /** Identity descriptor; empty when not computed. */
  readonly descriptor: ArrayLike<number>;
}

/** Whether a face is one this backend keeps: a real face (per the mesh model), large enough to measure. */
export function keepsFace(face: Pick<FoundFace, 'mesh' | 'faceScore' | 'box'>): boolean {
  const [, , bw, bh] = face.box;
  return face.mesh.length >= 468 && face.faceScore >= KEEP.meshScore && Math.min(bw, bh) >= KEEP.minSide;
}

/** The catalog's record of a kept face found on `image`. */
export function faceRecord(face: FoundFace, image: DecodedImage): FaceRecord {
  const [bx, by, bw, bh] = face.box;
  const eyes = eyeMeasures(face.mesh);
  const shape = smileShape(face.mesh).score;
  const degrees = (radians: number): number => Math.round(((radians * 180) / Math.PI) * 10) / 10;
  return {
    confidence: face.boxScore,
    box: { x: bx / image.width, y: by / image.height, width: bw / image.width, height: bh / image.height },
    yaw: degrees(face.yaw),
    pitch: degrees(face.pitch),
    leftEye: eyes.left,
    rightEye: eyes.right,
    happy: face.happy,
    smileShape: shape,
    smile: combineSmile(face.happy, shape),
    sharpness: faceSharpness(image, meshBounds(face.mesh)),
    descriptor: Float32Array.from(face.descriptor),
  };
}
