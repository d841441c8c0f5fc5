/** Matching people by place alone: when it decides, and how faces without descriptors match. */
import { describe, expect, it } from 'vitest';
import { type MatchableFace, matchPeople, placeDecides } from '../../src/core/face-matching.js';

const NONE = new Float32Array(0);
/** A face without a descriptor, its box 0.2 x 0.25 with the top-left corner at (x, y). */
const at = (x: number, y = 0.2): MatchableFace => ({ descriptor: NONE, box: { x, y, width: 0.2, height: 0.25 } });

describe('placeDecides', () => {
  it('decides when every frame shows the same faces in the same places, moved a little', () => {
    expect(
      placeDecides([
        [at(0.1), at(0.5)],
        [at(0.11), at(0.52)],
        [at(0.09, 0.21), at(0.5)],
      ]),
    ).toBe(true);
    // Frames without faces have nobody to match; a group with no faces at all needs nothing.
    expect(placeDecides([[at(0.1)], [], [at(0.12)]])).toBe(true);
    expect(placeDecides([[], []])).toBe(true);
  });

  it('leaves it to descriptors when a face joins, leaves or moves away', () => {
    expect(placeDecides([[at(0.1), at(0.5)], [at(0.1)]])).toBe(false);
    expect(placeDecides([[at(0.1)], [at(0.6)]])).toBe(false);
  });

  it('leaves it to descriptors when two faces are close enough to be taken for each other', () => {
    // Side by side, overlapping: each face of the first frame touches both of the second.
    expect(
      placeDecides([
        [at(0.1), at(0.25)],
        [at(0.12), at(0.27)],
      ]),
    ).toBe(false);
    // Two faces of one frame on one place of the other.
    expect(
      placeDecides([
        [at(0.1), at(0.6)],
        [at(0.1), at(0.11, 0.22)],
      ]),
    ).toBe(false);
  });
});

describe('matching without descriptors', () => {
  it('matches faces in the same place as one person, and faces apart as different people', () => {
    expect(matchPeople([[at(0.1), at(0.5)], [at(0.52), at(0.11)], [at(0.1)]])).toEqual([[0, 1], [1, 0], [0]]);
    expect(matchPeople([[at(0.1)], [at(0.6)]])).toEqual([[0], [1]]);
  });

  it('still matches by descriptor where both faces have one', () => {
    const person = Float32Array.from([1, 5, 1, 1]);
    const other = Float32Array.from([1, 1, 9, 1]);
    const frame = (d: Float32Array, x: number): MatchableFace => ({ descriptor: d, box: { x, y: 0, width: 0.1, height: 0.1 } });
    expect(matchPeople([[frame(person, 0)], [frame(person, 0.5)], [frame(other, 0)]])).toEqual([[0], [0], [1]]);
  });
});
