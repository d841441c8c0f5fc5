/** The disk cache of Immich pictures: the size cap (least recently used first), pins, hostile names, dry runs. */
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CacheKey, ImmichCache, safeFileName } from '../../src/sources/immich-cache.js';

const KB = 1024;
const key = (n: number): CacheKey => ({
  assetId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  checksum: Buffer.alloc(20, n).toString('base64'),
  kind: 'preview',
});
const bytes = (size: number): Uint8Array => new Uint8Array(size).fill(7);

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('Immich picture cache', () => {
  it('evicts the least recently used pictures to stay under the cap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const cache = await ImmichCache.open(dir, 100 / 1024, { readOnly: false });
    await cache.put(key(1), bytes(40 * KB), 'a.jpg', Date.UTC(2024, 0, 1));
    await cache.put(key(2), bytes(40 * KB), 'b.jpg', Date.UTC(2024, 0, 1));
    await new Promise((r) => setTimeout(r, 5));
    expect(await cache.get(key(1))).not.toBeNull(); // 1 is now more recent than 2
    await cache.put(key(3), bytes(40 * KB), 'c.jpg', Date.UTC(2024, 0, 1));
    expect(await cache.get(key(2))).toBeNull();
    expect(await cache.get(key(1))).toMatch(/a\.jpg$/);
    expect(cache.stats).toMatchObject({ files: 2, bytes: 80 * KB, evicted: 1 });
    expect(allFiles(dir).reduce((n, f) => n + statSync(f).size, 0)).toBe(80 * KB);
    // The file keeps the asset's time; recency lives in the access time.
    expect(statSync((await cache.get(key(1)))!).mtimeMs).toBe(Date.UTC(2024, 0, 1));
  });

  it('never evicts a pinned picture, and trims once it is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const cache = await ImmichCache.open(dir, 50 / 1024, { readOnly: false });
    await cache.put(key(1), bytes(40 * KB), 'a.jpg', 0, { pin: true });
    await cache.put(key(2), bytes(40 * KB), 'b.jpg', 0, { pin: true });
    expect(cache.stats.bytes).toBe(80 * KB);
    cache.unpin(key(1));
    await cache.trim();
    expect(await cache.get(key(1))).toBeNull();
    expect(await cache.get(key(2))).not.toBeNull();
  });

  it('finds what an earlier run cached, keyed by asset and checksum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const first = await ImmichCache.open(dir, 10, { readOnly: false });
    await first.put(key(1), bytes(KB), 'a.jpg', 0);
    const second = await ImmichCache.open(dir, 10, { readOnly: false });
    expect(await second.get(key(1))).toMatch(/a\.jpg$/);
    expect(await second.get({ ...key(1), checksum: Buffer.alloc(20, 99).toString('base64') })).toBeNull();
    expect(await second.get({ ...key(1), kind: 'original' })).toBeNull();
  });

  it('on opening, removes what a killed write left and keeps recency from the last run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const first = await ImmichCache.open(dir, 100 / 1024, { readOnly: false });
    const a = await first.put(key(1), bytes(40 * KB), 'a.jpg', 0);
    await first.put(key(2), bytes(40 * KB), 'b.jpg', 0);
    await new Promise((r) => setTimeout(r, 5));
    await first.get(key(1)); // 1 is now more recent than 2, on disk too (its access time)
    const stray = join(dirname(a), '.a.jpg.tmp-999-1');
    writeFileSync(stray, bytes(10 * KB));
    const second = await ImmichCache.open(dir, 100 / 1024, { readOnly: false });
    expect(existsSync(stray)).toBe(false);
    expect(second.stats).toMatchObject({ files: 2, bytes: 80 * KB });
    await second.put(key(3), bytes(40 * KB), 'c.jpg', 0);
    expect(await second.get(key(2))).toBeNull();
    expect(await second.get(key(1))).toBe(a);
  });

  it('keeps hostile names and ids from the server inside the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const cache = await ImmichCache.open(dir, 10, { readOnly: false });
    const path = await cache.put(key(1), bytes(10), safeFileName('../../../etc/passwd', 'jpg'), 0);
    expect(resolve(path).startsWith(resolve(dir) + sep)).toBe(true);
    await expect(cache.put({ ...key(2), assetId: '../x' }, bytes(10), 'a.jpg', 0)).rejects.toThrow(/not a plain id/);
    expect(safeFileName('..', null)).toBe('photo');
    expect(safeFileName('a\\b\\..\\c.HEIC', 'jpg')).toBe('c.jpg');
    expect(safeFileName('IMG\u0000\n_1.JPG', null)).toBe('IMG_1.JPG');
    expect(safeFileName('.hidden.png', null)).toBe('hidden.png');
    expect(Buffer.byteLength(safeFileName(`${'é'.repeat(200)}.jpg`, null))).toBeLessThanOrEqual(150);
    expect(safeFileName(`${'é'.repeat(200)}.jpg`, null).endsWith('.jpg')).toBe(true);
  });

  it('in a dry run only reads: new pictures go to a private folder that close() removes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cache-'));
    const real = await ImmichCache.open(dir, 10, { readOnly: false });
    await real.put(key(1), bytes(KB), 'a.jpg', 0);
    const dry = await ImmichCache.open(dir, 10, { readOnly: true });
    expect(await dry.get(key(1))).toMatch(/a\.jpg$/);
    const scratch = await dry.put(key(2), bytes(KB), 'b.jpg', 0);
    expect(scratch.startsWith(dir)).toBe(false);
    expect(existsSync(scratch)).toBe(true);
    await dry.close();
    expect(existsSync(scratch)).toBe(false);
    expect(allFiles(dir)).toHaveLength(1);
  });
});
