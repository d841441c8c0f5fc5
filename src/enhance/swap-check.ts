/**
 * The face swap's self-check on its own result, analysed again: a person's swap is kept only if
 * their eyes now read open, the face still matches them, the head still sits as it did (pose and
 * the mesh outside the eyes, where a donor's angle or a bad alignment would show as a warped
 * face even when each pixel blends), and the seam measure is low.
 */
import { eyeEllipse, MAX_SEAM, type Point } from '../core/eye-blend.js';
import { descriptorSimilarity, SAME_PERSON } from '../core/face-matching.js';
import { eyeState, openness } from '../core/face-scoring.js';
import type { MeshFace } from '../faces/landmarks.js';

/**
 * Largest change of head pose (yaw, pitch or roll, degrees) between the best frame and the result.
 * The same picture re-read moves by a degree or two; a donor turned further than the alignment
 * undoes leaves the face looking another way.
 */
export const MAX_POSE_CHANGE = 4;

/**
 * Largest root-mean-square move of the replaced mesh points outside the eyes (over the distance
 * between the eyes' centres) between the best frame and the result: a face stretched or bent by
 * the swap. A clean swap of the blink fixtures moves them about 0.03 (landmark noise).
 */
export const MAX_SHAPE_CHANGE = 0.06;

/** Eye-corner pairs of the mesh (MediaPipe indices), outer then inner. */
export const EYE_CORNERS = [
  [33, 133],
  [263, 362],
] as const;

/** Points of the face mesh proper (the iris points follow them). */
export const MESH_POINTS = 468;

export interface Checked {
  /** The person's face in the best frame before the swap. */
  readonly before: MeshFace;
  /** Their widest opening in the group (mean eye aspect). */
  readonly widest: number;
  readonly seam: number;
  /** Whether the swap replaced the pixels at a point of the best frame (mostly: the kept mask over one half). */
  readonly replaced: (p: Point) => boolean;
}

/** A mesh point of a face, in the pixels it was found on. */
export const at = (face: MeshFace, index: number): Point => {
  const p = face.mesh[index]!;
  return [p[0], p[1]];
};

/** Why a made swap is not kept, or null to keep it; `after` is the person's face found on the result. */
export function verdict(m: Checked, after: MeshFace | null): string | null {
  if (after === null) return 'the face is no longer found after the swap';
  // Two sightings: the swap's result is judged against the widest opening, as the ranking would.
  if (eyeState(openness(after), m.widest, 2) !== 'open') return 'the eyes still read closed after the swap';
  if (descriptorSimilarity(after.descriptor, m.before.descriptor) < SAME_PERSON)
    return 'the face no longer matches the person after the swap';
  const turn = poseChange(m.before, after);
  if (turn > MAX_POSE_CHANGE) return `the head's angle changed by ${turn.toFixed(1)}° after the swap (limit ${MAX_POSE_CHANGE}°)`;
  const shape = shapeChange(m.before, after, m.replaced);
  if (shape > MAX_SHAPE_CHANGE)
    return `the face's shape changed after the swap (mesh moved ${shape.toFixed(3)} of the eye distance, limit ${MAX_SHAPE_CHANGE})`;
  if (m.seam > MAX_SEAM) return `the seam would show (measure ${m.seam.toFixed(2)}, limit ${MAX_SEAM})`;
  return null;
}

/** Largest of the yaw, pitch and roll changes, degrees. */
export function poseChange(a: Pick<MeshFace, 'yaw' | 'pitch' | 'roll'>, b: Pick<MeshFace, 'yaw' | 'pitch' | 'roll'>): number {
  return Math.max(Math.abs(a.yaw - b.yaw), Math.abs(a.pitch - b.pitch), Math.abs(a.roll - b.roll));
}

/**
 * Root-mean-square distance between the two meshes, over the distance between the eyes' centres,
 * on the points the swap replaced (`replaced`), leaving out the eyes themselves (inside either
 * eye's ellipse in `before`): the lids are meant to move. The points it left alone would only
 * dilute the measure.
 */
export function shapeChange(before: MeshFace, after: MeshFace, replaced: (p: Point) => boolean): number {
  const eyes = EYE_CORNERS.map(([outer, inner]) => eyeEllipse(at(before, outer), at(before, inner)));
  const onEye = ([x, y]: Point): boolean =>
    eyes.some((e) => {
      const [dx, dy] = [x - e.cx, y - e.cy];
      const [cos, sin] = [Math.cos(e.angle), Math.sin(e.angle)];
      return Math.hypot((dx * cos + dy * sin) / e.along, (-dx * sin + dy * cos) / e.across) <= 1;
    });
  let sum = 0;
  let count = 0;
  for (let i = 0; i < MESH_POINTS; i++) {
    const p = at(before, i);
    if (onEye(p) || !replaced(p)) continue;
    const q = at(after, i);
    sum += (p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2;
    count++;
  }
  const span = Math.hypot(eyes[0]!.cx - eyes[1]!.cx, eyes[0]!.cy - eyes[1]!.cy);
  return count > 0 && span > 0 ? Math.sqrt(sum / count) / span : 0;
}
