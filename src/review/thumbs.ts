/**
 * The review page's image cache: JPEG thumbnails made on demand (through media/) and kept on
 * disk under the catalog's folder, capped in size, least recently used first out. A file's name
 * is a hash of what it shows (the photo's identity and the variant), so a changed photo never
 * shows a stale picture; recency is the file's mtime, touched on each use, so it survives a
 * restart. Generation is bounded (a few decodes at once) and shared between concurrent asks.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Limiter } from '../core/concurrency.js';
import { LruBudget } from '../core/lru-budget.js';
import { atomicWriteFile, removeTempFiles } from '../output/atomic.js';

/** Default cap: 1 GiB holds grid thumbnails of ~50,000 photos plus a few thousand large views. */
export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024;

interface Entry {
  readonly file: string;
  readonly size: number;
}

export class ThumbnailCache {
  private readonly entries: LruBudget<string, Entry>;
  private readonly pending = new Map<string, Promise<Buffer>>();
  private readonly makers: Limiter;

  private constructor(
    readonly dir: string,
    readonly capBytes: number,
    concurrency: number,
  ) {
    this.makers = new Limiter(concurrency);
    this.entries = new LruBudget(capBytes);
  }

  /** Opens (creating if needed) the cache in `dir`, capped at `capBytes`, making at most `concurrency` images at once. */
  static async open(dir: string, capBytes = DEFAULT_CACHE_BYTES, concurrency = 2): Promise<ThumbnailCache> {
    if (!Number.isInteger(capBytes) || capBytes < 1)
      throw new RangeError(`Expected a positive number of bytes for the cache cap but received ${capBytes}`);
    const cache = new ThumbnailCache(dir, capBytes, Math.max(1, concurrency));
    await mkdir(dir, { recursive: true });
    await cache.scan();
    return cache;
  }

  get stats(): { readonly files: number; readonly bytes: number } {
    return { files: this.entries.files, bytes: this.entries.total };
  }

  /**
   * The image for `identity` (any string naming what it shows), from the disk or made by `make`
   * and stored. Two asks for the same image at once share one `make`.
   */
  async get(identity: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const key = createHash('sha256').update(identity).digest('hex').slice(0, 40);
    const hit = await this.read(key);
    if (hit !== null) return hit;
    const inFlight = this.pending.get(key);
    if (inFlight !== undefined) return inFlight;
    const job = this.makers
      .run(make)
      .then((bytes) => this.store(key, bytes).then(() => bytes))
      .finally(() => this.pending.delete(key));
    this.pending.set(key, job);
    return job;
  }

  private async read(key: string): Promise<Buffer | null> {
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    let bytes: Buffer;
    try {
      bytes = await readFile(entry.file);
    } catch {
      // Removed behind our back: forget it and make it again.
      this.entries.remove(key, entry);
      return null;
    }
    this.entries.touch(key);
    const now = new Date();
    // Recency for the next start; a failure only makes this entry look older than it is.
    await utimes(entry.file, now, now).catch(() => undefined);
    return bytes;
  }

  private async store(key: string, bytes: Buffer): Promise<void> {
    const sub = join(this.dir, key.slice(0, 2));
    await mkdir(sub, { recursive: true });
    const name = `${key}.jpg`;
    await atomicWriteFile(sub, name, bytes);
    this.entries.add(key, { file: join(sub, name), size: bytes.length });
    await this.evict();
  }

  private async evict(): Promise<void> {
    for (const victim of this.entries.evict()) await unlink(victim.file).catch(() => undefined);
  }

  /** Learns what is on disk, oldest use first, and trims to the cap (it may have been lowered). */
  private async scan(): Promise<void> {
    const found: { key: string; file: string; size: number; usedMs: number }[] = [];
    for (const sub of await readdir(this.dir, { withFileTypes: true })) {
      if (!sub.isDirectory() || !/^[0-9a-f]{2}$/.test(sub.name)) continue;
      const subDir = join(this.dir, sub.name);
      await removeTempFiles(subDir);
      for (const name of await readdir(subDir)) {
        const m = /^([0-9a-f]{40})\.jpg$/.exec(name);
        if (m === null) continue;
        const file = join(subDir, name);
        const info = await stat(file).catch(() => null);
        if (info?.isFile() === true) found.push({ key: m[1]!, file, size: info.size, usedMs: info.mtimeMs });
      }
    }
    found.sort((a, b) => a.usedMs - b.usedMs);
    for (const f of found) this.entries.add(f.key, { file: f.file, size: f.size });
    await this.evict();
  }
}
