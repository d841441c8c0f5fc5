/**
 * Watch mode (--watch): a first cycle, then a cycle again whenever the source changed. A cycle is
 * a normal run (pipeline/run.ts): the catalog makes it incremental, so only what arrived is
 * fingerprinted and analysed, and group numbers stay (core/numbering.ts). What "changed" means
 * comes from a ChangeFeed (a folder's file events and a periodic rescan, an Immich server's
 * updatedAfter search), so a quiet library runs no cycle at all: no run, no report. The
 * clock and the signal are injected, so tests run thousands of polls on a fake clock.
 */

/** Time for the loop: the real one, or a fake that tests advance. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    }),
};

/** What the loop asks between cycles: did anything change? */
export interface ChangeFeed {
  /**
   * Waits at most `ms` (less when changes arrive and settle, or the signal aborts) and returns how
   * many changes were seen since the last call: 0 when none. Throws when the source cannot be
   * asked (a server away): the loop backs off and tries again.
   */
  next(ms: number, signal: AbortSignal): Promise<number>;
  close(): Promise<void>;
}

/** Why a cycle runs. */
export type CycleReason = 'start' | 'changes' | 'retry';

export interface WatchDeps {
  readonly clock: Clock;
  readonly feed: ChangeFeed;
  readonly signal: AbortSignal;
  /** --poll-interval, in milliseconds. */
  readonly intervalMs: number;
  /** The longest wait after failures (backoff doubles from intervalMs up to this). */
  readonly maxBackoffMs: number;
  /** One cycle; `changes` is what the feed counted (0 for start and retry). Throws on failure. */
  readonly cycle: (reason: CycleReason, changes: number) => Promise<void>;
  /** A cycle or a poll failed; the loop waits `retryInMs` and tries again. */
  readonly failed: (error: unknown, retryInMs: number) => void;
}

export interface WatchResult {
  /** Cycles that ran to their end (failed ones not counted). */
  readonly cycles: number;
  /** Polls of the feed. */
  readonly polls: number;
}

/**
 * Runs until the signal aborts; a cycle in progress finishes (stopped by the same signal) first.
 * A failure of the first cycle is thrown; later ones are reported and retried with backoff.
 */
export async function watchLoop(deps: WatchDeps): Promise<WatchResult> {
  const { clock, feed, signal } = deps;
  let cycles = 0;
  let polls = 0;
  let failures = 0;
  const backoff = (): number => Math.min(deps.maxBackoffMs, deps.intervalMs * 2 ** Math.max(0, failures - 1));
  // Runs one cycle; false when it failed (reported, with the wait before the next attempt).
  const run = async (reason: CycleReason, changes: number): Promise<boolean> => {
    try {
      await deps.cycle(reason, changes);
      if (!signal.aborted) cycles++;
      failures = 0;
      return true;
    } catch (error) {
      if (signal.aborted) return true;
      failures++;
      deps.failed(error, backoff());
      return false;
    }
  };

  // The first cycle's failure is the command's (a missing folder, a refused key): not retried.
  await deps.cycle('start', 0);
  if (!signal.aborted) cycles++;
  let pending: CycleReason | null = null;
  while (!signal.aborted) {
    if (pending !== null) {
      // After a failure: wait (longer each time), then run a whole cycle again.
      await clock.sleep(backoff(), signal);
      if (signal.aborted) break;
      pending = (await run(pending, 0)) ? null : 'retry';
      continue;
    }
    let changes: number;
    try {
      changes = await feed.next(deps.intervalMs, signal);
      polls++;
    } catch (error) {
      if (signal.aborted) break;
      polls++;
      failures++;
      deps.failed(error, backoff());
      pending = 'retry';
      continue;
    }
    if (signal.aborted) break;
    if (changes > 0 && !(await run('changes', changes))) pending = 'retry';
  }
  return { cycles, polls };
}
