/**
 * The worker pools for per-photo work: decode + fingerprint (InspectPool), and the quality of the
 * grouped photos at full size (QualityPool), sized to --threads. Submission is bounded so memory
 * stays flat however many photos wait; each task can be aborted.
 */
import type { Piscina } from 'piscina';
import { runBounded } from '../core/concurrency.js';
import { workerPool } from './worker-pool.js';
import type { FsPath, PhotoId } from '../core/types.js';
import type { ClipLoadOptions } from '../media/clip.js';
import type { InspectOutcome, InspectTask } from './inspect-worker.js';
import type { QualityOutcome, QualityTask } from './quality-worker.js';

export interface PoolTask {
  readonly id: PhotoId;
  readonly path: FsPath;
  /** Fingerprints only: decode at the ranking's size straight away (a likely burst frame). */
  readonly forRanking?: boolean;
  /** Look for faces on the ranking's decode too (faces will be analyzed). */
  readonly faceCheck?: boolean;
}

/**
 * A photo thread's V8 young generation. Its garbage is small and short-lived (a photo's measures;
 * the pixels live outside the heap), but the default (up to 3 × 16 MB semi-spaces) let each thread
 * keep ~25 MB more resident: 4 MB costs no measurable CPU (bench: BENCH=memory, BENCH=fingerprint).
 */
const PHOTO_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4 };

/** A pool of one worker file whose outcomes say themselves whether they failed (`ok`). */
class PhotoPool<T, R> {
  private readonly pool: Piscina<T, R>;

  constructor(
    file: string,
    private readonly threads: number,
    private readonly toTask: (task: PoolTask) => T,
    private readonly crashed: (message: string) => R,
  ) {
    this.pool = workerPool<T, R>(file, threads, threads, PHOTO_THREAD_LIMITS);
  }

  /**
   * Runs every task, at most 2 per thread in flight, calling `onResult` in completion order
   * (callers key results by id, so order does not matter). Stops submitting when aborted.
   */
  async runAll(
    tasks: Iterable<PoolTask> | AsyncIterable<PoolTask>,
    onResult: (id: PhotoId, outcome: R) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    // An async source (Immich downloads) is only pulled when a slot is free: it runs ahead of
    // the pool by its own bounded prefetch, never by the whole library.
    await runBounded(
      tasks,
      this.threads * 2,
      (task) =>
        this.pool.run(this.toTask(task), signal ? { signal } : {}).then(
          (outcome) => onResult(task.id, outcome),
          (error: unknown) => {
            if (signal?.aborted) return;
            // A crashed worker still only concerns this photo.
            onResult(task.id, this.crashed(error instanceof Error ? error.message : String(error)));
          },
        ),
      () => signal?.aborted === true,
    );
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

export class InspectPool extends PhotoPool<InspectTask, InspectOutcome> {
  /** `clips`: how clips are fingerprinted; null: photos only. */
  constructor(threads: number, clips: ClipLoadOptions | null = null) {
    super(
      './inspect-worker.js',
      threads,
      (task) => ({ path: task.path, clips, forRanking: task.forRanking === true, faceCheck: task.faceCheck === true }),
      (message) => ({ ok: false, stage: 'fingerprint', message }),
    );
  }
}

/** What runs photo tasks: a pool of worker threads, or this thread for a few (no start-up to pay). */
export interface PhotoRunner<R> {
  runAll(
    tasks: Iterable<PoolTask> | AsyncIterable<PoolTask>,
    onResult: (id: PhotoId, outcome: R) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs a worker's task function on this thread, `threads` at once (sharp decodes on libuv's
 * threads meanwhile): for a handful of photos, cheaper than starting worker threads (~0.3 s of
 * CPU each, loading sharp and the modules).
 */
export class InThreadRunner<T, R> implements PhotoRunner<R> {
  constructor(
    private readonly threads: number,
    private readonly work: (task: T) => Promise<R>,
    private readonly toTask: (task: PoolTask) => T,
  ) {}

  async runAll(
    tasks: Iterable<PoolTask> | AsyncIterable<PoolTask>,
    onResult: (id: PhotoId, outcome: R) => void,
    signal?: AbortSignal,
  ): Promise<void> {
    await runBounded(
      tasks,
      this.threads,
      async (task) => onResult(task.id, await this.work(this.toTask(task))),
      () => signal?.aborted === true,
    );
  }

  async close(): Promise<void> {}
}

export class QualityPool extends PhotoPool<QualityTask, QualityOutcome> {
  constructor(threads: number) {
    super(
      './quality-worker.js',
      threads,
      (task) => ({ path: task.path, faceCheck: task.faceCheck === true }),
      (message) => ({ ok: false, message }),
    );
  }
}
