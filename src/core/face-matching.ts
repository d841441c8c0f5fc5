/**
 * Who is who across the frames of a group: faces are matched by identity descriptor, helped by
 * position for the frames of a burst, so a person's eyes and sharpness are compared with their
 * own eyes and sharpness in the other frames. Pure.
 */
import type { RelativeBox } from './faces.js';

/**
 * Cosine similarity above which two descriptors are taken to be the same person. On Human's
 * 1024-value faceres descriptors the same face across blur, flips, shifts and re-encodes scores
 * 0.86–0.99 on the fixtures, different people 0.35–0.60 (the vectors share a common offset,
 * hence no values near 0): the threshold sits in the gap, nearer the "different" side, since a
 * wrong match only matters when two look-alikes are in one photo.
 */
export const SAME_PERSON = 0.72;

/**
 * A face in about the same place in two frames (boxes overlapping by this much, as
 * intersection over union) needs less descriptor agreement: blur that spoils a descriptor
 * (down to ~0.45 for the same face at Gaussian sigma 3) leaves the face where it was, while two
 * different people are never in one place in consecutive frames.
 */
export const SAME_PLACE_IOU = 0.4;
const PLACE_BONUS = 0.3;

/** What matching needs of a face. */
export interface MatchableFace {
  readonly descriptor: Float32Array;
  readonly box: RelativeBox;
}

/** Cosine similarity of two descriptors; 0 when either is empty or they differ in length. */
export function descriptorSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length === 0 || a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Intersection over union of two boxes, 0..1. */
export function boxOverlap(a: RelativeBox, b: RelativeBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * Descriptor similarity, raised when the two faces sit in the same place; compared with
 * SAME_PERSON. A face without a descriptor (skipped where placeDecides) is matched by place alone.
 */
export function matchScore(a: MatchableFace, b: MatchableFace): number {
  const samePlace = boxOverlap(a.box, b.box) >= SAME_PLACE_IOU;
  if (a.descriptor.length === 0 || b.descriptor.length === 0) return samePlace ? 1 : 0;
  return descriptorSimilarity(a.descriptor, b.descriptor) + (samePlace ? PLACE_BONUS : 0);
}

/** Boxes overlapping less than this are clearly apart: no doubt which of two faces is which. */
const APART_IOU = 0.1;

/**
 * Whether the faces' places alone tell who is who across the frames (so no descriptor is
 * needed): the frames that show faces show the same number, and each face overlaps exactly one
 * face of every other such frame by at least SAME_PLACE_IOU and no other one by more than a
 * sliver. A face that moved, left or joined, or two faces close together, leave it to descriptors.
 */
export function placeDecides(frames: readonly (readonly Pick<MatchableFace, 'box'>[])[]): boolean {
  const shown = frames.filter((faces) => faces.length > 0);
  if (shown.some((faces) => faces.length !== shown[0]!.length)) return false;
  // Both ways round, so two faces of one frame cannot share one partner in another.
  for (let a = 0; a < shown.length; a++) {
    for (let b = 0; b < shown.length; b++) {
      if (a === b) continue;
      for (const face of shown[a]!) {
        const overlaps = shown[b]!.map((other) => boxOverlap(face.box, other.box));
        if (overlaps.filter((o) => o >= SAME_PLACE_IOU).length !== 1 || overlaps.filter((o) => o > APART_IOU).length !== 1) return false;
      }
    }
  }
  return true;
}

interface Cluster {
  readonly members: { frame: number; face: number }[];
  readonly frames: Set<number>;
}

/**
 * Assigns a person number to every face: `result[frame][face]`. Persons are numbered 0.. in
 * order of first appearance (frame, then face order), so the result does not depend on
 * anything but the input order.
 *
 * Best-matching pairs are joined first; two clusters join only if they never share a frame (one
 * person is in a frame at most once) and their average similarity clears `threshold`, so one
 * stray match cannot chain two people together.
 */
export function matchPeople(frames: readonly (readonly MatchableFace[])[], threshold = SAME_PERSON): number[][] {
  const clusters: Cluster[] = [];
  const clusterOf = new Map<string, Cluster>();
  const key = (frame: number, face: number): string => `${frame}:${face}`;
  frames.forEach((faces, frame) => {
    faces.forEach((_, face) => {
      const c: Cluster = { members: [{ frame, face }], frames: new Set([frame]) };
      clusters.push(c);
      clusterOf.set(key(frame, face), c);
    });
  });
  const sim = (a: { frame: number; face: number }, b: { frame: number; face: number }): number =>
    matchScore(frames[a.frame]![a.face]!, frames[b.frame]![b.face]!);

  const pairs: { a: { frame: number; face: number }; b: { frame: number; face: number }; s: number; order: number }[] = [];
  for (let fa = 0; fa < frames.length; fa++) {
    for (let fb = fa + 1; fb < frames.length; fb++) {
      frames[fa]!.forEach((_, ia) => {
        frames[fb]!.forEach((__, ib) => {
          const a = { frame: fa, face: ia };
          const b = { frame: fb, face: ib };
          const s = sim(a, b);
          if (s >= threshold) pairs.push({ a, b, s, order: pairs.length });
        });
      });
    }
  }
  pairs.sort((p, q) => q.s - p.s || p.order - q.order);

  for (const { a, b } of pairs) {
    const ca = clusterOf.get(key(a.frame, a.face))!;
    const cb = clusterOf.get(key(b.frame, b.face))!;
    if (ca === cb || [...cb.frames].some((f) => ca.frames.has(f))) continue;
    let total = 0;
    for (const x of ca.members) for (const y of cb.members) total += sim(x, y);
    if (total / (ca.members.length * cb.members.length) < threshold) continue;
    for (const m of cb.members) {
      ca.members.push(m);
      clusterOf.set(key(m.frame, m.face), ca);
    }
    for (const f of cb.frames) ca.frames.add(f);
  }

  const numbers = new Map<Cluster, number>();
  return frames.map((faces, frame) =>
    faces.map((_, face) => {
      const c = clusterOf.get(key(frame, face))!;
      let n = numbers.get(c);
      if (n === undefined) {
        n = numbers.size;
        numbers.set(c, n);
      }
      return n;
    }),
  );
}
