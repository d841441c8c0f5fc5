import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { leftOutNote } from '../../src/cli/summary.js';
import { type GroupingItem, groupPhotos } from '../../src/core/grouping.js';
import { type PreparedSketch, prepareSketch } from '../../src/core/similarity.js';
import { fixturePhotoPath } from '../support/library.js';

/** Prepared sketch of a fixture photo seen through a window (fractions of its size), as the fingerprint makes it. */
async function sketchOf(
  name: Parameters<typeof fixturePhotoPath>[0],
  window = { left: 0, top: 0, width: 1, height: 1 },
): Promise<PreparedSketch> {
  const meta = await sharp(fixturePhotoPath(name)).metadata();
  const region = {
    left: Math.round(meta.width * window.left),
    top: Math.round(meta.height * window.top),
    width: Math.round(meta.width * window.width),
    height: Math.round(meta.height * window.height),
  };
  const base = sharp(fixturePhotoPath(name)).extract(region);
  const luma = new Uint8Array(await base.clone().greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer());
  const colour = new Uint8Array(await base.clone().removeAlpha().resize(8, 8, { fit: 'fill' }).raw().toBuffer());
  return prepareSketch(luma, colour);
}

let frameA: PreparedSketch;
let frameB: PreparedSketch;
let other: PreparedSketch;

beforeAll(async () => {
  // Two handheld frames of one scene, 4 % of the width apart, and an unrelated picture.
  frameA = await sketchOf('boats-lake', { left: 0.02, top: 0.03, width: 0.9, height: 0.9 });
  frameB = await sketchOf('boats-lake', { left: 0.06, top: 0.05, width: 0.9, height: 0.9 });
  other = await sketchOf('forest-path');
});

const H1 = 0x0f0f_3c3c_a5a5_5a5an;
/** A dHash 24 bits away from H1: far beyond any -t radius. */
const H2 = H1 ^ 0x00ff_ff00_00ff_0000n;

describe('groupPhotos with sketches', () => {
  it('finds a burst without capture times whose dHashes are far apart, through descriptor neighbours', () => {
    const items: GroupingItem[] = [
      { dhash: H1, takenAtMs: null },
      { dhash: H2, takenAtMs: null },
      { dhash: ~H1 & 0xffff_ffff_ffff_ffffn, takenAtMs: null },
    ];
    const sketches = [frameA, frameB, other];
    const result = groupPhotos(items, { threshold: 5, timeWindowS: 300, minGroupSize: 2 }, (i) => sketches[i]!);
    expect(result.groups.map((g) => [...g.members])).toEqual([[0, 1]]);
    expect(result.stats.hashCandidates).toBe(0);
    expect(result.stats.neighbourCandidates).toBeGreaterThanOrEqual(1);
  });

  it('never calls two frames with their own capture instants copies, however alike', () => {
    const kindOf = (times: [number | null, number | null], timeWindowS = 300): string | undefined =>
      groupPhotos(
        times.map((t) => ({ dhash: H1, takenAtMs: t })),
        { threshold: 3, timeWindowS, minGroupSize: 2 },
        () => frameA,
      ).groups[0]?.kind;
    // The same picture twice: a copy when the times agree or one is missing...
    expect(kindOf([1_000_000, 1_000_000])).toBe('duplicate');
    expect(kindOf([1_000_000, null])).toBe('duplicate');
    // ...two exposures 0.4 s apart are a burst, so -t 3 (copies only) keeps them apart...
    expect(kindOf([1_000_000, 1_000_400])).toBeUndefined();
    // ...and identical pictures two hours apart are one picture re-dated.
    expect(kindOf([1_000_000, 1_000_000 + 7_200_000], 0)).toBe('duplicate');
    const burst = groupPhotos(
      [1_000_000, 1_000_400].map((t) => ({ dhash: H1, takenAtMs: t })),
      { threshold: 5, timeWindowS: 300, minGroupSize: 2 },
      () => frameA,
    );
    expect(burst.groups.map((g) => g.kind)).toEqual(['burst']);
  });
});

describe('groups left out by --min-group-size', () => {
  it('counts them by size and says which value keeps them', () => {
    const pair = (base: bigint): GroupingItem[] => [
      { dhash: base, takenAtMs: null },
      { dhash: base ^ 1n, takenAtMs: null },
    ];
    const items = [...pair(H1), ...pair(H2), ...pair(~H1 & 0xffff_ffff_ffff_ffffn)];
    const result = groupPhotos(items, { threshold: 5, timeWindowS: 0, minGroupSize: 3 }, () => null);
    expect(result.groups).toEqual([]);
    expect([...result.stats.leftOut]).toEqual([[2, 3]]);
    expect(leftOutNote(result.stats.leftOut)).toBe('3 groups of 2 left out: --min-group-size 2 keeps them.');
  });

  it('names every size left out, smallest first, and says nothing when none was', () => {
    expect(
      leftOutNote(
        new Map([
          [3, 1],
          [2, 16],
        ]),
      ),
    ).toBe('16 groups of 2 and 1 of 3 left out: --min-group-size 2 keeps them.');
    expect(leftOutNote(new Map([[3, 1]]))).toBe('1 group of 3 left out: --min-group-size 3 keeps them.');
    expect(leftOutNote(new Map())).toBeNull();
  });
});
