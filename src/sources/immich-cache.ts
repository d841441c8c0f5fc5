/**
 * The disk cache of pictures downloaded from Immich (--immich-cache-dir, --immich-cache-size).
 * One folder per asset version — `assets/<asset id>/<kind>-<checksum>/<file name>` — so a changed
 * asset (new checksum) never reads a stale picture, and the file keeps a readable name for the
 * output tree. The size cap is enforced on every write by evicting the least recently used
 * entries (core/lru-budget.ts; recency = the file's atime, set by us on each use, so it survives a
 * restart; the mtime stays the asset's). Files are written atomically (output/atomic.ts).
 * Names and ids come from the server: both are sanitised so nothing is ever written outside.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, rm, rmdir, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

import { LruBudget } from '../core/lru-budget.js';
import type { PictureKind } from '../immich/client.js';
import { atomicWriteFile, isTempName, removeTempFiles } from '../output/atomic.js';

export type { PictureKind };

export interface CacheKey {
  readonly assetId: string;
  /** The asset's checksum as the server gives it (base64 SHA-1). */
  readonly checksum: string;
  readonly kind: PictureKind;
}

interface Entry {
  readonly dir: string;
  readonly file: string;
  readonly size: number;
}

export interface CacheStats {
  readonly files: number;
  readonly bytes: number;
  readonly capBytes: number;
  /** Entries evicted by this process. */
  readonly evicted: number;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class ImmichCache {
  private readonly entries: LruBudget<string, Entry>;
  private evictedCount = 0;

  private constructor(
    readonly root: string,
    readonly capBytes: number,
    /** Dry run: new pictures go to this private folder, which close() deletes; the cache is only read. */
    private readonly overlay: string | null,
  ) {
    this.entries = new LruBudget(capBytes);
  }

  /** Opens (creating if needed) the cache under `dir`, capped at `capMb` MiB. */
  static async open(dir: string, capMb: number, options: { readonly readOnly: boolean }): Promise<ImmichCache> {
    const root = resolve(dir);
    const overlay = options.readOnly ? mkdtempSync(join(tmpdir(), 'photo-organizer-dry-run-')) : null;
    const cache = new ImmichCache(root, Math.round(capMb * 1024 * 1024), overlay);
    if (!options.readOnly) await mkdir(join(root, 'assets'), { recursive: true });
    await cache.scan();
    return cache;
  }

  get stats(): CacheStats {
    return { files: this.entries.files, bytes: this.entries.total, capBytes: this.capBytes, evicted: this.evictedCount };
  }

  /** Path of the cached picture (marked as just used, and pinned when asked), or null when it is not cached. */
  async get(key: CacheKey, options: { readonly pin?: boolean } = {}): Promise<string | null> {
    const k = entryKey(key);
    const entry = this.entries.get(k);
    if (!entry) return null;
    const info = await stat(entry.file).catch(() => null);
    if (info === null || info.size !== entry.size) {
      // Deleted or changed behind our back: forget it rather than hand out a wrong file.
      this.entries.remove(k, entry);
      return null;
    }
    this.entries.touch(k, options);
    if (this.overlay === null) await utimes(entry.file, new Date(), info.mtime).catch(() => {});
    return entry.file;
  }

  /**
   * Stores a picture under a name derived from the asset's file name (sanitised), with the
   * asset's modification time, then evicts least recently used entries above the cap. Returns
   * the file's path. Pinned entries (in use by this run) are never evicted; `pin` pins the new
   * one before any eviction, so it cannot be the victim of its own write.
   */
  async put(
    key: CacheKey,
    bytes: Uint8Array,
    fileName: string,
    mtimeMs: number,
    options: { readonly pin?: boolean } = {},
  ): Promise<string> {
    const k = entryKey(key);
    const base = this.overlay ?? this.root;
    const dir = join(base, 'assets', safeId(key.assetId), `${key.kind}-${checksumKey(key.checksum)}`);
    const file = join(dir, fileName);
    assertInside(base, file);
    await mkdir(dir, { recursive: true });
    await atomicWriteFile(dir, fileName, bytes, { mtimeMs: Number.isFinite(mtimeMs) ? mtimeMs : Date.now() });
    this.entries.add(k, { dir, file, size: bytes.length }, options);
    await this.evict();
    return file;
  }

  /** Keeps an entry from eviction until unpinned (nested pins count). */
  pin(key: CacheKey): void {
    this.entries.pin(entryKey(key));
  }

  unpin(key: CacheKey): void {
    this.entries.unpin(entryKey(key));
  }

  /** Evicts down to the cap again (after pinned entries were released). */
  async trim(): Promise<void> {
    await this.evict();
  }

  /** Deletes the dry-run overlay, if any. The cache itself needs no closing. */
  async close(): Promise<void> {
    if (this.overlay !== null) await rm(this.overlay, { recursive: true, force: true });
  }

  private async evict(): Promise<void> {
    // A dry run never deletes from the real cache; its own overlay it may trim.
    const victims = this.entries.evict((e) => this.overlay === null || e.dir.startsWith(this.overlay + sep));
    this.evictedCount += victims.length;
    for (const e of victims) {
      await rm(e.dir, { recursive: true, force: true });
      await rmdir(join(e.dir, '..')).catch(() => {});
    }
  }

  /** Reads what earlier runs left, oldest use first: one file per entry folder; stray temp files are removed. */
  private async scan(): Promise<void> {
    const assets = join(this.root, 'assets');
    const found: { key: string; entry: Entry; atimeMs: number }[] = [];
    for (const id of await listDir(assets)) {
      if (!SAFE_ID.test(id)) continue;
      for (const version of await listDir(join(assets, id))) {
        const kind = version.slice(0, version.indexOf('-'));
        if (kind !== 'preview' && kind !== 'original') continue;
        const dir = join(assets, id, version);
        if (this.overlay === null) await removeTempFiles(dir).catch(() => 0);
        let chosen: { file: string; size: number; atimeMs: number } | null = null;
        for (const name of await listDir(dir)) {
          if (isTempName(name)) continue;
          const file = join(dir, name);
          const info = await stat(file).catch(() => null);
          if (info?.isFile() !== true) continue;
          if (chosen === null || info.atimeMs > chosen.atimeMs) chosen = { file, size: info.size, atimeMs: info.atimeMs };
        }
        if (chosen !== null)
          found.push({ key: `${id}/${version}`, entry: { dir, file: chosen.file, size: chosen.size }, atimeMs: chosen.atimeMs });
      }
    }
    found.sort((a, b) => a.atimeMs - b.atimeMs);
    for (const f of found) this.entries.add(f.key, f.entry);
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

function entryKey(key: CacheKey): string {
  return `${safeId(key.assetId)}/${key.kind}-${checksumKey(key.checksum)}`;
}

/** The asset id as a folder name; anything but a plain id is refused. */
function safeId(id: string): string {
  if (!SAFE_ID.test(id)) throw new RangeError(`Refusing to cache an asset with the id "${id.slice(0, 80)}": not a plain id`);
  return id;
}

/** The checksum as hex (base64 SHA-1 → 40 hex digits); anything else is hashed. */
function checksumKey(checksum: string): string {
  if (/^[A-Za-z0-9+/]{27}=$/.test(checksum)) return Buffer.from(checksum, 'base64').toString('hex');
  return createHash('sha256').update(checksum).digest('hex').slice(0, 40);
}

function assertInside(base: string, file: string): void {
  const resolved = resolve(file);
  if (!resolved.startsWith(resolve(base) + sep)) throw new RangeError(`Refusing to write outside the cache: ${resolved}`);
}

/**
 * A file name from the server's `originalFileName`, safe as one path segment: the last segment
 * of any path in it, no control characters, no leading dot, at most 150 bytes, never `.`/`..`.
 * `extension` (without the dot) replaces the original's when the bytes are not the original's
 * (a preview JPEG of a HEIC file is named `IMG_0042.jpg`).
 */
export function safeFileName(originalFileName: string, extension: string | null): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
  let name = (originalFileName.split(/[/\\]/).pop() ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim();
  name = name.replace(/^\.+/, '');
  if (extension !== null) {
    const dot = name.lastIndexOf('.');
    const stem = dot > 0 ? name.slice(0, dot) : name;
    name = `${stem || 'photo'}.${extension}`;
  }
  if (name === '' || name === '.' || name === '..') name = extension !== null ? `photo.${extension}` : 'photo';
  while (Buffer.byteLength(name) > 150) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 && name.length - dot <= 10 ? name.slice(dot) : '';
    name = name.slice(0, Math.max(1, name.length - ext.length - 1)) + ext;
  }
  return name;
}
