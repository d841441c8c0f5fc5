/**
 * The two ways a face swap replaces one person's face in the best frame: their eye region, or,
 * when the eye region alone cannot blend (its seam would show, its edge would leave the face, or
 * the eyes' surroundings moved between the frames), their whole inner face (core/face-blend.ts).
 * Each is aligned by a similarity fitted on the face mesh, colour-matched where it fades in and
 * blended per band (core/eye-blend.ts), and comes with its seam measure.
 */
import {
  blendEyes,
  colourRing,
  crop,
  EYE_ALONG,
  eyeEdge,
  eyeEllipse,
  type EyeMasks,
  eyeMasks,
  eyesRect,
  fitSimilarity,
  MAX_SEAM,
  matchColour,
  type Point,
  type Rect,
  seamBand,
  seamRatio,
  type Similarity,
  warpOnto,
} from '../core/eye-blend.js';
import { FACE_OVAL, faceMasks, faceRect, fitResidual, insideFace, MOUTH, mouthsMatch, outlineOf } from '../core/face-blend.js';
import type { RgbImage } from '../core/pixels.js';
import type { MeshFace } from '../faces/landmarks.js';
import { at, EYE_CORNERS, MESH_POINTS } from './swap-check.js';

/**
 * Mesh points that stay put when a person blinks: eye corners, the lower edge of the brows and
 * the bridge of the nose (MediaPipe indices). The lids are left out on purpose: they are what differs.
 */
const STABLE_POINTS = [33, 133, 130, 263, 362, 359, 46, 53, 52, 65, 55, 276, 283, 282, 295, 285, 168, 6, 197] as const;

/** Which part of the face a swap replaced. */
export type SwapRegion = 'eyes' | 'face';

export interface Attempt {
  readonly region: SwapRegion;
  readonly rect: Rect;
  readonly patch: RgbImage;
  /** Where the swap changed pixels (the kept mask). */
  readonly keep: Float32Array;
  readonly seam: number;
}

/**
 * Largest root-mean-square distance (over the eye width) between the stable points of the best
 * frame and the donor's, once aligned, with which the eyes' surroundings still count as unmoved:
 * past it a brow raised or a cheek pushed up would show at the edge of the eye region.
 */
const MAX_SURROUNDINGS_MOVE = 0.12;

/**
 * One person's eyes from the donor, or their whole inner face when the eye region alone cannot
 * blend: its seam would show, its edge would leave the face, or the eyes' surroundings moved.
 */
export function swapOne(frame: RgbImage, face: MeshFace, donor: RgbImage, donorFace: MeshFace): Attempt {
  const eyes = swapEyeRegion(frame, face, donor, donorFace);
  if (eyes.seam <= MAX_SEAM && eyes.fits) return eyes;
  return swapFaceRegion(frame, face, donor, donorFace);
}

export function swapEyeRegion(frame: RgbImage, face: MeshFace, donor: RgbImage, donorFace: MeshFace): Attempt & { fits: boolean } {
  const from = STABLE_POINTS.map((i) => at(face, i));
  const to = STABLE_POINTS.map((i) => at(donorFace, i));
  const toDonor = fitSimilarity(from, to);
  const eyes = EYE_CORNERS.map(([outer, inner]) => eyeEllipse(at(face, outer), at(face, inner)));
  const eyeWidth = (eyes[0]!.along + eyes[1]!.along) / 2 / EYE_ALONG;
  const moved = fitResidual(toDonor, from, to) / Math.hypot(toDonor.a, toDonor.b) / eyeWidth;
  const oval = outlineOf(FACE_OVAL.map((i) => at(face, i)));
  const fits = moved <= MAX_SURROUNDINGS_MOVE && eyes.every((e) => insideFace(oval, eyeEdge(e)));
  const rect = eyesRect(eyes, frame.width, frame.height);
  return { region: 'eyes', fits, ...blendRegion(frame, donor, toDonor, rect, eyeMasks(eyes, rect)) };
}

/** The whole inner face, aligned on the whole mesh; the mouth only when the donor's matches (face-blend.ts). */
export function swapFaceRegion(frame: RgbImage, face: MeshFace, donor: RgbImage, donorFace: MeshFace): Attempt {
  const points = face.mesh.slice(0, MESH_POINTS).map((_, i) => i);
  const toDonor = fitSimilarity(
    points.map((i) => at(face, i)),
    points.map((i) => at(donorFace, i)),
  );
  const oval = outlineOf(FACE_OVAL.map((i) => at(face, i)));
  const mouth = mouthsMatch(
    (i) => at(face, i),
    (i) => at(donorFace, i),
    toDonor,
  );
  const cut = mouth ? null : { from: at(face, MOUTH.noseBase), to: at(face, MOUTH.lipTop) };
  const rect = faceRect(oval, frame.width, frame.height);
  return { region: 'face', ...blendRegion(frame, donor, toDonor, rect, faceMasks(oval, rect, cut)) };
}

/** The donor warped onto `rect`, colour-matched where the masks fade, blended, with its seam measure. */
function blendRegion(
  frame: RgbImage,
  donor: RgbImage,
  toDonor: Similarity,
  rect: Rect,
  masks: EyeMasks,
): { rect: Rect; patch: RgbImage; keep: Float32Array; seam: number } {
  const original = crop(frame, rect);
  const warped = matchColour(warpOnto(donor, toDonor, rect), original, colourRing(masks));
  const patch = blendEyes(frame, warped, rect, masks);
  return { rect, patch, keep: masks.keep, seam: seamRatio(patch, original, seamBand(masks)) };
}

/** Whether an attempt mostly replaced the pixel at `p` (kept mask over one half). */
export function replaced(a: Attempt, [x, y]: Point): boolean {
  const [i, j] = [Math.floor(x) - a.rect.x, Math.floor(y) - a.rect.y];
  return i >= 0 && j >= 0 && i < a.rect.width && j < a.rect.height && a.keep[j * a.rect.width + i]! > 0.5;
}
