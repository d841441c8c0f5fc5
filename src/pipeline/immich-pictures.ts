/**
 * Pictures from Immich: downloads (or finds in the disk cache) the pictures a run needs, a
 * bounded number at once and ahead of use, and feeds them to the fingerprint worker pool. Only
 * assets that the thumbhash prefilter kept, or whose files the output tree needs, get here.
 */
import type { Db } from '../catalog/database.js';
import { saveAssetErrors, saveFingerprints, type StoredAsset } from '../catalog/immich.js';
import type { Fingerprint } from '../core/types.js';
import type { DownloadKind, ImmichClient, PictureKind } from '../immich/client.js';
import { ImmichHttpError } from '../immich/errors.js';
import { type CacheKey, type ImmichCache, safeFileName } from '../sources/immich-cache.js';
import { downloadFirstAvailable, fallbackKinds, type KindCounts, NO_KINDS } from '../sources/immich-fallback.js';
import { localOriginal } from '../sources/immich-library.js';
import { InspectPool } from './pool.js';
import type { ProgressSink } from './progress.js';

export interface PictureContext {
  readonly db: Db;
  readonly client: ImmichClient;
  readonly cache: ImmichCache;
  readonly kind: PictureKind;
  /** --immich-library-path: originals are read from this folder when found there (see sources/immich-library.ts). */
  readonly library: string | null;
  readonly threads: number;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface PictureCounts {
  /** Fingerprints made in this run. */
  readonly fingerprinted: number;
  /** Pictures found in the disk cache instead of downloaded. */
  readonly fromCache: number;
  /** Originals read from --immich-library-path instead of downloaded. */
  readonly fromLibrary: number;
  readonly failed: number;
  /** Pictures downloaded in this run, by what the server had (preview → thumbnail → original). */
  readonly downloadedAs: KindCounts;
}

/** Downloads running at once: enough to hide latency, few enough to be kind to the server. */
export function downloadConcurrency(threads: number): number {
  return Math.min(8, Math.max(2, threads * 2));
}

export function cacheKey(asset: StoredAsset, kind: PictureKind): CacheKey {
  return { assetId: asset.assetId, checksum: asset.checksum, kind };
}

/**
 * The picture of an asset as a file: the original in the local library folder when there is one
 * (read in place, never copied into the cache), else from the cache or downloaded into it,
 * pinned until the caller unpins it (ImmichError on failure).
 */
export async function pictureFile(ctx: Omit<PictureContext, 'db' | 'threads' | 'sink'>, asset: StoredAsset, onFound?: (where: 'cache' | 'library' | DownloadKind) => void): Promise<string> {
  if (ctx.library !== null && ctx.kind === 'original') {
    const local = localOriginal(ctx.library, asset.facts.originalPath, asset.facts.size);
    if (local !== null) {
      onFound?.('library');
      return local;
    }
  }
  const key = cacheKey(asset, ctx.kind);
  const hit = await ctx.cache.get(key, { pin: true });
  if (hit !== null) {
    onFound?.('cache');
    return hit;
  }
  // A picture the server cannot preview is read another way; it is cached under the kind asked
  // for, so pins and later runs find it where they look.
  const { kind, got } = await downloadFirstAvailable(ctx.client, asset.assetId, fallbackKinds(ctx.kind));
  onFound?.(kind);
  const name = safeFileName(asset.facts.fileName, kind === 'preview' || kind === 'thumbnail' ? extensionOf(got.bytes, got.contentType) : null);
  return ctx.cache.put(key, got.bytes, name, asset.facts.modifiedMs, { pin: true });
}

/** Fingerprints `assets` (none of which has a usable one yet). Per-asset failures are stored as data. */
export async function fingerprintAssets(ctx: PictureContext, assets: readonly StoredAsset[]): Promise<PictureCounts> {
  if (assets.length === 0) return { fingerprinted: 0, fromCache: 0, fromLibrary: 0, failed: 0, downloadedAs: NO_KINDS };
  const downloadedAs: Record<DownloadKind, number> = { ...NO_KINDS };
  const byId = new Map(assets.map((a) => [a.id, a]));
  let fromCache = 0;
  let fromLibrary = 0;
  let failed = 0;
  let done = 0;
  let ok: { id: number; pixels: PictureKind; fingerprint: Fingerprint }[] = [];
  let bad: { id: number; message: string }[] = [];
  const flush = (): void => {
    if (ok.length > 0) saveFingerprints(ctx.db, ok);
    if (bad.length > 0) saveAssetErrors(ctx.db, bad);
    ok = [];
    bad = [];
  };
  const fail = (asset: StoredAsset, message: string): void => {
    failed++;
    done++;
    bad.push({ id: asset.id, message });
    ctx.sink.note('problem', `${asset.facts.fileName} (${asset.assetId}): ${message}`);
    ctx.sink.update(done);
  };
  const fetchOne = async (asset: StoredAsset): Promise<{ id: number; path: string } | null> => {
    if (ctx.signal?.aborted === true) return null;
    try {
      // Pinned until fingerprinted: the cap must not evict a picture the pool has yet to read.
      const path = await pictureFile(ctx, asset, (where) => {
        if (where === 'cache') fromCache++;
        else if (where === 'library') fromLibrary++;
        else downloadedAs[where]++;
      });
      return { id: asset.id, path };
    } catch (error) {
      if (error instanceof ImmichHttpError && (error.status === 400 || error.status === 404)) {
        fail(asset, error.message);
        return null;
      }
      throw error;
    }
  };

  ctx.sink.start('inspect', assets.length);
  const pool = new InspectPool(ctx.threads);
  try {
    await pool.runAll(
      prefetch(assets, downloadConcurrency(ctx.threads), fetchOne),
      (id, outcome) => {
        const asset = byId.get(id)!;
        ctx.cache.unpin(cacheKey(asset, ctx.kind));
        if (outcome.ok) {
          const f = outcome.fingerprint;
          // The picture may be a preview: resolution is the original's, as the listing says.
          const mp = asset.facts.width * asset.facts.height;
          const quality = mp > 0 ? { ...f.quality, megapixels: mp / 1e6 } : f.quality;
          ok.push({ id, pixels: ctx.kind, fingerprint: { ...f, quality } });
          done++;
          ctx.sink.update(done);
        } else {
          fail(asset, outcome.message);
        }
        if (ok.length + bad.length >= 32) flush();
      },
      ctx.signal,
    );
  } finally {
    flush();
    await pool.close();
    // Pictures held for the pool may have pushed the cache past its cap.
    await ctx.cache.trim();
    ctx.sink.finish();
  }
  return { fingerprinted: done - failed, fromCache, fromLibrary, failed, downloadedAs };
}

/**
 * Runs `fetch` over `items` with at most `concurrency` in flight, yielding results as they come:
 * the consumer pulls only when it has room, so downloads run ahead of use but never far.
 */
export async function* prefetch<T, R>(items: readonly T[], concurrency: number, fetch: (item: T) => Promise<R | null>): AsyncGenerator<R> {
  type Settled = { readonly i: number; readonly value?: R | null; readonly error?: unknown };
  const running = new Map<number, Promise<Settled>>();
  let next = 0;
  const launch = (): void => {
    const i = next++;
    running.set(
      i,
      fetch(items[i]!).then(
        (value) => ({ i, value }),
        (error: unknown) => ({ i, error }),
      ),
    );
  };
  try {
    while (next < items.length && running.size < concurrency) launch();
    while (running.size > 0) {
      const settled = await Promise.race(running.values());
      running.delete(settled.i);
      if ('error' in settled) throw settled.error;
      if (next < items.length) launch();
      if (settled.value !== null && settled.value !== undefined) yield settled.value;
    }
  } finally {
    // Whatever is still in flight finishes on its own; its results are simply not used.
    await Promise.allSettled(running.values());
  }
}

/** File extension of a downloaded preview, from its bytes (then its Content-Type). */
function extensionOf(bytes: Uint8Array, contentType: string | null): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes.length >= 12 && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
  if (contentType?.includes('webp') === true) return 'webp';
  return 'jpg';
}
