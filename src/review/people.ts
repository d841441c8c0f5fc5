/**
 * People rows of the group view: the faces of a group's frames sorted into one row per person,
 * one cell per frame, so one person's eyes can be compared down the frames. A group's frames
 * are shot from about the same place, so a person is followed by where their face is: each
 * face joins the person whose face in the previous frames was nearest, if close enough.
 */
import type { RelativeBox } from '../core/faces.js';

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
