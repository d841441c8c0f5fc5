import { describe, expect, it } from 'vitest';
import { type ClipKey, chooseFrames, clipGap, groupClips, relateClips, SCENE_CHANGE_BITS } from '../../src/core/clips.js';

/** A 64-bit hash with the lowest `bits` bits set: hashes differ by the difference of their bit counts. */
const h = (bits: number): bigint => (1n << BigInt(bits)) - 1n;
/** A hash far from every h(n): the high half set. */
const other = (bits: number): bigint => (h(32) << 32n) | h(bits);

/** A clip whose frame at second k (every second) has hash scene(k). */
function clip(scene: (k: number) => bigint, seconds: number, takenAtMs: number | null, start = 0): ClipKey {
  return { durationS: seconds, takenAtMs, frames: Array.from({ length: seconds }, (_, k) => ({ t: k, dhash: scene(start + k) })) };
}
const pan = (k: number): bigint => h(4 * k);
const T0 = Date.UTC(2024, 4, 1, 10);
const options = { threshold: 5, timeWindowS: 300 };

describe('chooseFrames', () => {
  const frames = Array.from({ length: 20 }, (_, k) => ({ t: k / 2, dhash: k < 10 ? h(k) : other(k) }));
  it('iframe: key frames spread evenly, the first and the last kept', () => {
    expect(chooseFrames(frames, 'iframe', 4, 10).map((f) => f.t)).toEqual([0, 3, 6.5, 9.5]);
  });
  it('fixed_interval: the key frame showing at each evenly spaced instant', () => {
    expect(chooseFrames(frames, 'fixed_interval', 5, 10).map((f) => f.t)).toEqual([1, 3, 5, 7, 9]);
  });
  it('scene_change: where the picture changes, topped up on a still clip', () => {
    // One cut at frame 10 (the hash jumps by 32+ bits), a bit of change per frame around it; topped up to 3.
    expect(chooseFrames(frames, 'scene_change', 10, 10).map((f) => f.t)).toEqual([0, 5, 9.5]);
    const still = frames.map((f) => ({ ...f, dhash: 0n }));
    expect(chooseFrames(still, 'scene_change', 10, 10)).toHaveLength(3);
    expect(SCENE_CHANGE_BITS).toBeGreaterThan(options.threshold);
  });
  it('never returns more than asked', () => {
    for (const strategy of ['iframe', 'fixed_interval', 'scene_change'] as const) {
      expect(chooseFrames(frames, strategy, 2, 10).length).toBeLessThanOrEqual(2);
    }
  });
});

describe('relateClips', () => {
  const original = clip(pan, 10, T0);
  it('finds a trimmed copy at its offset', () => {
    expect(relateClips(original, clip(pan, 4, T0, 3), options)).toBe('copy');
  });
  it('finds a re-encode whose key frames fall half a second off', () => {
    const shifted = { ...original, frames: original.frames.map((f) => ({ ...f, t: f.t + 0.5, dhash: f.dhash | 1n })) };
    expect(relateClips(original, shifted, options)).toBe('copy');
  });
  it('calls the same footage recorded a minute later a take, not a copy', () => {
    expect(relateClips(original, clip(pan, 10, T0 + 60_000), options)).toBe('similar');
    expect(relateClips(original, clip(pan, 10, T0 + 12_000), options)).toBe('burst');
  });
  it('keeps takes farther apart than --time-window out, unless time is ignored', () => {
    const later = clip(pan, 10, T0 + 3_600_000 - 1);
    expect(relateClips(original, later, options)).toBe('different');
    expect(relateClips(original, later, { ...options, timeWindowS: 0 })).toBe('similar');
  });
  it('tells another scene apart', () => {
    expect(relateClips(original, clip(other, 10, T0 + 20_000), options)).toBe('different');
  });
  it('measures the gap from the end of the earlier clip', () => {
    expect(clipGap(original, clip(pan, 3, T0 + 25_000))).toBe(15);
    expect(clipGap(original, clip(pan, 3, null))).toBeNull();
  });
});

describe('groupClips', () => {
  it('groups copies as duplicate and leaves another scene alone', () => {
    const clips = [clip(pan, 10, T0), clip(pan, 5, T0, 2), clip(other, 6, T0 + 30_000)];
    expect(groupClips(clips, { ...options, minGroupSize: 2 })).toEqual([{ kind: 'duplicate', members: [0, 1] }]);
  });
  it('never chains: A~B and B~C but not A~C stay apart', () => {
    // B's frames are half A's scene and half C's: alike enough to each as a take, A and C unrelated.
    const a = clip((k) => h(k), 8, T0);
    const b: ClipKey = {
      durationS: 8,
      takenAtMs: T0 + 20_000,
      frames: [...a.frames.slice(0, 4), ...clip((k) => other(k), 4, null).frames.map((f) => ({ ...f, t: f.t + 4 }))],
    };
    const c = clip((k) => other(k), 8, T0 + 40_000);
    const groups = groupClips([a, b, c], { ...options, timeWindowS: 0, minGroupSize: 2 });
    expect(groups).toEqual([{ kind: 'similar', members: [0, 1] }]);
  });
  it('drops groups below the smallest size', () => {
    expect(groupClips([clip(pan, 10, T0), clip(pan, 10, T0)], { ...options, minGroupSize: 3 })).toEqual([]);
  });
});
