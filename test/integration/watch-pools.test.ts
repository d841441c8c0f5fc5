/**
 * Worker pools kept between --watch cycles (pipeline/shared-pools.ts): runs that share one
 * WorkerPools start the fingerprint and face pools once, however many cycles there are, and the
 * face workers keep their models; a run without it starts and ends its own.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FacePool, type FaceRunner } from '../../src/pipeline/face-pool.js';
import { DEFAULT_OPTIONS, runOptionsSchema } from '../../src/pipeline/options.js';
import { InspectPool } from '../../src/pipeline/pool.js';
import { silentProgress } from '../../src/pipeline/progress.js';
import { organize } from '../../src/pipeline/run.js';
import { type PoolStarters, WorkerPools } from '../../src/pipeline/shared-pools.js';
import { BIRD, buildLibrary, type Library } from '../support/library.js';

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
    // The burst's last two frames arrive one per cycle, as copies under new names.
    const [last, before] = [BIRD[4]!, BIRD[3]!];
    const staging = join(base, 'staging');
    mkdirSync(staging);
    for (const [k, rel] of [last, before].entries()) {
      copyFileSync(join(library.root, rel), join(staging, String(k)));
      rmSync(join(library.root, rel));
    }
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
      for (const [k, arriving] of [null, before, last].entries()) {
        if (arriving !== null) copyFileSync(join(staging, String(2 - k)), join(library.root, arriving));
        analyzed.push(0);
        const summary = await organize(options, { apiKey: null }, silentProgress, undefined, pools);
        groupsBy.push(summary.grouped);
      }
      expect(started).toEqual({ inspect: 1, faces: 1 });
      // Cycle 1 analyzes the burst's first frames; each later one only the frame that arrived.
      expect(analyzed[0]).toBeGreaterThanOrEqual(3);
      expect(analyzed[1]).toBeGreaterThanOrEqual(1);
      expect(analyzed[2]).toBeGreaterThanOrEqual(1);
      expect(groupsBy[2]).toBe(groupsBy[0]! + 2);
    } finally {
      await pools.close();
    }
  });
});
