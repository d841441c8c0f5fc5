/**
 * The one way this tool bounds concurrent async work: a `Limiter` (at most N tasks running, the
 * rest waiting in arrival order) and three loops over it — `mapLimit` (all results, in order),
 * `runBounded` (pull tasks only when a slot is free, so memory stays flat however many wait) and
 * `prefetch` (results as they come, fetched a little ahead of the consumer).
 */

export class Limiter {
  private running = 0;
  /** Tasks waiting for a slot, in arrival order; a finishing task hands its slot to the first. */
  private readonly queued: (() => void)[] = [];
  /** Producers waiting for a slot to become free. */
  private readonly idle: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`Expected a concurrency of at least 1 but received ${limit}`);
  }

  get active(): number {
    return this.running;
  }

  /** Runs `task` once fewer than `limit` tasks are running. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    // The slot is taken synchronously, so callers arriving together cannot all see it free.
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.queued.push(resolve));
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Resolves when a slot is free (without taking it): a producer waits here before making the next task. */
  whenFree(): Promise<void> {
    if (this.running < this.limit) return Promise.resolve();
    return new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private release(): void {
    const next = this.queued.shift();
    if (next !== undefined) {
      next();
      return;
    }
    this.running--;
    for (const wake of this.idle.splice(0)) wake();
  }
}

/** `work` over every item with at most `limit` in flight; results in the items' order. The first failure rejects. */
export function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(limit);
  return Promise.all(items.map((item, i) => limiter.run(() => work(item, i))));
}

/**
 * Starts `start(task)` for each task with at most `limit` in flight, and waits for all of them.
 * Stops pulling tasks once `stop()` says so; an async source is only pulled when a slot is free.
 * The first failure rejects (after the tasks already started have settled).
 */
export async function runBounded<T>(
  tasks: Iterable<T> | AsyncIterable<T>,
  limit: number,
  start: (task: T) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  const limiter = new Limiter(limit);
  const started: Promise<void>[] = [];
  let failed = false;
  for await (const task of tasks) {
    if (stop() || failed) break;
    await limiter.whenFree();
    if (stop() || failed) break;
    // A failure stops pulling new tasks before its slot is handed on; it is rethrown below.
    const p = limiter.run(() =>
      start(task).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    );
    // Handled here too, so a rejection waiting for the loop to end is not reported as unhandled.
    p.catch(() => {});
    started.push(p);
  }
  const failure = (await Promise.allSettled(started)).find((r) => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
}

/**
 * Runs `fetch` over `items` with at most `concurrency` in flight, yielding results as they come
 * (nulls are skipped): the consumer pulls only when it has room, so fetches run ahead of use but
 * never far. The first failure is thrown to the consumer.
 */
export async function* prefetch<T, R>(items: readonly T[], concurrency: number, fetch: (item: T) => Promise<R | null>): AsyncGenerator<R> {
  type Settled = { readonly i: number; readonly value?: R | null; readonly error?: unknown };
  const running = new Map<number, Promise<Settled>>();
  let next = 0;
  const launch = (): void => {
    const i = next++;
    running.set(
      i,
      fetch(items[i]!).then(
        (value) => ({ i, value }),
        (error: unknown) => ({ i, error }),
      ),
    );
  };
  try {
    while (next < items.length && running.size < concurrency) launch();
    while (running.size > 0) {
      const settled = await Promise.race(running.values());
      running.delete(settled.i);
      if ('error' in settled) throw settled.error;
      if (next < items.length) launch();
      if (settled.value !== null && settled.value !== undefined) yield settled.value;
    }
  } finally {
    // Whatever is still in flight finishes on its own; its results are simply not used.
    await Promise.allSettled(running.values());
  }
}
