/**
 * Close calls: groups whose best photo beat the runner-up by a small margin, so a person's eye
 * may well choose otherwise. The summary names them as the groups most worth a look in review.
 * Copies of one picture are never close calls: they show the same thing, and the best of them is
 * the largest, least compressed file — nothing an eye would judge (byte-identical copies tie).
 */
import type { GroupKind } from './types.js';

/** Score difference (scores are 0..1, rounded to 0.001) at or under which a pick is a close call. */
export const CLOSE_CALL_MARGIN = 0.02;

export interface ScoredGroup {
  readonly number: number;
  readonly kind: GroupKind;
  readonly members: readonly { readonly decision: { readonly score: number; readonly isBest: boolean } }[];
}

/** The best's lead over the runner-up; null for a group without a best or a runner-up. */
export function bestMargin(group: ScoredGroup): number | null {
  const best = group.members.find((m) => m.decision.isBest);
  const others = group.members.filter((m) => !m.decision.isBest).map((m) => m.decision.score);
  if (best === undefined || others.length === 0) return null;
  // Rounded like the scores themselves, so 0.020 reads as 0.020 and not 0.0199999.
  return Math.round((best.decision.score - Math.max(...others)) * 1000) / 1000;
}

/** Numbers of the groups whose best won by CLOSE_CALL_MARGIN or less, in the given order. */
export function closeCalls(groups: readonly ScoredGroup[], margin: number = CLOSE_CALL_MARGIN): number[] {
  return groups
    .filter((g) => {
      if (g.kind === 'duplicate') return false;
      const lead = bestMargin(g);
      return lead !== null && lead <= margin;
    })
    .map((g) => g.number);
}
