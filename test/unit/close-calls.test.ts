import { describe, expect, it } from 'vitest';
import { bestMargin, CLOSE_CALL_MARGIN, closeCalls } from '../../src/core/close-calls.js';

const group = (number: number, ...scores: number[]) => ({
  number,
  kind: 'burst' as const,
  members: scores.map((score, i) => ({ decision: { score, isBest: i === 0 } })),
});

describe('close calls', () => {
  it('measures the best photo’s lead over the runner-up', () => {
    expect(bestMargin(group(1, 0.9, 0.7, 0.85))).toBe(0.05);
    expect(bestMargin(group(1, 0.9))).toBeNull();
  });

  it('lists the groups won by the margin or less, in order', () => {
    const groups = [group(1, 0.9, 0.5), group(2, 0.81, 0.8), group(3, 0.6, 0.6 - CLOSE_CALL_MARGIN), group(4, 0.7, 0.67)];
    expect(closeCalls(groups)).toEqual([2, 3]);
  });

  it('never counts copies of one picture, however tied', () => {
    const identical = { ...group(5, 0.8, 0.8), kind: 'duplicate' as const };
    expect(closeCalls([identical, group(6, 0.8, 0.8)])).toEqual([6]);
  });
});
