import { describe, expect, it } from 'vitest';
import { exposureScore, rankGroup, type ScoringInput } from '../../src/core/scoring.js';
import { FrameBuilder } from '../support/records.js';

/** A well exposed 12 MP frame unless told otherwise; `.build()` gives the scoring input. */
class Frame extends FrameBuilder {
  build(): ScoringInput {
    return this.scoringInput();
  }
}
const frame = (id: number) => new Frame(id);

const best = (members: ScoringInput[]) => rankGroup(members).find((d) => d.isBest)!.photoId;

describe('rankGroup', () => {
  it('picks the sharpest frame of a burst', () => {
    expect(best([frame(1).sharpness(0.4).build(), frame(2).sharpness(1.2).build(), frame(3).sharpness(0.9).build()])).toBe(2);
  });

  it('prefers a well exposed frame over a slightly sharper one that is badly clipped', () => {
    expect(best([frame(1).sharpness(1.05).clipped(0.3).build(), frame(2).sharpness(1).build()])).toBe(2);
  });

  it('prefers the full-resolution copy among identical pictures', () => {
    expect(best([frame(1).mp(4.3).build(), frame(2).mp(12).build()])).toBe(2);
  });

  it('breaks exact ties by file size, then by order', () => {
    expect(best([frame(1).size(100).build(), frame(2).size(300).build()])).toBe(2);
    expect(best([frame(1).build(), frame(2).build()])).toBe(1);
  });

  it('scores every member in 0..1 with a reason, and says why the best won', () => {
    const decisions = rankGroup([frame(1).sharpness(0.5).build(), frame(2).build(), frame(3).clipped(0.2).build()]);
    for (const d of decisions) {
      expect(d.score).toBeGreaterThan(0);
      expect(d.score).toBeLessThanOrEqual(1);
    }
    expect(decisions.map((d) => d.reason)).toEqual([
      '50% as sharp as the sharpest, well exposed, 12.0 MP',
      'sharpest, well exposed, 12.0 MP, beats the runner-up on exposure',
      'sharpest, 20% highlights clipped, 12.0 MP',
    ]);
  });

  it('says when the best only tied the runner-up', () => {
    expect(rankGroup([frame(1).build(), frame(2).build()])[0]!.reason).toMatch(/ties the runner-up/);
  });

  it('handles empty groups and flat frames', () => {
    expect(rankGroup([])).toEqual([]);
    expect(best([frame(1).sharpness(0).build(), frame(2).sharpness(0).build()])).toBe(1);
  });
});

describe('exposureScore', () => {
  it('is 1 for a normal frame and drops with clipping and extreme brightness', () => {
    const q = { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 1 };
    expect(exposureScore(q)).toBe(1);
    expect(exposureScore({ ...q, highlightsClipped: 0.2 })).toBeLessThan(0.5);
    expect(exposureScore({ ...q, shadowsClipped: 0.3 })).toBeLessThan(0.2);
    expect(exposureScore({ ...q, meanLuma: 0.05 })).toBeLessThan(exposureScore({ ...q, meanLuma: 0.3 }));
  });
});
