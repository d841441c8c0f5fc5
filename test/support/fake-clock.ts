/**
 * A clock for watch-mode tests: sleeping moves its time forward at once, so thousands of polls
 * take no real time. `slept` records every wait asked for (backoff is read from it).
 */
import type { Clock } from '../../src/pipeline/watch.js';

export class FakeClock implements Clock {
  readonly slept: number[] = [];

  constructor(private time = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.slept.push(ms);
    if (signal.aborted) return;
    this.time += Math.max(0, ms);
    // Let other promise work (file events, the loop's own steps) run between polls.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
