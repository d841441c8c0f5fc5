import { describe, expect, it } from 'vitest';
import { type GroupingItem, groupPhotos, type IndexGroup } from '../../src/core/grouping.js';
import { regroupPhotos } from '../../src/core/regroup.js';
import { sceneFrame, type SceneFrame } from '../support/sketch-scenes.js';

const OPTIONS = { threshold: 5, timeWindowS: 300, minGroupSize: 2 };
const H = 0x0f0f_3c3c_a5a5_5a5an;
const flip = (...bits: number[]): bigint => bits.reduce((h, b) => h ^ (1n << BigInt(b)), H);
const far = (k: number): bigint => H ^ (0x00ff_ff00_00ff_0000n << BigInt(k));
const hashOnly = (dhash: bigint, seconds: number | null = null): GroupingItem => ({
  dhash,
  takenAtMs: seconds === null ? null : seconds * 1000,
});
const noSketch = () => null;
const sets = (groups: readonly IndexGroup[]): string[] => groups.map((g) => [...g.members].sort((a, b) => a - b).join(',')).sort();

describe('regroupPhotos', () => {
  it('adds a frame to its burst and leaves every other group as it was', () => {
    const items = [
      hashOnly(H, 0),
      hashOnly(flip(1), 1),
      hashOnly(flip(2), 2),
      hashOnly(far(0), 50),
      hashOnly(far(0) ^ 1n, 51),
      hashOnly(flip(3), 3),
    ];
    const earlier = {
      groups: [
        { kind: 'burst' as const, members: [0, 1, 2] },
        { kind: 'duplicate' as const, members: [3, 4] },
      ],
      changed: new Set([5]),
    };
    const result = regroupPhotos(items, OPTIONS, noSketch, earlier);
    expect(result.full).toBe(false);
    expect(result.kept).toBe(1);
    expect(result.groups[0]).toEqual({ kind: 'duplicate', members: [3, 4] });
    expect(sets(result.groups)).toEqual(['0,1,2,5', '3,4']);
    expect(result.regrouped).toBe(4);
  });

  it('keeps every group when a new photo pairs with nothing, and places it alone', () => {
    const items = [hashOnly(H), hashOnly(flip(1)), hashOnly(far(0)), hashOnly(far(0) ^ 1n), hashOnly(far(8))];
    const earlier = {
      groups: [
        { kind: 'burst' as const, members: [0, 1] },
        { kind: 'burst' as const, members: [2, 3] },
      ],
      changed: new Set([4]),
    };
    const result = regroupPhotos(items, OPTIONS, noSketch, earlier);
    expect(result.kept).toBe(2);
    expect(result.regrouped).toBe(1);
    expect(result.groups).toEqual(earlier.groups);
  });

  it('lets a deleted photo leave its group: the rest stays together, or dissolves under the minimum size', () => {
    // Earlier: [a b c] and [d e]; b and e were deleted, so the items no longer hold them.
    const items = [hashOnly(H), hashOnly(flip(2)), hashOnly(far(0))];
    const earlier = {
      groups: [
        { kind: 'burst' as const, members: [0, 1] },
        { kind: 'duplicate' as const, members: [2] },
      ],
      changed: new Set<number>(),
    };
    const result = regroupPhotos(items, OPTIONS, noSketch, earlier);
    expect(result.groups).toEqual([{ kind: 'burst', members: [0, 1] }]);
    const three = regroupPhotos(items, { ...OPTIONS, minGroupSize: 3 }, noSketch, earlier);
    expect(three.groups).toEqual([]);
    expect(three.stats.leftOut).toEqual(new Map([[2, 1]]));
  });

  it('takes a changed photo out of its group and places it afresh', () => {
    // Photo 2 was a frame of [0 1 2]; its file now holds another picture, a copy of photo 3.
    const items = [hashOnly(H), hashOnly(flip(1)), hashOnly(far(4)), hashOnly(far(4) ^ 2n)];
    const earlier = { groups: [{ kind: 'burst' as const, members: [0, 1, 2] }], changed: new Set([2]) };
    const result = regroupPhotos(items, OPTIONS, noSketch, earlier);
    expect(sets(result.groups)).toEqual(['0,1', '2,3']);
  });

  it('groups everything again when most of the library changed', () => {
    const items = [hashOnly(H), hashOnly(flip(1)), hashOnly(far(0)), hashOnly(far(0) ^ 1n)];
    const result = regroupPhotos(items, OPTIONS, noSketch, { groups: [], changed: new Set([0, 1, 2]) });
    expect(result.full).toBe(true);
    expect(sets(result.groups)).toEqual(sets(groupPhotos(items, OPTIONS, noSketch).groups));
  });

  it('on 2,000 photos without capture times, a re-added burst frame changes only its burst', () => {
    // 500 scenes shot three times and 500 shot once, none with a clock: sketches and hashes decide.
    const frames: (SceneFrame & { scene: number })[] = [];
    for (let s = 0; s < 1000; s++) for (let f = 0; f < (s % 2 === 0 ? 3 : 1); f++) frames.push({ scene: s, ...sceneFrame(s, f) });
    expect(frames.length).toBe(2000);
    const item = (f: SceneFrame): GroupingItem => ({ dhash: f.dhash, takenAtMs: null });
    // A frame of a burst the first grouping found whole is taken out, the library grouped without it, then it comes back.
    const whole = groupPhotos(frames.map(item), OPTIONS, (i) => frames[i]!.sketch).groups;
    const burst = whole.find((g) => g.members.length === 3 && new Set(g.members.map((m) => frames[m]!.scene)).size === 1)!;
    const back = burst.members[1]!;
    const without = frames.filter((_, i) => i !== back);
    const before = groupPhotos(without.map(item), OPTIONS, (i) => without[i]!.sketch).groups;
    const toFull = (i: number): number => (i < back ? i : i + 1);
    const earlier = before.map((g) => ({ kind: g.kind, members: g.members.map(toFull) }));

    const result = regroupPhotos(frames.map(item), OPTIONS, (i) => frames[i]!.sketch, { groups: earlier, changed: new Set([back]) });
    const joined = burst.members.join(',');
    const previous = new Set(sets(earlier));
    const now = sets(result.groups);
    expect(now).toContain(joined);
    // Every other group is exactly an earlier one, and only the burst's earlier group is gone.
    expect(now.filter((g) => g !== joined).every((g) => previous.has(g))).toBe(true);
    expect([...previous].filter((g) => !now.includes(g))).toEqual([burst.members.filter((m) => m !== back).join(',')]);
    expect(result.kept).toBe(earlier.length - 1);
    expect(result.regrouped).toBeLessThan(10);
  });
});
