/**
 * Live Photos of a folder source: which MOV/MP4 of a folder is the moving half of which still
 * (core/live-photos.ts decides), from the identifiers the files carry — read once per folder per
 * run, and only where they can matter: clips that have a still to pair with, stills that have a
 * clip of their name, and the other stills only for a clip whose identifier found no still yet.
 * With the catalog's store, an identifier is read once per version (size + mtime) of its file.
 */
import { type Dirent, promises as fs } from 'node:fs';
import type { ContentIdStore } from '../catalog/content-ids.js';
import { mapLimit } from '../core/concurrency.js';
import { awaitsStill, type LiveFile, pairLivePhotos } from '../core/live-photos.js';
import { joinPath, pathBytes, pathFromBytes } from '../core/paths.js';
import type { FsPath } from '../core/types.js';
import { pathKey } from '../output/plan.js';
import { stillContentId } from '../media/load.js';
import { clipContentId } from '../media/video.js';
import { hasExtension, hasPhotoExtension, MOTION_EXTENSIONS, stemKey } from './local.js';

/** A folder's pairs, by path key (pathKey): still → its motion clip, and the set of paired clips. */
export interface FolderPairs {
  readonly motionOf: ReadonlyMap<string, FsPath>;
  readonly paired: ReadonlySet<string>;
}

/** How identifiers are read (tests count the reads). */
export interface IdReaders {
  readonly still: (path: FsPath) => Promise<string | null>;
  readonly motion: (path: FsPath) => Promise<string | null>;
}

const READERS: IdReaders = { still: stillContentId, motion: clipContentId };
/** Files read at once for their identifiers (ffprobe processes, EXIF reads). */
const READ_CONCURRENCY = 4;

export class LivePhotoFolders {
  private readonly folders = new Map<string, Promise<FolderPairs>>();
  private readonly read: IdReaders;

  /** With `store`, each identifier is read once per version of its file, across runs. */
  constructor(read: IdReaders = READERS, store: ContentIdStore | null = null) {
    this.read = store === null ? read : { still: remembered(read.still, store), motion: remembered(read.motion, store) };
  }

  /** The pairs of the folder holding `path` (its parent), worked out on first ask. */
  pairsNextTo(path: FsPath): Promise<FolderPairs> {
    const bytes = pathBytes(path);
    const dir = pathFromBytes(bytes.subarray(0, Math.max(1, bytes.lastIndexOf(0x2f))));
    const key = pathKey(dir);
    let pairs = this.folders.get(key);
    if (pairs === undefined) {
      pairs = this.pairsIn(dir);
      this.folders.set(key, pairs);
    }
    return pairs;
  }

  private async pairsIn(dir: FsPath): Promise<FolderPairs> {
    const entries = await fs.readdir(dir, { withFileTypes: true, encoding: 'buffer' }).catch(() => [] as Dirent<Buffer>[]);
    const files = entries
      .filter((e) => e.name[0] !== 0x2e && (e.isFile() || e.isSymbolicLink()))
      .sort((a, b) => Buffer.compare(a.name, b.name));
    const stillNames = files.filter((e) => hasPhotoExtension(e.name)).map((e) => e.name);
    const motionNames = files.filter((e) => hasExtension(e.name, MOTION_EXTENSIONS)).map((e) => e.name);
    if (stillNames.length === 0 || motionNames.length === 0) return { motionOf: new Map(), paired: new Set() };
    const withId = async (name: Buffer, reader: (path: FsPath) => Promise<string | null>): Promise<LiveFile<FsPath>> => {
      const path = joinPath(dir, pathFromBytes(name));
      return { key: path, stem: stemKey(name), contentId: await reader(path) };
    };
    const motions = await mapLimit(motionNames, READ_CONCURRENCY, (n) => withId(n, this.read.motion));
    const named = new Set(motions.map((m) => m.stem));
    const [first, rest] = [stillNames.filter((n) => named.has(stemKey(n))), stillNames.filter((n) => !named.has(stemKey(n)))];
    const stills = await mapLimit(first, READ_CONCURRENCY, (n) => withId(n, this.read.still));
    // A clip renamed by an export has an identifier but no still of its name: the others are read for it.
    if (motions.some((m) => awaitsStill(m, stills)))
      stills.push(...(await mapLimit(rest, READ_CONCURRENCY, (n) => withId(n, this.read.still))));
    const pairs = pairLivePhotos(stills, motions);
    return {
      motionOf: new Map([...pairs].map(([motion, still]) => [pathKey(still), motion])),
      paired: new Set([...pairs.keys()].map(pathKey)),
    };
  }
}

/** `read` asked only for a file whose size and mtime the store holds no identifier for. */
function remembered(read: (path: FsPath) => Promise<string | null>, store: ContentIdStore): (path: FsPath) => Promise<string | null> {
  return async (path) => {
    const st = await fs.stat(path).catch(() => null);
    if (st === null) return read(path);
    const stamp = { size: st.size, mtimeMs: st.mtimeMs };
    const known = store.get(path, stamp);
    if (known !== undefined) return known;
    const contentId = await read(path);
    store.put(path, stamp, contentId);
    return contentId;
  };
}
