/**
 * The disk cache of pictures downloaded from Immich (--immich-cache-dir, --immich-cache-size).
 * One folder per asset version — `assets/<asset id>/<kind>-<checksum>/<file name>` — so a changed
 * asset (new checksum) never reads a stale picture, and the file keeps a readable name for the
 * output tree. The size cap is enforced on every write by evicting the least recently used
 * entries (recency = the file's atime, set by us on each use; the mtime stays the asset's).
 * Names and ids come from the server: both are sanitised so nothing is ever written outside.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';

import type { PictureKind } from '../immich/client.js';

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
  lastUsedMs: number;
  pins: number;
}

export interface CacheStats {
  readonly files: number;
  readonly bytes: number;
  readonly capBytes: number;
  /** Entries evicted by this process. */
  readonly evicted: number;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const TEMP_MARK = '.partial-';

export class ImmichCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private evictedCount = 0;

  private constructor(
    readonly root: string,
    readonly capBytes: number,
    /** Dry run: new pictures go to this private folder, which close() deletes; the cache is only read. */
    private readonly overlay: string | null,
  ) {}

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
    return { files: this.entries.size, bytes: this.total, capBytes: this.capBytes, evicted: this.evictedCount };
  }

  /** Path of the cached picture (marked as just used, and pinned when asked), or null when it is not cached. */
  async get(key: CacheKey, options: { readonly pin?: boolean } = {}): Promise<string | null> {
    const entry = this.entries.get(entryKey(key));
    if (!entry) return null;
    const info = await stat(entry.file).catch(() => null);
    if (info === null || info.size !== entry.size) {
      // Deleted or changed behind our back: forget it rather than hand out a wrong file.
      this.forget(entryKey(key), entry);
      return null;
    }
    entry.lastUsedMs = Date.now();
    if (options.pin === true) entry.pins++;
    if (this.overlay === null) await utimes(entry.file, new Date(entry.lastUsedMs), info.mtime).catch(() => {});
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
    const old = this.entries.get(k);
    if (old) this.forget(k, old);
    const base = this.overlay ?? this.root;
    const dir = join(base, 'assets', safeId(key.assetId), `${key.kind}-${checksumKey(key.checksum)}`);
    const file = join(dir, fileName);
    assertInside(base, file);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_MARK}${process.pid}`);
    await writeFile(temp, bytes);
    const mtime = new Date(Number.isFinite(mtimeMs) ? mtimeMs : Date.now());
    await utimes(temp, new Date(), mtime);
    await rename(temp, file);
    const entry: Entry = { dir, file, size: bytes.length, lastUsedMs: Date.now(), pins: (old?.pins ?? 0) + (options.pin === true ? 1 : 0) };
    this.entries.set(k, entry);
    this.total += entry.size;
    await this.evict();
    return file;
  }

  /** Keeps an entry from eviction until unpinned (nested pins count). */
  pin(key: CacheKey): void {
    const entry = this.entries.get(entryKey(key));
    if (entry) entry.pins++;
  }

  unpin(key: CacheKey): void {
    const entry = this.entries.get(entryKey(key));
    if (entry && entry.pins > 0) entry.pins--;
  }

  /** Evicts down to the cap again (after pinned entries were released). */
  async trim(): Promise<void> {
    await this.evict();
  }

  /** Deletes the dry-run overlay, if any. The cache itself needs no closing. */
  async close(): Promise<void> {
    if (this.overlay !== null) await rm(this.overlay, { recursive: true, force: true });
  }

  private evicting: Promise<void> = Promise.resolve();

  /** One eviction at a time: concurrent writes would otherwise pick, and count, the same victims. */
  private evict(): Promise<void> {
    this.evicting = this.evicting.then(() => this.evictNow());
    return this.evicting;
  }

  private async evictNow(): Promise<void> {
    if (this.total <= this.capBytes) return;
    const victims = [...this.entries.entries()].filter(([, e]) => e.pins === 0).sort(([, a], [, b]) => a.lastUsedMs - b.lastUsedMs);
    for (const [k, e] of victims) {
      if (this.total <= this.capBytes) break;
      // Pinned or replaced since the list was made: not a victim any more.
      if (this.entries.get(k) !== e || e.pins > 0) continue;
      // A dry run never deletes from the real cache; its own overlay it may trim.
      if (this.overlay !== null && !e.dir.startsWith(this.overlay + sep)) continue;
      this.forget(k, e);
      this.evictedCount++;
      await rm(e.dir, { recursive: true, force: true });
      await rmdir(join(e.dir, '..')).catch(() => {});
    }
  }

  private forget(k: string, e: Entry): void {
    if (this.entries.get(k) !== e) return;
    this.entries.delete(k);
    this.total -= e.size;
  }

  /** Reads what earlier runs left: one file per entry folder; stray partial files are removed. */
  private async scan(): Promise<void> {
    const assets = join(this.root, 'assets');
    for (const id of await listDir(assets)) {
      if (!SAFE_ID.test(id)) continue;
      for (const version of await listDir(join(assets, id))) {
        const dir = join(assets, id, version);
        const files = await listDir(dir);
        let chosen: { file: string; size: number; atimeMs: number } | null = null;
        for (const name of files) {
          const file = join(dir, name);
          if (name.startsWith(TEMP_MARK)) {
            if (this.overlay === null) await rm(file, { force: true });
            continue;
          }
          const info = await stat(file).catch(() => null);
          if (info?.isFile() !== true) continue;
          if (chosen === null || info.atimeMs > chosen.atimeMs) chosen = { file, size: info.size, atimeMs: info.atimeMs };
        }
        if (chosen === null) continue;
        const sepAt = version.indexOf('-');
        const kind = version.slice(0, sepAt);
        if (kind !== 'preview' && kind !== 'original') continue;
        this.entries.set(`${id}/${version}`, { dir, file: chosen.file, size: chosen.size, lastUsedMs: chosen.atimeMs, pins: 0 });
        this.total += chosen.size;
      }
    }
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
  if (name.startsWith(TEMP_MARK)) name = `_${name}`;
  return name;
}
