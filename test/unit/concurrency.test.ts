import { describe, expect, it } from 'vitest';
import { Limiter, mapLimit, prefetch, runBounded } from '../../src/core/concurrency.js';

/** A task the test finishes by hand, to see what runs at a given moment. */
function gate(): { readonly promise: Promise<void>; readonly open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, the rest in arrival order', async () => {
    const limiter = new Limiter(2);
    const gates = [gate(), gate(), gate(), gate()];
    const started: number[] = [];
    const all = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.active).toBe(2);
    gates[1]!.open();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(all)).toEqual([0, 1, 2, 3]);
    expect(limiter.active).toBe(0);
  });

  it('frees the slot of a failed task', async () => {
    const limiter = new Limiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses a limit below one', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});

describe('mapLimit', () => {
  it('keeps the items order and never exceeds the limit', async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n, i) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3']);
    expect(most).toBe(2);
  });
});

describe('runBounded', () => {
  it('pulls an async source only when a slot is free', async () => {
    const pulled: number[] = [];
    const gates = [gate(), gate(), gate()];
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 3; i++) {
        pulled.push(i);
        yield i;
      }
    }
    const done = runBounded(
      source(),
      1,
      (i) => gates[i]!.promise,
      () => false,
    );
    await tick();
    expect(pulled).toEqual([0, 1]);
    gates[0]!.open();
    await tick();
    await tick();
    expect(pulled).toEqual([0, 1, 2]);
    gates[1]!.open();
    gates[2]!.open();
    await done;
  });

  it('stops pulling when told, and after a failure, which it rethrows once the started tasks settle', async () => {
    const seen: number[] = [];
    await runBounded(
      [1, 2, 3, 4],
      2,
      async (n) => void seen.push(n),
      () => seen.length >= 2,
    );
    expect(seen).toEqual([1, 2]);

    const settled: number[] = [];
    const failing = runBounded(
      [1, 2, 3, 4, 5],
      2,
      async (n) => {
        await tick();
        if (n === 1) throw new Error('task 1 failed');
        settled.push(n);
      },
      () => false,
    );
    await expect(failing).rejects.toThrow('task 1 failed');
    expect(settled).toEqual([2]);
  });
});

describe('prefetch', () => {
  it('fetches a bounded distance ahead of the consumer and skips nulls', async () => {
    const fetched: number[] = [];
    const results = prefetch([1, 2, 3, 4, 5, 6], 2, async (n) => {
      fetched.push(n);
      return n % 3 === 0 ? null : n * 10;
    });
    const first = await results.next();
    expect(first.value).toBe(10);
    expect(fetched.length).toBeLessThanOrEqual(3);
    const rest: number[] = [];
    for await (const value of results) rest.push(value);
    expect([first.value, ...rest].sort((a, b) => a - b)).toEqual([10, 20, 40, 50]);
    expect(fetched.sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('throws the first failure to the consumer', async () => {
    const results = prefetch([1, 2], 2, async (n) => {
      if (n === 2) throw new Error('fetch 2 failed');
      return n;
    });
    await expect(
      (async () => {
        for await (const _ of results);
      })(),
    ).rejects.toThrow('fetch 2 failed');
  });
});
