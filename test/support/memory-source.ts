/**
 * An in-memory PhotoSource for stage tests: items given as entries (a key, a version, optional
 * listing metadata), pictures at the paths given (or nowhere), and a record of what was opened
 * and released, so a test can check that a stage holds no picture after it.
 */
import { type ItemEntry, itemVersion, type StoredItem } from '../../src/core/items.js';
import { displayPath } from '../../src/core/paths.js';
import type { ServerFace } from '../../src/core/server-faces.js';
import type { FsPath, PhotoId } from '../../src/core/types.js';
import { type Discovery, type Pass, type Picture, type PhotoSource, SourceError } from '../../src/sources/source.js';

export interface MemoryItem {
  readonly key: string;
  /** The picture's file; null: it cannot be had (open throws a SourceError). */
  readonly file?: FsPath | null;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly entry?: Partial<ItemEntry>;
}

export class MemorySource implements PhotoSource {
  readonly id: string;
  readonly scope: string;
  readonly label = 'memory';
  readonly pixels = 'original';
  readonly retryFailed: boolean;
  readonly metadataFromPicture: boolean;
  /** Keys of the pictures opened and not released yet, and every key opened. */
  readonly held = new Map<string, number>();
  readonly opened: string[] = [];
  serverFaceMap: ReadonlyMap<PhotoId, ServerFace[]> | null = null;

  constructor(
    private readonly items: readonly MemoryItem[],
    options: { readonly id?: string; readonly retryFailed?: boolean; readonly metadataFromPicture?: boolean } = {},
  ) {
    this.id = options.id ?? 'local';
    this.scope = this.id;
    this.retryFailed = options.retryFailed ?? false;
    this.metadataFromPicture = options.metadataFromPicture ?? true;
  }

  async discover(): Promise<Discovery> {
    return {
      entries: this.items.map((i) => ({
        key: i.key,
        version: itemVersion.local(i.size ?? 100, i.mtimeMs ?? 1),
        size: i.size ?? 100,
        mtimeMs: i.mtimeMs ?? 1,
        ...i.entry,
      })),
      problems: [],
    };
  }

  async passes(items: readonly StoredItem[]): Promise<Pass[]> {
    const ids = items.map((i) => i.id);
    return [{ person: null, ids, candidates: new Set(ids), fixedGroups: null }];
  }

  async open(item: StoredItem): Promise<Picture> {
    const key = displayPath(item.key);
    const known = this.items.find((i) => i.key === key);
    const file = known?.file === undefined ? item.key : known.file;
    if (file === null) throw new SourceError('the server answered 404 Not Found');
    this.opened.push(key);
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
    return { path: file, size: item.size, mtimeMs: item.mtimeMs, from: 'file' };
  }

  release(item: StoredItem): void {
    const key = displayPath(item.key);
    const n = (this.held.get(key) ?? 0) - 1;
    if (n <= 0) this.held.delete(key);
    else this.held.set(key, n);
  }

  async settle(): Promise<void> {}

  name(item: StoredItem): string {
    return displayPath(item.key);
  }

  learnNames(): void {}

  link(item: StoredItem): string {
    return displayPath(item.key);
  }

  async serverFaces(): Promise<ReadonlyMap<PhotoId, ServerFace[]> | null> {
    return this.serverFaceMap;
  }

  async close(): Promise<void> {}
}
