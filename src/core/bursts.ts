/**
 * Which photos are burst frames by their capture times alone: those taken within BURST_GAP_MS of
 * another. They nearly always end up in a group, so the fingerprint decodes them at the size the
 * ranking needs straight away instead of twice (see pipeline/inspect-worker.ts QUALITY_SIDE).
 * Only a cost guess: a photo guessed wrong is measured again after grouping, never judged differently.
 */

/** Frames of a burst or of a quick series are shot this close together; a session's photos are not. */
export const BURST_GAP_MS = 3000;

/** For each capture time (null: none), whether another one lies within `gapMs` of it. */
export function burstFrames(times: readonly (number | null)[], gapMs = BURST_GAP_MS): boolean[] {
  const order = times
    .map((t, i) => ({ t, i }))
    .filter((x): x is { t: number; i: number } => x.t !== null)
    .sort((p, q) => p.t - q.t);
  const out = times.map(() => false);
  for (let k = 1; k < order.length; k++) {
    if (order[k]!.t - order[k - 1]!.t <= gapMs) {
      out[order[k]!.i] = true;
      out[order[k - 1]!.i] = true;
    }
  }
  return out;
}
