/**
 * Worker pools kept between --watch cycles (pipeline/shared-pools.ts): runs that share one
 * WorkerPools start the fingerprint and face pools once, however many cycles there are, and the
 * face workers keep their models; a run without it starts and ends its own.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePool, type FaceRunner } from '../../src/pipeline/face-pool.js';
import { DEFAULT_OPTIONS, runOptionsSchema } from '../../src/pipeline/options.js';
import { InspectPool } from '../../src/pipeline/pool.js';
import { silentProgress } from '../../src/pipeline/progress.js';
import { organize } from '../../src/pipeline/run.js';
import { type PoolStarters, WorkerPools } from '../../src/pipeline/shared-pools.js';
import sharp from 'sharp';
import { buildLibrary, fixturePhotoPath, type Library } from '../support/library.js';

describe('worker pools kept between watch cycles', () => {
  let base: string;
  let library: Library;
  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-pools-'));
    library = await buildLibrary(join(base, 'Photos'), { variant: 'small' });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('starts each pool once over three cycles, and analyzes the new frames on the same face workers', async () => {
    const started = { inspect: 0, faces: 0 };
    /** Photos each cycle sent to face analysis, by cycle. */
    const analyzed: number[] = [];
    const starters: PoolStarters = {
      inspect: (threads, clips) => {
        started.inspect++;
        return new InspectPool(threads, clips);
      },
      faces: (threads, kind) => {
        started.faces++;
        const pool = new FacePool(threads, kind);
        const counting: FaceRunner = {
          runAll: (tasks, onResult, signal) => {
            analyzed[analyzed.length - 1]! += tasks.length;
            return pool.runAll(tasks, onResult, signal);
          },
          close: () => pool.close(),
        };
        return counting;
      },
    };
    // A burst of portraits (the library's own burst, of a bird, shows no face: its frames are
    // settled as they are fingerprinted and never reach the face pool): its first three frames are
    // there from the start, the last two arrive one per cycle.
    const portraits = join(library.root, 'portraits');
    mkdirSync(portraits);
    const frame = (k: number): Promise<unknown> =>
      sharp(fixturePhotoPath('portrait-smile'))
        .resize(900)
        .extend({ left: k * 3, top: k * 2, background: '#808080' })
        .jpeg({ quality: 90 })
        .withExif({ IFD2: { DateTimeOriginal: `2024:07:01 10:00:0${k}` } })
        .toFile(join(portraits, `P${k}.jpg`));
    for (const k of [0, 1, 2]) await frame(k);
    const options = runOptionsSchema.parse({
      ...DEFAULT_OPTIONS,
      source: library.root,
      output: join(base, 'out'),
      watch: true,
      threads: 1,
    });
    const pools = new WorkerPools(1, null, starters);
    try {
      const groupsBy: number[] = [];
      for (const arriving of [null, 3, 4]) {
        if (arriving !== null) await frame(arriving);
        analyzed.push(0);
        const summary = await organize(options, { apiKey: null }, silentProgress, undefined, pools);
        groupsBy.push(summary.grouped);
      }
      expect(started).toEqual({ inspect: 1, faces: 1 });
      // Cycle 1 analyzes the portraits' first frames; each later one only the frame that arrived.
      expect(analyzed).toEqual([3, 1, 1]);
      expect(groupsBy[2]).toBe(groupsBy[0]! + 2);
    } finally {
      await pools.close();
    }
  });
});
