/**
 * The watch loop on a fake clock: cycles only when the feed saw changes, backoff while the
 * source is away, the first cycle's failure thrown, a stop honoured after the cycle in progress.
 */
import { describe, expect, it } from 'vitest';
import { type ChangeFeed, type CycleReason, watchLoop } from '../../src/pipeline/watch.js';
import { FakeClock } from '../support/fake-clock.js';

/** A feed that answers from a script (a number of changes, or an error), then 0; it stops the loop after `polls` polls. */
function scriptedFeed(script: (number | Error)[], polls: number, stop: AbortController, clock: FakeClock): ChangeFeed & { asked: number } {
  const feed = {
    asked: 0,
    async next(ms: number, signal: AbortSignal): Promise<number> {
      feed.asked++;
      if (feed.asked >= polls) stop.abort();
      await clock.sleep(ms, signal);
      const step = script.shift() ?? 0;
      if (step instanceof Error) throw step;
      return step;
    },
    async close(): Promise<void> {},
  };
  return feed;
}

function loop(script: (number | Error)[], polls: number, cycle: (reason: CycleReason, changes: number) => Promise<void>) {
  const clock = new FakeClock();
  const stop = new AbortController();
  const failures: number[] = [];
  const feed = scriptedFeed(script, polls, stop, clock);
  const result = watchLoop({
    clock,
    feed,
    signal: stop.signal,
    intervalMs: 60_000,
    maxBackoffMs: 300_000,
    cycle,
    failed: (_, retryInMs) => failures.push(retryInMs),
  });
  return { clock, stop, failures, feed, result };
}

describe('watchLoop', () => {
  it('runs a first cycle, then one only after polls that saw changes', async () => {
    const ran: [CycleReason, number][] = [];
    const { result, clock } = loop([0, 0, 3, 0, 1], 6, async (reason, changes) => {
      ran.push([reason, changes]);
    });
    expect(await result).toEqual({ cycles: 3, polls: 6 });
    expect(ran).toEqual([
      ['start', 0],
      ['changes', 3],
      ['changes', 1],
    ]);
    expect(clock.slept.every((ms) => ms === 60_000)).toBe(true);
  });

  it('backs off while the source is away (doubling, capped), then runs a whole cycle and polls normally again', async () => {
    const away = new Error('connect ECONNREFUSED');
    const ran: CycleReason[] = [];
    let failing = 3;
    const { result, failures, clock } = loop([away], 4, async (reason) => {
      if (reason === 'retry' && failing-- > 0) throw away;
      ran.push(reason);
    });
    expect(await result).toEqual({ cycles: 2, polls: 4 });
    expect(ran).toEqual(['start', 'retry']);
    // The poll failed (60 s), then three retries failed (120, 240, 300 capped).
    expect(failures).toEqual([60_000, 120_000, 240_000, 300_000]);
    expect(clock.slept).toEqual([60_000, 60_000, 120_000, 240_000, 300_000, 60_000, 60_000, 60_000]);
  });

  it('throws when the first cycle fails: a missing folder or a refused key is no passing outage', async () => {
    const { result, feed } = loop([], 5, async () => {
      throw new Error('--source: folder not found');
    });
    await expect(result).rejects.toThrow('folder not found');
    expect(feed.asked).toBe(0);
  });

  it('stops after the cycle in progress when the signal aborts during it', async () => {
    const ran: CycleReason[] = [];
    let stop: AbortController | null = null;
    const run = loop([2, 2, 2], 100, async (reason) => {
      ran.push(reason);
      if (reason === 'changes') stop!.abort();
    });
    stop = run.stop;
    expect(await run.result).toEqual({ cycles: 1, polls: 1 });
    expect(ran).toEqual(['start', 'changes']);
  });
});
