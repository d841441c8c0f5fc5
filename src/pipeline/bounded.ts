/**
 * What both worker pools share: the piscina settings, and the bounded submission loop that keeps
 * at most a few tasks per thread in flight so memory stays flat however many photos wait.
 */
import { Piscina } from 'piscina';

/** A pool of `threads` workers running `file` (next to this module in dist/). */
export function workerPool<T, R>(file: string, threads: number): Piscina<T, R> {
  return new Piscina<T, R>({
    filename: new URL(file, import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // Tasks wait in our bounded loop, not in an unbounded pool queue.
    maxQueue: threads * 2,
    idleTimeout: 1000,
  });
}

/**
 * Starts `start(task)` for each task with at most `limit` in flight, and waits for all of them.
 * Stops pulling tasks once `stop()` says so; an async source is only pulled when a slot is free.
 */
export async function runBounded<T>(
  tasks: Iterable<T> | AsyncIterable<T>,
  limit: number,
  start: (task: T) => Promise<void>,
  stop: () => boolean,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for await (const task of tasks) {
    if (stop()) break;
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (stop()) break;
    const p: Promise<void> = start(task).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
}

/**
 * Runs `fetch` over `items` with at most `concurrency` in flight, yielding results as they come:
 * the consumer pulls only when it has room, so fetches run ahead of use but never far.
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
