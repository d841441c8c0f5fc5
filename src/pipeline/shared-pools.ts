/**
 * Worker pools a --watch process keeps from one cycle to the next: its fingerprint workers and its
 * face workers, whose threads hold the face models (~1 s of CPU and ~100 MB a thread to load).
 * A normal run starts its pools in its stages and ends them there; a watch cycle of one new photo
 * would pay that start again every time. Created once per watch process, closed on exit.
 */
import type { FaceBackendKind } from '../faces/backend.js';
import type { ClipLoadOptions } from '../media/clip.js';
import { FacePool, type FaceRunner } from './face-pool.js';
import { InspectPool } from './pool.js';
import type { StartFacePool } from './stages/analyze.js';

/** How the pools are started (tests count and wrap them). */
export interface PoolStarters {
  inspect(threads: number, clips: ClipLoadOptions | null): InspectPool;
  faces(threads: number, kind: FaceBackendKind): FaceRunner;
}

const WORKERS: PoolStarters = {
  inspect: (threads, clips) => new InspectPool(threads, clips),
  faces: (threads, kind) => new FacePool(threads, kind),
};

export class WorkerPools {
  private inspectPool: InspectPool | null = null;
  private facePool: FaceRunner | null = null;

  constructor(
    /** --threads: the most workers a pool runs (a face pool starts on one and widens on its own). */
    private readonly threads: number,
    private readonly clips: ClipLoadOptions | null,
    private readonly start: PoolStarters = WORKERS,
  ) {}

  /** The fingerprint pool, started on first use; the fingerprint stage leaves it open. */
  inspect(): InspectPool {
    this.inspectPool ??= this.start.inspect(this.threads, this.clips);
    return this.inspectPool;
  }

  /**
   * For the analyze stage: the face pool, started on first use at the full --threads (a stage asks
   * for fewer threads when it has few photos; a later cycle may have many), with a close() that
   * leaves it running for the next cycle.
   */
  readonly faces: StartFacePool = (_threads, kind) => {
    this.facePool ??= this.start.faces(this.threads, kind);
    const pool = this.facePool;
    return { runAll: (tasks, onResult, signal) => pool.runAll(tasks, onResult, signal), close: async () => {} };
  };

  async close(): Promise<void> {
    const pools = [this.inspectPool, this.facePool];
    this.inspectPool = null;
    this.facePool = null;
    for (const pool of pools) await pool?.close();
  }
}
