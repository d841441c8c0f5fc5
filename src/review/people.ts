/**
 * Faces in the group view: each face's eye and smile marks, and the people rows — the faces of a
 * group's frames sorted into one row per person,
 * one cell per frame, so one person's eyes can be compared down the frames. A group's frames
 * are shot from about the same place, so a person is followed by where their face is: each
 * face joins the person whose face in the previous frames was nearest, if close enough.
 */
import { eyeState, SMILING } from '../core/face-scoring.js';
import type { FaceAnalysis, RelativeBox } from '../core/faces.js';

export type EyeState = ReturnType<typeof eyeState>;

export interface FaceMark {
  /** Relative to the frame, 0..1. */
  readonly box: RelativeBox;
  /** Judged against the same person's widest eyes in the group (see core/face-scoring.ts). */
  readonly eyes: EyeState;
  readonly smiling: boolean;
  /** 0..1. */
  readonly smile: number;
  /** The detector's face sharpness (comparable between faces of one person). */
  readonly sharpness: number;
}

/** What the rows need of a face: where it is, and its sharpness (the detector's measure). */
export interface PlacedFace {
  readonly box: RelativeBox;
  readonly sharpness: number;
}

export interface PersonCell<F> {
  readonly face: F;
  /** Sharpness relative to the same person's sharpest face in the group, 0..1. */
  readonly sharpness: number;
}

export interface PersonRow<F> {
  /** One entry per frame, in frame order; null where the person is not found. */
  readonly cells: readonly (PersonCell<F> | null)[];
}

/** A face within this share of its width from where the person was seen counts as them. */
const SAME_PLACE = 0.6;

/**
 * Rows for the faces of each frame (`frames[i]` holds frame i's faces), ordered left to right
 * by where each person stands.
 */
export function peopleRows<F extends PlacedFace>(frames: readonly (readonly F[])[]): PersonRow<F>[] {
  const people: { last: RelativeBox; cells: (F | null)[] }[] = [];
  frames.forEach((faces, f) => {
    // Nearest pairs first, so two people close together do not swap.
    const pairs = faces
      .flatMap((face, k) => people.map((p, q) => ({ k, q, d: distance(face.box, p.last), limit: reach(face.box, p.last) })))
      .filter((x) => x.d <= x.limit)
      .sort((a, b) => a.d - b.d);
    const placed = new Set<number>();
    const taken = new Set<number>();
    for (const { k, q } of pairs) {
      if (placed.has(k) || taken.has(q)) continue;
      placed.add(k);
      taken.add(q);
      people[q]!.cells[f] = faces[k]!;
      people[q]!.last = faces[k]!.box;
    }
    faces.forEach((face, k) => {
      if (placed.has(k)) return;
      const cells: (F | null)[] = frames.map(() => null);
      cells[f] = face;
      people.push({ last: face.box, cells });
    });
  });
  return people
    .map((p) => ({ p, x: meanCentre(p.cells) }))
    .sort((a, b) => a.x - b.x)
    .map(({ p }) => {
      const sharpest = Math.max(...p.cells.map((c) => c?.sharpness ?? 0));
      return { cells: p.cells.map((face) => (face === null ? null : { face, sharpness: sharpest > 0 ? face.sharpness / sharpest : 1 })) };
    });
}

const centre = (b: RelativeBox): { x: number; y: number } => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });

function distance(a: RelativeBox, b: RelativeBox): number {
  const p = centre(a);
  const q = centre(b);
  return Math.hypot(p.x - q.x, p.y - q.y);
}

const reach = (a: RelativeBox, b: RelativeBox): number => SAME_PLACE * Math.max(a.width, b.width);

function meanCentre(cells: readonly (PlacedFace | null)[]): number {
  const xs = cells.flatMap((c) => (c === null ? [] : [centre(c.box).x]));
  return xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
}

/**
 * Eye and smile marks per frame. People are matched across the frames by where their face is
 * (a group's frames are shot from about the same place), and each face's eyes are judged
 * against the widest opening of the same person, as the ranking does.
 */
export function faceMarks(frames: readonly (FaceAnalysis | null)[]): FaceMark[][] {
  const all = frames.map((a) => a?.faces ?? []);
  return all.map((faces, f) =>
    faces.map((face) => {
      const own = openness(face);
      let widest = own;
      let seen = 1;
      all.forEach((others, g) => {
        if (g === f) return;
        const match = nearest(
          face.box,
          others.map((o) => o.box),
        );
        if (match === null) return;
        widest = Math.max(widest, openness(others[match]!));
        seen++;
      });
      return {
        box: face.box,
        eyes: eyeState(own, widest, seen),
        smiling: face.smile >= SMILING,
        smile: Math.round(face.smile * 100) / 100,
        sharpness: face.sharpness,
      };
    }),
  );
}

const openness = (f: { leftEye: { aspect: number }; rightEye: { aspect: number } }): number => (f.leftEye.aspect + f.rightEye.aspect) / 2;

/** Index of the box whose centre is closest to `box`'s, if within 60 % of the face's width. */
function nearest(box: RelativeBox, boxes: readonly RelativeBox[]): number | null {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let best: number | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  boxes.forEach((b, i) => {
    const d = Math.hypot(b.x + b.width / 2 - cx, b.y + b.height / 2 - cy);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  });
  return best !== null && bestDistance <= 0.6 * Math.max(box.width, boxes[best]!.width) ? best : null;
}
