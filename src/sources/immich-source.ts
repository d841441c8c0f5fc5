/**
 * An Immich server as a PhotoSource: the library (or an album) listed with EXIF and thumbhashes,
 * each asset an item keyed by its id and versioned by its checksum; pictures (previews, or
 * originals) from a bounded disk cache, downloaded only when missing, or read in place from a
 * local copy of the library (--immich-library-path). Passes and the thumbhash prefilter are in
 * immich-passes.ts.
 */
import { statSync } from 'node:fs';
import { ambiguousTakes, POSTER_CHOICE } from '../core/clip-candidates.js';
import type { MediaType } from '../core/clips.js';
import { assetOf, metadataFromFacts, type StoredAsset } from '../core/immich.js';
import { itemVersion, type PictureKind, type StoredItem } from '../core/items.js';
import type { ServerFace } from '../core/server-faces.js';
import type { PhotoId } from '../core/types.js';
import type { ImmichClient } from '../immich/client.js';
import { ImmichHttpError } from '../immich/errors.js';
import { type ImmichCache, safeFileName } from './immich-cache.js';
import { downloadFirstAvailable, fallbackKinds } from './immich-fallback.js';
import { localOriginal } from './immich-library.js';
import { type PassChoice, passesOf } from './immich-passes.js';
import { listLibrary, serverFaces, smartSearchIds } from './immich.js';
import { type Discovery, type Pass, type PassOptions, type Picture, type PhotoSource, SourceError, type SourceSink } from './source.js';

export interface ImmichSourceOptions {
  readonly pixels: PictureKind;
  /** --immich-library-path: originals are read from this folder when found there. */
  readonly library: string | null;
  readonly album: string | null;
  readonly limit: number;
  /** The key's user (partners' photos are left out: the key cannot change them). */
  readonly ownerId: string;
  /** Archived assets to list anyway: those this tool archived, so re-runs see the same groups. */
  readonly alsoArchived: ReadonlySet<string>;
  /** Ask for the people in each photo (album names and person passes need them). */
  readonly withPeople: boolean;
  readonly smartSearch: string | null;
  readonly useServerFaces: boolean;
  readonly passes: PassChoice;
  /** --media-type: stills, video clips, or both. */
  readonly mediaType: MediaType;
}

export class ImmichSource implements PhotoSource {
  readonly id: string;
  readonly scope: string;
  readonly label: string;
  readonly pixels: PictureKind;
  readonly retryFailed = true;
  readonly metadataFromPicture = false;
  private names = new Map<string, string>();
  /** Clips whose poster cannot decide (core/clip-candidates.ts): their whole clip is read. */
  private keyFrameClips = new Set<PhotoId>();

  constructor(
    readonly client: ImmichClient,
    private readonly cache: ImmichCache,
    private readonly options: ImmichSourceOptions,
  ) {
    this.id = client.baseUrl;
    this.scope = `immich:${client.baseUrl}`;
    const web = client.baseUrl.replace(/\/api$/, '');
    this.label = options.album ? `${web} (album "${options.album}")` : web;
    this.pixels = options.pixels;
  }

  async discover(sink: SourceSink): Promise<Discovery> {
    sink.start('discover', null);
    const listing = await listLibrary(this.client, {
      album: this.options.album,
      limit: this.options.limit,
      ownerId: this.options.ownerId,
      alsoArchived: this.options.alsoArchived,
      withPeople: this.options.withPeople,
      mediaType: this.options.mediaType,
    });
    sink.update(listing.assets.length);
    sink.finish();
    if (listing.skipped > 0)
      sink.note(
        'notice',
        `Left out ${listing.skipped} photos of other users (partners) or in the trash: they cannot be changed with this key.`,
      );
    this.names = displayNames(listing.assets.map((a) => ({ assetId: a.assetId, fileName: a.facts.fileName })));
    const entries = listing.assets.map((a) => ({
      key: a.assetId,
      version: itemVersion.asset(a.checksum),
      size: a.facts.size,
      mtimeMs: a.facts.modifiedMs,
      facts: a.facts,
      meta: metadataFromFacts(a.facts),
    }));
    return { entries, problems: [] };
  }

  async passes(items: readonly StoredItem[], options: PassOptions, sink: SourceSink): Promise<Pass[]> {
    let assets = items.map(assetOf);
    if (this.options.smartSearch !== null) {
      const hits = await smartSearchIds(this.client, this.options.smartSearch);
      assets = assets.filter((a) => hits.has(a.assetId));
      sink.note('notice', `Smart search "${this.options.smartSearch}": ${assets.length} of ${items.length} photos match.`);
    }
    const passes = await passesOf({ client: this.client, choice: this.options.passes, options, sink }, assets);
    // A clip is read whole through the cache, so one that would not fit in it is judged by its poster.
    const size = new Map(assets.map((a) => [a.id, a.facts.size]));
    const wanted = new Set(passes.flatMap((p) => [...p.keyFrames]));
    this.keyFrameClips = new Set([...wanted].filter((id) => this.fits(size.get(id) ?? 0)));
    // A clip once read whole (a second look found it ambiguous) stays so: re-runs reuse its key frames.
    for (const item of items) if (item.pixels === 'original' && item.meta?.format === 'video') this.keyFrameClips.add(item.id);
    const large = wanted.size - this.keyFrameClips.size;
    if (large > 0)
      sink.note(
        'notice',
        `${clips(large)} larger than the cache (--immich-cache-size) judged by ${large === 1 ? 'its poster' : 'their posters'} alone.`,
      );
    if (this.keyFrameClips.size > 0)
      sink.note(
        'notice',
        `${clips(this.keyFrameClips.size)} may be trims of one another: their posters cannot tell, so they are compared on their key frames (each clip downloaded once).`,
      );
    return passes;
  }

  /** Clips judged by their posters that may be takes the posters cannot decide: read whole next. */
  secondLook(items: readonly StoredItem[], options: PassOptions, sink: SourceSink): PhotoId[] {
    const posters = items.filter(
      (i) => i.meta?.video?.choice === POSTER_CHOICE && i.dhash !== null && !this.keyFrameClips.has(i.id) && this.fits(i.size),
    );
    const found = ambiguousTakes(
      posters.map((i) => ({ poster: i.dhash!, takenAtMs: i.meta!.takenAt?.wallClockMs ?? null, durationS: i.meta!.video!.durationS })),
      { threshold: options.threshold, timeWindowS: options.timeWindow },
    ).map((k) => posters[k]!.id);
    for (const id of found) this.keyFrameClips.add(id);
    if (found.length > 0)
      sink.note(
        'notice',
        `${clips(found.length)} may be takes of one scene whose posters cannot tell: compared on their key frames (each clip downloaded once).`,
      );
    return found;
  }

  /** Whether a clip of `bytes` fits in the download cache (one that does not is judged by its poster). */
  private fits(bytes: number): boolean {
    return bytes <= this.cache.stats.capBytes;
  }

  /** The picture an item is fingerprinted from: the run's kind, or the whole clip for an ambiguous one. */
  pixelsOf(id: PhotoId): PictureKind {
    return this.keyFrameClips.has(id) ? 'original' : this.pixels;
  }

  async open(item: StoredItem): Promise<Picture> {
    const asset = assetOf(item);
    const located = await this.locate(asset, this.pixelsOf(item.id));
    const st = statSync(located.path);
    return { ...located, size: st.size, mtimeMs: st.mtimeMs };
  }

  /** The local original, else the cached picture, else a download into the cache (pinned either way). */
  private async locate(asset: StoredAsset, kind: PictureKind): Promise<Omit<Picture, 'size' | 'mtimeMs'>> {
    if (this.options.library !== null && kind === 'original') {
      const local = localOriginal(this.options.library, asset.facts.originalPath, asset.facts.size);
      if (local !== null) return { path: local, from: 'library' };
    }
    const key = { assetId: asset.assetId, checksum: asset.checksum, kind };
    const hit = await this.cache.get(key, { pin: true });
    if (hit !== null) return { path: hit, from: 'cache' };
    try {
      // A picture the server cannot preview is read another way; it is cached under the kind
      // asked for, so pins and later runs find it where they look.
      const { kind: had, got } = await downloadFirstAvailable(this.client, asset.assetId, fallbackKinds(kind));
      const name = safeFileName(asset.facts.fileName, had === 'original' ? null : extensionOf(got.bytes, got.contentType));
      return {
        path: await this.cache.put(key, got.bytes, name, asset.facts.modifiedMs, { pin: true }),
        from: 'download',
        downloaded: had,
      };
    } catch (error) {
      // 400 and 404 concern this asset alone; anything else (401, 5xx after retries) is the server's state.
      if (error instanceof ImmichHttpError && (error.status === 400 || error.status === 404)) throw new SourceError(error.message);
      throw error;
    }
  }

  /**
   * A Live Photo still's motion clip, downloaded (its original) into the cache, unpinned: the tree
   * copies it next to the still at once. Null for other items, or when the server has it no more.
   */
  async companion(item: StoredItem): Promise<Picture | null> {
    const asset = assetOf(item);
    const motionId = asset.facts.livePhotoVideoId;
    if (motionId === undefined) return null;
    // The motion part is versioned with its still: a new motion clip comes with a new still.
    const key = { assetId: motionId, checksum: asset.checksum, kind: 'original' as const };
    let path = await this.cache.get(key);
    let from: Picture['from'] = 'cache';
    if (path === null) {
      try {
        const got = await this.client.download(motionId, 'original');
        const ext = got.contentType?.includes('quicktime') === true ? 'mov' : 'mp4';
        path = await this.cache.put(key, got.bytes, safeFileName(asset.facts.fileName, ext), asset.facts.modifiedMs);
        from = 'download';
      } catch (error) {
        if (error instanceof ImmichHttpError && (error.status === 400 || error.status === 404)) return null;
        throw error;
      }
    }
    const st = statSync(path);
    return { path, size: st.size, mtimeMs: st.mtimeMs, from };
  }

  release(item: StoredItem): void {
    const asset = assetOf(item);
    this.cache.unpin({ assetId: asset.assetId, checksum: asset.checksum, kind: this.pixelsOf(item.id) });
  }

  async settle(): Promise<void> {
    // Pictures held while in use may have pushed the cache past its cap.
    await this.cache.trim();
  }

  name(item: StoredItem): string {
    const asset = assetOf(item);
    return this.names.get(asset.assetId) ?? (asset.facts.fileName || asset.assetId);
  }

  learnNames(items: readonly StoredItem[]): void {
    this.names = displayNames(items.map(assetOf).map((a) => ({ assetId: a.assetId, fileName: a.facts.fileName })));
  }

  /** The name of an asset listed by this run (its id when it was not). */
  nameOfAsset(assetId: string): string {
    return this.names.get(assetId) ?? assetId;
  }

  link(item: StoredItem): string {
    return `${this.client.baseUrl.replace(/\/api$/, '')}/photos/${assetOf(item).assetId}`;
  }

  async serverFaces(items: readonly StoredItem[]): Promise<ReadonlyMap<PhotoId, ServerFace[]> | null> {
    if (!this.options.useServerFaces) return null;
    const assets = items.map(assetOf);
    const faces = await serverFaces(
      this.client,
      assets.map((a) => a.assetId),
    );
    return new Map(assets.map((a) => [a.id, faces.get(a.assetId) ?? []]));
  }

  async close(): Promise<void> {
    await this.client.close();
    await this.cache.close();
  }
}

/** Names for reports and messages: the file name, with the asset id's start where names repeat. */
export function displayNames(assets: readonly { readonly assetId: string; readonly fileName: string }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const a of assets) count.set(a.fileName, (count.get(a.fileName) ?? 0) + 1);
  return new Map(
    assets.map((a) => [a.assetId, count.get(a.fileName)! > 1 ? `${a.fileName} [${a.assetId.slice(0, 8)}]` : a.fileName || a.assetId]),
  );
}

function clips(n: number): string {
  return `${n} clip${n === 1 ? '' : 's'}`;
}

/** File extension of a downloaded preview, from its bytes (then its Content-Type). */
function extensionOf(bytes: Uint8Array, contentType: string | null): string {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes.length >= 12 && Buffer.from(bytes.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'png';
  if (contentType?.includes('webp') === true) return 'webp';
  return 'jpg';
}
