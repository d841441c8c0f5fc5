/**
 * Fingerprint stage: every candidate item without a fingerprint of the source's picture goes
 * through the worker pool — its picture opened by the source (a file read in place, or a cached
 * or downloaded Immich picture, fetched a few at once ahead of the pool) — and results are stored
 * in small transactions as they arrive, so a killed run keeps nearly all finished work. A picture
 * that cannot be had or read is a per-item error, stored and reported.
 */
import type { Db } from '../../catalog/database.js';
import { forgetFaceAnalyses, noFaceAnalysis, saveFaceAnalyses, type StoredFaceAnalysis } from '../../catalog/faces.js';
import { type FingerprintedItem, loadItems, pendingItems, saveErrors, saveFingerprints, type StoredItem } from '../../catalog/items.js';
import { isClipName } from '../../core/clips.js';
import { posterVideo } from '../../core/clip-candidates.js';
import { displayPath } from '../../core/paths.js';
import type { PictureKind } from '../../core/items.js';
import type { Fingerprint, PhotoId, PhotoMetadata } from '../../core/types.js';
import { type ClipLoadOptions, clipChoice } from '../../media/clip.js';
import { type KindCounts, NO_KINDS } from '../../sources/immich-fallback.js';
import { type PhotoSource, SourceError } from '../../sources/source.js';
import { mapLimit, prefetch } from '../../core/concurrency.js';
import { burstFrames } from '../../core/bursts.js';
import { jpegCaptureTimes } from '../../media/load.js';
import { InspectPool } from '../pool.js';
import { mixedCount, type ProgressSink } from '../progress.js';

export interface FingerprintCounts {
  /** Fingerprints made now. */
  readonly fingerprinted: number;
  readonly failed: number;
  /** Candidates whose fingerprint came from the catalog. */
  readonly cached: number;
  /** Pictures found in a download cache, and read from a local copy of a library. */
  readonly fromCache: number;
  readonly fromLibrary: number;
  /** Pictures downloaded, by what the server had (preview → thumbnail → original). */
  readonly downloadedAs: KindCounts;
  /** Server clips downloaded whole to compare their key frames (posters could not decide), not counted above. */
  readonly wholeClips: number;
}

export interface FingerprintContext {
  readonly db: Db;
  readonly source: PhotoSource;
  readonly threads: number;
  /** How clips are fingerprinted (--media-type video or all); null or absent: photos only. */
  readonly clips?: ClipLoadOptions | null;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
  /** A pool kept between runs (--watch, pipeline/shared-pools.ts), left open; absent: the stage starts and ends its own. */
  readonly pool?: InspectPool;
  /**
   * The analyzer whose analyses the face stage will look for, when faces are analyzed here: burst
   * frames whose ranking decode surely shows no face are stored as analyzed by it, with none.
   */
  readonly faceAnalyzer?: string | null;
}

const FLUSH_EVERY = 32;
const FLUSH_MS = 500;

/**
 * The pending photos shot as bursts (core/bursts.ts), by their listed capture times or, where the
 * picture is the item's own file, by the time in its EXIF read before any decode.
 */
async function likelyRanked(source: PhotoSource, pending: readonly StoredItem[]): Promise<Set<PhotoId>> {
  const peek = jpegCaptureTimes();
  const times = await mapLimit(pending, PEEK_CONCURRENCY, async (item) => {
    const listed = item.meta?.takenAt?.wallClockMs;
    if (listed !== undefined || !source.metadataFromPicture) return listed ?? null;
    let path: StoredItem['key'];
    try {
      path = (await source.open(item)).path;
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      return null;
    }
    try {
      return await peek(path);
    } finally {
      source.release(item);
    }
  });
  const frames = burstFrames(times);
  return new Set(pending.filter((_, i) => frames[i]).map((item) => item.id));
}

/** Files whose first bytes are read at once for their capture times: enough to hide the disk. */
const PEEK_CONCURRENCY = 8;

/** Pictures fetched at once ahead of the pool: enough to hide a server's latency, kind to it too. */
export function fetchConcurrency(threads: number): number {
  return Math.min(8, Math.max(2, threads * 2));
}

/** The candidates this stage would fingerprint (new, changed, failed ones it retries), in the order given. */
export function pendingFingerprints(ctx: Pick<FingerprintContext, 'db' | 'source' | 'clips'>, candidates: readonly PhotoId[]): PhotoId[] {
  return pendingItems(ctx.db, candidates, pixelsFor(ctx.source), ctx.source.retryFailed, ctx.clips == null ? null : clipChoice(ctx.clips));
}

/** Which picture of each item the source fingerprints (some Immich clips are read whole, others by their poster). */
function pixelsFor(source: PhotoSource): (id: PhotoId) => PictureKind {
  return (id) => source.pixelsOf?.(id) ?? source.pixels;
}

export async function fingerprintStage(ctx: FingerprintContext, candidates: readonly PhotoId[]): Promise<FingerprintCounts> {
  const { db, source, sink } = ctx;
  const pixelsOf = pixelsFor(source);
  const pending = loadItems(db, pendingFingerprints(ctx, candidates));
  const cached = candidates.length - pending.length;
  if (pending.length === 0)
    return { fingerprinted: 0, failed: 0, cached, fromCache: 0, fromLibrary: 0, downloadedAs: NO_KINDS, wholeClips: 0 };
  const downloadedAs = { ...NO_KINDS };
  const byId = new Map<PhotoId, StoredItem>(pending.map((i) => [i.id, i]));
  let ok: FingerprintedItem[] = [];
  let noFaces: StoredFaceAnalysis[] = [];
  let bad: { id: PhotoId; stage: string; message: string }[] = [];
  let lastFlush = Date.now();
  let done = 0;
  let failed = 0;
  let fromCache = 0;
  let fromLibrary = 0;
  let wholeClips = 0;
  const flush = (): void => {
    if (ok.length > 0) saveFingerprints(db, ok);
    // A clip's faces were looked for on its former key frames.
    const clips = ok.filter((o) => o.meta?.format === 'video').map((o) => o.id);
    if (clips.length > 0) forgetFaceAnalyses(db, clips);
    // After their fingerprints: an analysis is of the item's version as saved.
    if (noFaces.length > 0) saveFaceAnalyses(db, noFaces);
    noFaces = [];
    if (bad.length > 0) saveErrors(db, bad);
    ok = [];
    bad = [];
    lastFlush = Date.now();
  };
  const fail = (item: StoredItem, stage: string, message: string): void => {
    failed++;
    done++;
    bad.push({ id: item.id, stage, message });
    sink.note('problem', `${source.name(item)}: ${message}`);
    sink.update(done);
  };
  const open = async (item: StoredItem): Promise<{ id: PhotoId; path: StoredItem['key'] } | null> => {
    if (ctx.signal?.aborted === true) return null;
    try {
      // Held until fingerprinted: a cache cap must not evict a picture the pool has yet to read.
      const picture = await source.open(item);
      if (picture.from === 'cache') fromCache++;
      if (picture.from === 'library') fromLibrary++;
      if (picture.downloaded !== undefined && pixelsOf(item.id) !== source.pixels) wholeClips++;
      else if (picture.downloaded !== undefined) downloadedAs[picture.downloaded]++;
      return { id: item.id, path: picture.path };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      fail(item, 'fingerprint', error.message);
      return null;
    }
  };

  const forRanking = await likelyRanked(source, pending);
  const clips = ctx.clips == null ? 0 : pending.filter(looksLikeClip).length;
  sink.start('inspect', pending.length, mixedCount(pending.length - clips, clips));
  const pool = ctx.pool ?? new InspectPool(ctx.threads, ctx.clips ?? null);
  try {
    await pool.runAll(
      prefetch(pending, fetchConcurrency(ctx.threads), async (item) => {
        const task = await open(item);
        const ranked = forRanking.has(item.id);
        return task === null ? null : { ...task, forRanking: ranked, faceCheck: ranked && ctx.faceAnalyzer != null };
      }),
      (id, outcome) => {
        const item = byId.get(id)!;
        source.release(item);
        if (!outcome.ok) {
          fail(item, outcome.stage, outcome.message);
        } else {
          // A preview's own size and EXIF are not the photo's: the listing's metadata stays.
          const listed = source.metadataFromPicture ? null : item.meta;
          const mp = listed === null ? 0 : listed.width * listed.height;
          const f = outcome.fingerprint;
          const fingerprint = mp > 0 ? { ...f, quality: { ...f.quality, megapixels: mp / 1e6 } } : f;
          ok.push({ id, pixels: pixelsOf(id), meta: listed === null ? outcome.meta : listedClipMeta(item, outcome.meta, f), fingerprint });
          if (outcome.noFace && ctx.faceAnalyzer) noFaces.push({ photoId: id, analysis: noFaceAnalysis(ctx.faceAnalyzer, outcome.noFace) });
          done++;
          sink.update(done);
        }
        if (ok.length + bad.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) flush();
      },
      ctx.signal,
    );
  } finally {
    flush();
    if (ctx.pool === undefined) await pool.close();
    await source.settle();
    sink.finish();
  }
  return { fingerprinted: done - failed, failed, cached, fromCache, fromLibrary, downloadedAs, wholeClips };
}

/** The counts of two fingerprint passes over different items (a second look), added up. */
export function addCounts(a: FingerprintCounts, b: FingerprintCounts): FingerprintCounts {
  const kinds = { ...a.downloadedAs };
  for (const k of Object.keys(kinds) as (keyof KindCounts)[]) kinds[k] += b.downloadedAs[k];
  return {
    fingerprinted: a.fingerprinted + b.fingerprinted,
    failed: a.failed + b.failed,
    cached: a.cached,
    fromCache: a.fromCache + b.fromCache,
    fromLibrary: a.fromLibrary + b.fromLibrary,
    downloadedAs: kinds,
    wholeClips: a.wholeClips + b.wholeClips,
  };
}

/**
 * A listed clip's metadata with what its picture showed — its key frames when the whole clip was
 * read, else its poster (a server's preview) as its one frame; null for a still (the listing's
 * metadata stays as it is).
 */
function listedClipMeta(item: StoredItem, read: PhotoMetadata, f: Fingerprint): PhotoMetadata | null {
  const listed = item.meta;
  if (listed === null || listed.format !== 'video') return null;
  if (read.video !== undefined) return { ...listed, video: read.video };
  return { ...listed, video: posterVideo(item.facts?.durationS ?? 0, f.dhash, f.quality) };
}

/** Whether an item not yet fingerprinted is a clip, as far as its name (or the server's type) tells. */
function looksLikeClip(item: StoredItem): boolean {
  if (item.meta !== null) return item.meta.format === 'video';
  if (item.facts !== null) return item.facts.mime?.startsWith('video/') === true || isClipName(item.facts.fileName);
  return isClipName(displayPath(item.key));
}
