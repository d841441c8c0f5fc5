/**
 * A folder's change feed for --watch: a file copied in is reported once it stopped growing, our own
 * folders and hidden files are not news, and thousands of idle polls (on a fake clock, with the
 * periodic rescans) keep memory and open handles flat.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FolderChanges } from '../../src/sources/folder-changes.js';
import { systemClock, watchLoop } from '../../src/pipeline/watch.js';
import { FakeClock } from '../support/fake-clock.js';
import { fixturePhotoPath } from '../support/library.js';

function folder(): { root: string; out: string } {
  const root = mkdtempSync(join(tmpdir(), 'po-watch-feed-'));
  const out = join(root, 'Organized');
  mkdirSync(out);
  for (const name of ['lake-dusk', 'fig-bowl', 'forest-path'] as const) copyFileSync(fixturePhotoPath(name), join(root, `${name}.jpg`));
  return { root, out };
}

const open = (root: string, out: string, clock = systemClock, rescanEvery = 10) =>
  FolderChanges.open({ root, exclude: [out], clock, stableMs: 150, settleMs: 100, rescanEvery });

describe('FolderChanges', () => {
  it('reports a photo once it stopped growing, and nothing for our output folder or hidden files', async () => {
    const { root, out } = folder();
    const feed = await open(root, out);
    const signal = new AbortController().signal;
    try {
      writeFileSync(join(out, 'group_0001.txt'), 'ours');
      writeFileSync(join(root, '.hidden.jpg'), 'hidden');
      expect(await feed.next(600, signal)).toBe(0);
      // A file written in three parts, 60 ms apart: one change, reported after the last part.
      const file = join(root, 'new.jpg');
      writeFileSync(file, 'a');
      for (const part of ['b', 'c']) {
        await new Promise((r) => setTimeout(r, 60));
        appendFileSync(file, part);
      }
      const t0 = Date.now();
      expect(await feed.next(10_000, signal)).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      await feed.close();
    }
  });

  it('returns at once when the signal aborts', async () => {
    const { root, out } = folder();
    const feed = await open(root, out);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    const t0 = Date.now();
    expect(await feed.next(60_000, stop.signal)).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2_000);
    await feed.close();
  });

  it('keeps memory and handles flat over 5,000 idle polls (fake clock, a rescan every 10)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { root, out } = folder();
    const clock = new FakeClock();
    const stop = new AbortController();
    const feed = await open(root, out, clock);
    let polls = 0;
    let heapAt500 = 0;
    let handlesAt500 = 0;
    const counted = {
      async next(ms: number, signal: AbortSignal): Promise<number> {
        const n = await feed.next(ms, signal);
        polls++;
        if (polls === 500) {
          gc();
          heapAt500 = process.memoryUsage().heapUsed;
          handlesAt500 = process.getActiveResourcesInfo().length;
        }
        if (polls === 5_000) stop.abort();
        return n;
      },
      close: () => feed.close(),
    };
    let cycles = 0;
    const result = await watchLoop({
      clock,
      feed: counted,
      signal: stop.signal,
      intervalMs: 60_000,
      maxBackoffMs: 900_000,
      cycle: async () => {
        cycles++;
      },
      failed: () => {},
    });
    gc();
    const heapGrowth = process.memoryUsage().heapUsed - heapAt500;
    const handles = process.getActiveResourcesInfo().length;
    await feed.close();
    expect(result).toEqual({ cycles: 1, polls: 5_000 });
    expect(cycles).toBe(1);
    // 5,000 minutes of a quiet folder: no cycle ran, nothing piled up.
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBe(5_000 * 60_000);
    expect(handles).toBeLessThanOrEqual(handlesAt500);
    expect(heapGrowth).toBeLessThan(2 * 1024 * 1024);
  }, 120_000);
});
