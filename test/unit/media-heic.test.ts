import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ftypBrands, heifExifTiff } from '../../src/media/bmff.js';
import { MediaError } from '../../src/media/contract.js';
import { loadPhoto } from '../../src/media/load.js';

const run = promisify(execFile);
const FIXTURES = join(import.meta.dirname, '../fixtures');
const heicFixtures = existsSync(join(FIXTURES, 'heic')) ? readdirSync(join(FIXTURES, 'heic')).filter((name) => name.endsWith('.heic')) : [];
const heifEnc = ['/usr/bin/heif-enc', '/usr/local/bin/heif-enc'].find((path) => existsSync(path));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-heic-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Mean absolute difference of two same-size RGB decodes, 0..255. */
function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

describe('HEIC fixtures', () => {
  it.skipIf(heicFixtures.length === 0)('decodes every fixture like its JPEG twin', async () => {
    for (const name of heicFixtures) {
      const { meta, image } = await loadPhoto(join(FIXTURES, 'heic', name), { maxSide: 480 });
      expect(meta.format).toBe('heif');
      expect(Math.max(image.width, image.height)).toBe(480);
      const twin = join(FIXTURES, 'photos', name.replace(/\.heic$/, '.jpg'));
      if (!existsSync(twin)) continue;
      const jpeg = await loadPhoto(twin, { maxSide: 480 });
      expect([meta.width, meta.height]).toEqual([jpeg.meta.width, jpeg.meta.height]);
      expect(meanDifference(image.data, jpeg.image.data)).toBeLessThan(12);
    }
  });

  it.skipIf(heicFixtures.length === 0)('reports a truncated HEIC as a MediaError', async () => {
    const bytes = await readFile(join(FIXTURES, 'heic', heicFixtures[0]!));
    const path = join(dir, 'cut.heic');
    await writeFile(path, bytes.subarray(0, bytes.length >> 1));
    const error = await loadPhoto(path, { maxSide: 480 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toMatch(/truncated|corrupt/);
  });
});

describe('HEIC written by heif-enc', () => {
  // heif-enc (libheif-examples) is optional on developer machines; the fixtures cover decoding.
  it.skipIf(heifEnc === undefined)('reads EXIF that exifr alone would miss (iloc base_offset)', async () => {
    const jpegPath = join(dir, 'source.jpg');
    const heicPath = join(dir, 'encoded.heic');
    await sharp({ create: { width: 96, height: 64, channels: 3, background: '#4080c0' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Apple', Model: 'iPhone 15' },
        IFD2: { DateTimeOriginal: '2024:05:06 07:08:09', OffsetTimeOriginal: '+09:00' },
      })
      .toFile(jpegPath);
    await run(heifEnc!, ['-q', '80', jpegPath, '-o', heicPath]);
    const bytes = await readFile(heicPath);
    expect(ftypBrands(bytes)?.[0]).toBe('heic');
    expect(heifExifTiff(bytes)?.subarray(0, 2).toString()).toMatch(/II|MM/);
    const { meta, image } = await loadPhoto(heicPath, { maxSide: 480 });
    expect(meta).toMatchObject({ format: 'heif', width: 96, height: 64, orientation: 1, make: 'Apple', model: 'iPhone 15' });
    expect(meta.takenAt).toEqual({ wallClockMs: Date.UTC(2024, 4, 6, 7, 8, 9), offsetMinutes: 540, source: 'DateTimeOriginal' });
    expect([image.width, image.height]).toEqual([96, 64]);
  });
});

describe('AVIF', () => {
  it('decodes through sharp and reads its EXIF item', async () => {
    const avif = await sharp({ create: { width: 64, height: 40, channels: 3, background: '#20a040' } })
      .avif()
      .withExif({ IFD0: { Make: 'Google' }, IFD2: { DateTimeOriginal: '2022:01:02 03:04:05' } })
      .toBuffer();
    const path = join(dir, 'photo.avif');
    await writeFile(path, avif);
    const { meta, image } = await loadPhoto(path, { maxSide: 480 });
    expect(meta).toMatchObject({ format: 'heif', width: 64, height: 40, make: 'Google' });
    expect(meta.takenAt?.wallClockMs).toBe(Date.UTC(2022, 0, 2, 3, 4, 5));
    expect(image.data[0]).toBeLessThan(80);
    expect(image.data[1]).toBeGreaterThan(120);
  });
});

describe('heifExifTiff', () => {
  it('returns null for boxes without an Exif item, and for junk', () => {
    expect(heifExifTiff(Buffer.from('\0\0\0\x10ftypheic\0\0\0\0', 'latin1'))).toBeNull();
    expect(heifExifTiff(Buffer.alloc(64, 0xff))).toBeNull();
  });
});
