import { describe, expect, it } from 'vitest';
import { BURST_GAP_MS, burstFrames } from '../../src/core/bursts.js';

describe('burstFrames', () => {
  it('marks the photos taken within the gap of another, in any order, and never a photo without a time', () => {
    const t0 = 1_714_521_600_000;
    const times = [t0 + 60_000, t0, null, t0 + 1000, t0 + 60_000 + BURST_GAP_MS, t0 + 10 * 60_000, t0 + 60_000 + 2 * BURST_GAP_MS + 1];
    expect(burstFrames(times)).toEqual([true, true, false, true, true, false, false]);
  });

  it('marks equal times (copies keep their capture time) and nothing in a library of one', () => {
    expect(burstFrames([5, 5])).toEqual([true, true]);
    expect(burstFrames([5])).toEqual([false]);
    expect(burstFrames([])).toEqual([]);
  });
});
