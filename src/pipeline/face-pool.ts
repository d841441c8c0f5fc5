/**
 * The worker pool for face analysis, separate from the fingerprint pool: its threads hold the
 * face models (loaded once per thread, on its first photo) and live only while the analyze
 * stage runs. Sized to --threads; submission is bounded like the fingerprint pool's.
 */
import type { Piscina } from 'piscina';
import type { FsPath, PhotoId } from '../core/types.js';
import type { FaceBackendKind } from '../faces/backend.js';
import { runBounded } from '../core/concurrency.js';
import { workerPool } from './worker-pool.js';
import type { FaceOutcome, FaceTask } from './face-worker.js';

export interface FacePoolTask {
  readonly id: PhotoId;
  readonly path: FsPath;
  /** Compute identity descriptors (see FaceBackend.detect). */
  readonly descriptors: boolean;
  /** A clip: the key frames (s) its faces are looked for on. */
  readonly frames?: readonly number[];
}

/** What one analyzed photo brings back. */
export type FacePoolResult = Extract<FaceOutcome, { ok: true }>;

export interface FaceRunResult {
  /** Set when the backend could not start: the run stopped at the first such answer. */
  readonly unavailable: string | null;
}

/** What the analyze stage needs of a pool (tests give it a fake one). */
export interface FaceRunner {
  runAll(
    tasks: readonly FacePoolTask[],
    onResult: (id: PhotoId, result: FacePoolResult | { readonly crashed: string }) => void,
    signal?: AbortSignal,
  ): Promise<FaceRunResult>;
  close(): Promise<void>;
}

/** Up to this many photos, analysis starts on one thread (see runAll): about 3 s of work on one. */
const NARROW_START_MAX = 48;

/**
 * A list started on one thread widens at its first face only if at least this many photos are
 * left: another face thread costs ~0.3 s of CPU to load its models and ~90 MB, and two threads
 * contend with the main thread. On 2 cores, 24 photos of people took 4.4 s and 5.9 s of CPU on
 * one thread, 4.0 s and 6.7 s of CPU (and 75 MB more) on two.
 */
const WIDEN_MIN_LEFT = 32;

/**
 * A face thread's V8 young generation: the default (up to 3 × 16 MB semi-spaces) kept ~50 MB more
 * resident per thread for the short-lived arrays of the analysis's result handling. At 4 MB, as
 * the photo threads have, 96 photos of people peaked 10–20 MB lower than at 8, for no more CPU
 * (bench/faces.js prints a thread's V8 heap).
 */
const FACE_THREAD_LIMITS = { maxYoungGenerationSizeMb: 4 };

export class FacePool implements FaceRunner {
  private readonly pool: Piscina<FaceTask, FaceOutcome>;

  constructor(
    private readonly threads: number,
    private readonly backend: FaceBackendKind,
  ) {
    this.pool = workerPool<FaceTask, FaceOutcome>('./face-worker.js', threads, 1, FACE_THREAD_LIMITS);
  }

  /**
   * Analyzes every photo, calling `onResult` in completion order, at most 2 per thread in flight.
   * A short list goes one at a time on one thread until a photo shows a face with at least
   * WIDEN_MIN_LEFT photos left: each other thread costs ~0.3 s of CPU to load its models, which a
   * few photos (~70 ms each without faces, ~100 ms with) never repay. A longer list uses every
   * thread at once, since one thread would double its wall time. Each list is judged alone: the
   * short second pass for identity descriptors stays on one thread even after a wide first pass,
   * so only that thread loads the identity model (~25 MB). Stops
   * submitting when aborted or when the backend turns out to be unavailable. A crashed worker is
   * reported as that photo's failure.
   */
  async runAll(
    tasks: readonly FacePoolTask[],
    onResult: (id: PhotoId, result: FacePoolResult | { readonly crashed: string }) => void,
    signal?: AbortSignal,
  ): Promise<FaceRunResult> {
    let unavailable: string | null = null;
    let next = 0;
    // Set once a photo shows a face with enough photos left: from then on every thread is used.
    let wide = false;
    // Checked as each task is taken, so no task is taken and then dropped when the pool widens.
    function* pull(until: () => boolean): Generator<FacePoolTask> {
      while (next < tasks.length && !until()) yield tasks[next++]!;
    }
    const stopped = (): boolean => signal?.aborted === true || unavailable !== null;
    const submit = (task: FacePoolTask): Promise<void> =>
      this.pool
        .run(
          { path: task.path, backend: this.backend, descriptors: task.descriptors, ...(task.frames ? { frames: task.frames } : {}) },
          signal ? { signal } : {},
        )
        .then(
          (outcome) => {
            if (!outcome.ok) {
              unavailable ??= outcome.message;
              return;
            }
            if (outcome.analysis.faces.length > 0 && tasks.length - next >= WIDEN_MIN_LEFT) wide = true;
            onResult(task.id, outcome);
          },
          (error: unknown) => {
            if (signal?.aborted) return;
            onResult(task.id, { crashed: error instanceof Error ? error.message : String(error) });
          },
        );
    if (this.threads > 1 && tasks.length <= NARROW_START_MAX)
      await runBounded(
        pull(() => wide),
        1,
        submit,
        stopped,
      );
    await runBounded(
      pull(() => false),
      this.threads * 2,
      submit,
      stopped,
    );
    return { unavailable };
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
