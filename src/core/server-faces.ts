/**
 * Best-photo choice with the faces an Immich server already found (--immich-use-server-faces):
 * no pixels are needed for the faces themselves. The seed summed raw face-box areas in pixels,
 * so a larger file always won; here each box is a share of its own image, the face share is
 * compared within the group and blended with the whole-image score. Pure.
 */
import type { Decision } from './types.js';

export interface ServerFace {
  /** Box corners in the pixels of an image of imageWidth × imageHeight. */
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
}

/** Weight of the face share in the blended score (the rest is the whole-image score). */
const FACE_WEIGHT = 0.5;

/** Share of the frame covered by the faces, 0..1 (overlaps are not subtracted). */
export function faceShare(faces: readonly ServerFace[]): number {
  let share = 0;
  for (const f of faces) {
    if (!(f.imageWidth > 0 && f.imageHeight > 0)) continue;
    const w = Math.max(0, Math.min(f.x2, f.imageWidth) - Math.max(f.x1, 0));
    const h = Math.max(0, Math.min(f.y2, f.imageHeight) - Math.max(f.y1, 0));
    share += (w * h) / (f.imageWidth * f.imageHeight);
  }
  return Math.min(1, share);
}

/**
 * Re-ranks a group's decisions (from rankGroup, members in the same order) with each member's
 * server faces (null: unknown). Without any face in the group the decisions come back unchanged.
 */
export function rankWithServerFaces(decisions: readonly Decision[], faces: readonly (readonly ServerFace[] | null)[]): Decision[] {
  const shares = decisions.map((_, i) => faceShare(faces[i] ?? []));
  const counts = decisions.map((_, i) => faces[i]?.length ?? 0);
  const maxShare = Math.max(0, ...shares);
  if (maxShare <= 0) return [...decisions];
  const blended = decisions.map((d, i) => (1 - FACE_WEIGHT) * d.score + FACE_WEIGHT * (shares[i]! / maxShare));
  const previousBest = decisions.findIndex((d) => d.isBest);
  let best = 0;
  for (let i = 1; i < decisions.length; i++) {
    const better = blended[i]! > blended[best]! + 1e-9;
    const tied = Math.abs(blended[i]! - blended[best]!) <= 1e-9;
    // Ties keep the whole-image ranking's choice.
    if (better || (tied && i === previousBest)) best = i;
  }
  return decisions.map((d, i) => {
    const facesText =
      counts[i] === 0
        ? 'no server faces'
        : `${counts[i]} server face${counts[i] === 1 ? '' : 's'} (${(shares[i]! * 100).toFixed(1)}% of the frame)`;
    // The whole-image reason's comparison with its runner-up no longer holds when faces decided.
    const base = best === previousBest ? d.reason : d.reason.replace(/, (beats|ties) the runner-up.*$/, '');
    return {
      photoId: d.photoId,
      score: Math.round(blended[i]! * 1000) / 1000,
      isBest: i === best,
      reason: `${facesText}; ${base}`,
    };
  });
}
