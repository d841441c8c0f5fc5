/**
 * Eye openness, smile shape and face sharpness from a 468-point face mesh (MediaPipe topology,
 * optionally with the 10 iris points 468–477) and the decoded pixels. Pure functions, shared
 * by every backend that yields such a mesh.
 */
import type { EyeMeasure } from '../core/faces.js';
import { laplacianRatio } from '../core/fingerprint.js';
import { type RgbImage, resizeArea } from '../core/pixels.js';

/** A mesh point in decode pixels; z (depth) is ignored here. */
export type MeshPoint = readonly [number, number, number?];

interface EyeIndices {
  readonly outer: number;
  readonly inner: number;
  /** Upper/lower lid pairs across the eye, the middle one at the centre. */
  readonly lids: readonly (readonly [number, number])[];
}

// MediaPipe mesh indices. The person's right eye is the one at 33/133 (image left when facing us).
const RIGHT_EYE: EyeIndices = {
  outer: 33,
  inner: 133,
  lids: [
    [160, 144],
    [159, 145],
    [158, 153],
  ],
};
const LEFT_EYE: EyeIndices = {
  outer: 263,
  inner: 362,
  lids: [
    [387, 373],
    [386, 374],
    [385, 380],
  ],
};
const IRISES = [
  [468, 469, 470, 471, 472],
  [473, 474, 475, 476, 477],
] as const;
const MOUTH = { rightCorner: 61, leftCorner: 291, upperInner: 13, lowerInner: 14 } as const;
/** Silhouette points at the widest part of the face (cheek to cheek). */
const FACE_SIDES = [234, 454] as const;

const dist = (a: MeshPoint, b: MeshPoint): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));

function point(mesh: readonly MeshPoint[], index: number): MeshPoint {
  const p = mesh[index];
  if (!p) throw new RangeError(`Expected a face mesh with at least ${index + 1} points but received ${mesh.length}`);
  return p;
}

/** Openness of both eyes. Needs the 468 mesh points; iris visibility also needs points 468–477. */
export function eyeMeasures(mesh: readonly MeshPoint[]): { readonly left: EyeMeasure; readonly right: EyeMeasure } {
  return { left: eyeMeasure(mesh, LEFT_EYE), right: eyeMeasure(mesh, RIGHT_EYE) };
}

function eyeMeasure(mesh: readonly MeshPoint[], eye: EyeIndices): EyeMeasure {
  const outer = point(mesh, eye.outer);
  const inner = point(mesh, eye.inner);
  const width = dist(outer, inner);
  const gaps = eye.lids.map(([up, down]) => dist(point(mesh, up), point(mesh, down)));
  const aspect = width > 0 ? gaps.reduce((s, g) => s + g, 0) / gaps.length / width : 0;
  return { aspect, irisShown: irisShown(mesh, outer, inner, gaps[1]!) };
}

/**
 * Centre lid gap over iris diameter. The iris is about 11.7 mm across in every adult, which
 * makes it a ruler that does not depend on the eye's shape. The two iris point sets are told
 * apart by position, not by index, since conventions for which is "left" differ between models.
 */
function irisShown(mesh: readonly MeshPoint[], outer: MeshPoint, inner: MeshPoint, centreGap: number): number | null {
  if (mesh.length < 478) return null;
  const cx = (outer[0] + inner[0]) / 2;
  const cy = (outer[1] + inner[1]) / 2;
  let nearest: readonly number[] = IRISES[0];
  let nearestDist = Infinity;
  for (const iris of IRISES) {
    const c = point(mesh, iris[0]);
    const d = Math.hypot(c[0] - cx, c[1] - cy);
    if (d < nearestDist) {
      nearest = iris;
      nearestDist = d;
    }
  }
  const [, a, b, c, d] = nearest.map((i) => point(mesh, i));
  const diameter = (dist(a!, c!) + dist(b!, d!)) / 2;
  // Past 1.5 the iris points have lost the eye (strong head turn): report "fully shown", no more.
  return diameter > 0 ? Math.min(1.5, centreGap / diameter) : null;
}

export interface SmileShape {
  /** How far the mouth corners sit above the lips' centre, over mouth width (smiles ≈ 0.08–0.15). */
  readonly lift: number;
  /** Mouth width over face width (neutral ≈ 0.37, broad smiles ≥ 0.45). */
  readonly width: number;
  /** Both folded into 0..1. */
  readonly score: number;
}

/**
 * Mouth geometry in the face's own frame: x along the line between the eyes, y across it, so a
 * tilted head (roll) changes nothing. Calibrated on the fixture portraits (see the tests).
 */
export function smileShape(mesh: readonly MeshPoint[]): SmileShape {
  const eyeCentre = (e: EyeIndices): [number, number] => {
    const o = point(mesh, e.outer);
    const i = point(mesh, e.inner);
    return [(o[0] + i[0]) / 2, (o[1] + i[1]) / 2];
  };
  const [rx, ry] = eyeCentre(RIGHT_EYE);
  const [lx, ly] = eyeCentre(LEFT_EYE);
  const norm = Math.hypot(lx - rx, ly - ry) || 1;
  const ux = (lx - rx) / norm;
  const uy = (ly - ry) / norm;
  // Image y grows downwards; `down` is the face's own downward axis.
  const along = (p: MeshPoint): number => p[0] * ux + p[1] * uy;
  const down = (p: MeshPoint): number => -p[0] * uy + p[1] * ux;
  const c1 = point(mesh, MOUTH.rightCorner);
  const c2 = point(mesh, MOUTH.leftCorner);
  const mouthWidth = Math.abs(along(c2) - along(c1)) || 1;
  const centre = (down(point(mesh, MOUTH.upperInner)) + down(point(mesh, MOUTH.lowerInner))) / 2;
  const corners = (down(c1) + down(c2)) / 2;
  const lift = (centre - corners) / mouthWidth;
  const faceWidth = Math.abs(along(point(mesh, FACE_SIDES[1])) - along(point(mesh, FACE_SIDES[0]))) || 1;
  const width = mouthWidth / faceWidth;
  const score = 0.7 * clamp01((lift + 0.02) / 0.14) + 0.3 * clamp01((width - 0.36) / 0.12);
  return { lift, width, score };
}

/**
 * One smile estimate from the expression model and the mouth geometry. The model alone calls
 * some neutral faces happy and misses closed-mouth smiles; the geometry alone is fooled by
 * talking mouths. Weighted towards the model, which has seen far more faces.
 */
export function combineSmile(happy: number, shape: number): number {
  return clamp01(0.6 * happy + 0.4 * shape);
}

/** Pixel rectangle. */
export interface PixelBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Bounding box of the mesh points, in decode pixels. */
export function meshBounds(mesh: readonly MeshPoint[]): PixelBox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of mesh) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  return mesh.length === 0 ? { x: 0, y: 0, width: 0, height: 0 } : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Side the face crop is resampled to. Small on purpose: the crop inside the outline of a face is
 * 80–150 px in a group photo at face-analysis size, and it must only ever be shrunk. Enlarging
 * it (box-filter upsampling) makes blocky edges whose Laplacian depends on sub-pixel placement:
 * at 128 or 256 the same face measured up to 2× apart between two sharp frames; at 64 within
 * ~20 %, while a Gaussian blur of sigma 1 still halves the value.
 */
const FACE_SAMPLE = 64;
/** Fraction cut from each side of the mesh box, so hair and background stay out of the crop. */
const FACE_INSET = 0.12;

/**
 * Sharpness of a face: the crop inside the face outline, resampled to a fixed size and measured
 * as the whole image is (Laplacian variance over luma variance), so a larger face or a brighter
 * one does not look sharper. Compare it only with the same person in other frames.
 */
export function faceSharpness(image: RgbImage, face: PixelBox): number {
  const x0 = Math.max(0, Math.floor(face.x + face.width * FACE_INSET));
  const y0 = Math.max(0, Math.floor(face.y + face.height * FACE_INSET));
  const x1 = Math.min(image.width, Math.ceil(face.x + face.width * (1 - FACE_INSET)));
  const y1 = Math.min(image.height, Math.ceil(face.y + face.height * (1 - FACE_INSET)));
  const w = x1 - x0;
  const h = y1 - y0;
  if (w < 4 || h < 4) return 0;
  const luma = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = ((y0 + y) * image.width + x0 + x) * 3;
      luma[y * w + x] = (299 * image.data[p]! + 587 * image.data[p + 1]! + 114 * image.data[p + 2]!) / 1000;
    }
  }
  return laplacianRatio(resizeArea(luma, w, h, FACE_SAMPLE, FACE_SAMPLE), FACE_SAMPLE, FACE_SAMPLE);
}
