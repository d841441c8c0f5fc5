/**
 * A folder of photo files as a PhotoSource: discovery walks it (sources/local.ts), each file is
 * an item keyed by its path and versioned by size + mtime, and its picture is the file itself.
 */
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ContentIdStore } from '../catalog/content-ids.js';
import type { MediaType } from '../core/clips.js';
import { mapLimit } from '../core/concurrency.js';
import { itemVersion, LOCAL_SOURCE, type StoredItem } from '../core/items.js';
import { displayPath, pathBytes, relativeDisplay } from '../core/paths.js';
import { pathKey } from '../output/plan.js';
import { LivePhotoFolders } from './live-photos.js';
import {
  type DiscoveredFile,
  discoverPhotos,
  hasExtension,
  hasPhotoExtension,
  MOTION_EXTENSIONS,
  PHOTO_EXTENSIONS,
  VIDEO_EXTENSIONS,
} from './local.js';
import type { Discovery, Pass, Picture, PhotoSource, SourceSink } from './source.js';

export interface FolderSourceOptions {
  /** The folder with the photos (absolute). */
  readonly root: string;
  /** The output folder and the catalog file: never walked when they lie inside the folder. */
  readonly output: string;
  readonly catalog: string;
  /** --limit (0 = all). */
  readonly limit: number;
  /** --media-type: which files are items. */
  readonly mediaType: MediaType;
  /** The catalog's Live Photo identifiers: each file read once per version; none, read each run. */
  readonly contentIds?: ContentIdStore;
}

/** The extensions each --media-type lists. */
export function extensionsFor(mediaType: MediaType): readonly string[] {
  if (mediaType === 'image') return PHOTO_EXTENSIONS;
  return mediaType === 'video' ? VIDEO_EXTENSIONS : [...PHOTO_EXTENSIONS, ...VIDEO_EXTENSIONS];
}

export class FolderSource implements PhotoSource {
  readonly id = LOCAL_SOURCE;
  readonly scope = LOCAL_SOURCE;
  readonly pixels = 'original';
  readonly retryFailed = false;
  readonly metadataFromPicture = true;
  readonly label: string;
  /** Live Photo pairs by folder, worked out when first needed. */
  private readonly live: LivePhotoFolders;

  constructor(private readonly options: FolderSourceOptions) {
    this.label = options.root;
    this.live = new LivePhotoFolders(undefined, options.contentIds ?? null);
  }

  async discover(sink: SourceSink): Promise<Discovery> {
    sink.start('discover', null);
    const found = await discoverPhotos(this.options.root, {
      exclude: [this.options.output, dirname(this.options.catalog)],
      limit: this.options.limit,
      extensions: extensionsFor(this.options.mediaType),
      onFound: (n) => sink.update(n),
    });
    sink.finish();
    for (const dir of found.skippedExcluded) sink.note('notice', `Skipped ${dir}: it is the output folder`);
    for (const dir of found.skippedOutputTrees)
      sink.note('notice', `Skipped ${dir}: it is an output folder of an earlier run (it holds .photo-organizer/)`);
    for (const p of found.problems) sink.note('problem', `${p.path}: ${p.message}`);
    const files = await this.withoutLiveMotion(found.files);
    const motion = found.files.length - files.length;
    if (motion > 0)
      sink.note('notice', `${motion} Live Photo video${motion === 1 ? '' : 's'} left out of the clips: each travels with its still`);
    // Grouping goes in path order (byte-wise), whatever order the walk found the files in.
    const entries = files
      .map((f) => ({
        key: f.path,
        bytes: pathBytes(f.path),
        version: itemVersion.local(f.size, f.mtimeMs),
        size: f.size,
        mtimeMs: f.mtimeMs,
      }))
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
      .map(({ bytes: _, ...entry }) => entry);
    return { entries, problems: found.problems };
  }

  /** The files less the motion halves of Live Photos (they are copied with their stills, never items). */
  private async withoutLiveMotion(files: readonly DiscoveredFile[]): Promise<DiscoveredFile[]> {
    const motion = files.filter((f) => hasExtension(f.path, MOTION_EXTENSIONS));
    // One folder at a time: each already reads its files a few at once.
    const paired = await mapLimit(motion, 1, async (f) => (await this.live.pairsNextTo(f.path)).paired.has(pathKey(f.path)));
    const left = new Set(motion.filter((_, i) => paired[i]).map((f) => pathKey(f.path)));
    return files.filter((f) => !left.has(pathKey(f.path)));
  }

  async passes(items: readonly StoredItem[]): Promise<Pass[]> {
    const ids = items.map((i) => i.id);
    return [{ person: null, ids, candidates: new Set(ids), fixedGroups: null }];
  }

  async open(item: StoredItem): Promise<Picture> {
    return { path: item.key, size: item.size, mtimeMs: item.mtimeMs, from: 'file' };
  }

  async companion(item: StoredItem): Promise<Picture | null> {
    if (item.meta?.format === 'video' || !hasPhotoExtension(item.key)) return null;
    const motion = (await this.live.pairsNextTo(item.key)).motionOf.get(pathKey(item.key)) ?? null;
    const st = motion === null ? null : await stat(motion).catch(() => null);
    return motion === null || st === null || !st.isFile() ? null : { path: motion, size: st.size, mtimeMs: st.mtimeMs, from: 'file' };
  }

  release(): void {}

  learnNames(): void {}

  async settle(): Promise<void> {}

  name(item: StoredItem): string {
    return relativeDisplay(this.options.root, item.key);
  }

  link(item: StoredItem): string {
    return displayPath(item.key);
  }

  async serverFaces(): Promise<null> {
    return null;
  }

  async close(): Promise<void> {}
}
