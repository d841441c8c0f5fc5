/**
 * Quality stage: the photos that ended up in a group and whose quality was measured on the small
 * grouping decode (marked coarse) are measured again on a QUALITY_SIDE decode, in a worker pool,
 * before they are ranked: slight blur only shows at that size. Only grouped photos pay for the
 * second decode. Results are stored as they arrive (a killed run keeps them; a re-run measures
 * nothing twice). A photo that cannot be measured again keeps its coarse quality, with a note.
 */
import type { Db } from '../../catalog/database.js';
import { noFaceAnalysis, saveFaceAnalyses, type StoredFaceAnalysis } from '../../catalog/faces.js';
import { saveQualities, type StoredItem } from '../../catalog/items.js';
import { prefetch } from '../../core/concurrency.js';
import type { ImageQuality, PhotoId } from '../../core/types.js';
import { type PhotoSource, SourceError } from '../../sources/source.js';
import { InThreadRunner, type PhotoRunner, QualityPool } from '../pool.js';
import measureQuality, { type QualityOutcome } from '../quality-worker.js';
import type { ProgressSink } from '../progress.js';
import { fetchConcurrency } from './fingerprint.js';
import { ranksOnFaces } from './analyze.js';
import type { FoundGroup } from './group.js';

export interface QualityContext {
  readonly db: Db;
  readonly source: PhotoSource;
  readonly threads: number;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
  /** At most this many photos are measured on this thread, more in worker threads (tests set it). */
  readonly inThreadUpTo?: number;
  /**
   * The analyzer whose analyses the face stage will look for, when faces are analyzed here: the
   * members of groups ranked on faces whose decode surely shows no face are stored as analyzed by
   * it, with none.
   */
  readonly faceAnalyzer?: string | null;
}

export interface QualityStageResult {
  /** The groups, their members' quality measured at full size where it was coarse. */
  readonly groups: FoundGroup[];
  readonly measured: number;
  readonly failed: number;
}

/**
 * Where the photos are measured: on this thread, whose share of each photo (~3 ms of JavaScript
 * next to ~9 ms of decoding on libuv's threads) keeps up with the decodes of two threads, and
 * which starts no worker (~0.3 s of CPU and ~20 MB each, on top of what grouping left); in worker
 * threads for more threads than that, unless there are few photos (up to 12 per thread).
 */
const IN_THREAD_MAX_THREADS = 2;
const IN_THREAD_PER_THREAD = 12;

const FLUSH_EVERY = 32;
const FLUSH_MS = 500;

export async function qualityStage(ctx: QualityContext, groups: readonly FoundGroup[]): Promise<QualityStageResult> {
  const { db, source, sink } = ctx;
  const coarse = new Map<PhotoId, StoredItem & { readonly quality: ImageQuality }>();
  for (const g of groups) for (const p of g.members) if (p.quality.coarse === true) coarse.set(p.id, p);
  const faceChecked = new Set(ctx.faceAnalyzer == null ? [] : groups.filter(ranksOnFaces).flatMap((g) => g.members.map((p) => p.id)));
  let noFaces: StoredFaceAnalysis[] = [];
  if (coarse.size === 0) return { groups: [...groups], measured: 0, failed: 0 };
  const measured = new Map<PhotoId, ImageQuality>();
  let batch: { id: PhotoId; quality: ImageQuality }[] = [];
  let lastFlush = Date.now();
  let done = 0;
  let failed = 0;
  const flush = (): void => {
    if (batch.length > 0) saveQualities(db, batch);
    if (noFaces.length > 0) saveFaceAnalyses(db, noFaces);
    batch = [];
    noFaces = [];
    lastFlush = Date.now();
  };
  const problem = (item: StoredItem, message: string): void => {
    failed++;
    sink.note('problem', `${source.name(item)}: ranked on its small copy (${message})`);
  };
  const open = async (item: StoredItem): Promise<{ id: PhotoId; path: StoredItem['key']; faceCheck: boolean } | null> => {
    if (ctx.signal?.aborted === true) return null;
    try {
      return { id: item.id, path: (await source.open(item)).path, faceCheck: faceChecked.has(item.id) };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      problem(item, error.message);
      return null;
    }
  };

  sink.start('quality', coarse.size);
  const pool: PhotoRunner<QualityOutcome> =
    coarse.size <=
    (ctx.inThreadUpTo ?? (ctx.threads <= IN_THREAD_MAX_THREADS ? Number.POSITIVE_INFINITY : IN_THREAD_PER_THREAD * ctx.threads))
      ? new InThreadRunner(ctx.threads, measureQuality, (task) => ({ path: task.path, faceCheck: task.faceCheck === true }))
      : new QualityPool(ctx.threads);
  try {
    await pool.runAll(
      prefetch([...coarse.values()], fetchConcurrency(ctx.threads), open),
      (id, outcome) => {
        const item = coarse.get(id)!;
        source.release(item);
        done++;
        sink.update(done);
        if (!outcome.ok) return problem(item, outcome.message);
        const quality: ImageQuality = { ...outcome.quality, megapixels: item.quality.megapixels };
        measured.set(id, quality);
        batch.push({ id, quality });
        if (outcome.noFace && ctx.faceAnalyzer) noFaces.push({ photoId: id, analysis: noFaceAnalysis(ctx.faceAnalyzer, outcome.noFace) });
        if (batch.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) flush();
      },
      ctx.signal,
    );
  } finally {
    flush();
    await pool.close();
    await source.settle();
    sink.finish();
  }
  const withQuality = groups.map((g) => ({
    ...g,
    members: g.members.map((p) => {
      const quality = measured.get(p.id);
      return quality === undefined ? p : { ...p, quality };
    }),
  }));
  return { groups: withQuality, measured: measured.size, failed };
}
