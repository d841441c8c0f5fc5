/**
 * The worker pool for per-photo work (decode + fingerprint), sized to --threads. Submission is
 * bounded so memory stays flat however many photos wait; each task can be aborted.
 */
import type { Piscina } from 'piscina';
import { runBounded } from '../core/concurrency.js';
import { workerPool } from './worker-pool.js';
import type { FsPath, PhotoId } from '../core/types.js';
import type { ClipLoadOptions } from '../media/clip.js';
import type { InspectOutcome, InspectTask } from './inspect-worker.js';

export interface PoolTask {
  readonly id: PhotoId;
  readonly path: FsPath;
}

export class InspectPool {
  private readonly pool: Piscina<InspectTask, InspectOutcome>;

  constructor(
    private readonly threads: number,
    /** How clips are fingerprinted; null: photos only. */
    private readonly clips: ClipLoadOptions | null = null,
  ) {
    this.pool = workerPool<InspectTask, InspectOutcome>('./inspect-worker.js', threads);
  }

  /**
   * Runs every task, at most 2 per thread in flight, calling `onResult` in completion order
   * (callers key results by id, so order does not matter). Stops submitting when aborted.
   */
  async runAll(
    tasks: Iterable<PoolTask> | AsyncIterable<PoolTask>,
    onResult: (id: PhotoId, outcome: InspectOutcome) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    // An async source (Immich downloads) is only pulled when a slot is free: it runs ahead of
    // the pool by its own bounded prefetch, never by the whole library.
    await runBounded(
      tasks,
      this.threads * 2,
      (task) =>
        this.pool.run({ path: task.path, clips: this.clips }, signal ? { signal } : {}).then(
          (outcome) => onResult(task.id, outcome),
          (error: unknown) => {
            if (signal?.aborted) return;
            // A crashed worker still only concerns this photo.
            onResult(task.id, { ok: false, stage: 'fingerprint', message: error instanceof Error ? error.message : String(error) });
          },
        ),
      () => signal?.aborted === true,
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
