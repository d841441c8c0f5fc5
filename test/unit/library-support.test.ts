/**
 * Checks the test-support helpers themselves: the fixture photos, the EXIF writer
 * (test/support/exif.ts) and the library generator with its truth (test/support/library.ts).
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import exifr from 'exifr';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatExifDate, hasExif, parseExifDate, stripMetadata, toRational, writeExif } from '../support/exif.js';
import {
  FIXTURE_HEIC,
  FIXTURE_PHOTOS,
  type Library,
  buildLibrary,
  fixtureHeicPath,
  fixturePhotoPath,
  groupsToMap,
  pairwise,
  truthMap,
} from '../support/library.js';

/** The slice of heic-decode's CommonJS API used here (the package ships no types). */
type HeicDecode = (input: { buffer: Buffer }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
const heicDecode = createRequire(import.meta.url)('heic-decode') as HeicDecode;

/** Raw EXIF values (dates as the camera wrote them), or undefined when the file has none. */
async function rawExif(file: string | Buffer): Promise<Record<string, unknown> | undefined> {
  const out = (await exifr.parse(file, { tiff: true, exif: true, gps: true, reviveValues: false, translateValues: false })) as
    | Record<string, unknown>
    | undefined;
  return out;
}

async function walk(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full, base)));
    else out.push(path.relative(base, full).split(path.sep).join('/'));
  }
  return out.sort();
}

/** Mean absolute difference of two RGB images after shrinking both to 64x64. */
async function meanDiff(a: Sharp | Buffer | string, b: Buffer | string): Promise<number> {
  const small = async (x: Sharp | Buffer | string): Promise<Buffer> =>
    (typeof x === 'string' || Buffer.isBuffer(x) ? sharp(x) : x).rotate().resize(64, 64, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  const [pa, pb] = await Promise.all([small(a), small(b)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs((pa[i] ?? 0) - (pb[i] ?? 0));
  return sum / pa.length;
}

describe('fixture photos', () => {
  it('are stripped JPEGs of at most 1024 px', async () => {
    expect(FIXTURE_PHOTOS.length).toBeGreaterThanOrEqual(12);
    for (const name of FIXTURE_PHOTOS) {
      const bytes = await readFile(fixturePhotoPath(name));
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('jpeg');
      expect(Math.max(meta.width, meta.height)).toBeLessThanOrEqual(1024);
      expect(hasExif(bytes), name).toBe(false);
      expect(meta.icc, name).toBeUndefined();
    }
  });

  it('HEIC copies decode with heic-decode to the same size and picture', async () => {
    for (const name of FIXTURE_HEIC) {
      const heic = await heicDecode({ buffer: await readFile(fixtureHeicPath(name)) });
      const jpeg = await sharp(fixturePhotoPath(name)).metadata();
      expect([heic.width, heic.height]).toEqual([jpeg.width, jpeg.height]);
      const rgba = sharp(Buffer.from(heic.data.buffer, heic.data.byteOffset, heic.data.length), {
        raw: { width: heic.width, height: heic.height, channels: 4 },
      });
      expect(await meanDiff(rgba, fixturePhotoPath(name))).toBeLessThan(3);
    }
  });
});

describe('exif helper', () => {
  const plain = (): Promise<Buffer> =>
    sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 90, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer();

  it('writes the capture fields exifr reads back', async () => {
    const jpeg = writeExif(await plain(), {
      make: 'Canon',
      model: 'Canon EOS R6',
      orientation: 6,
      dateTimeOriginal: '2024:05:18 09:12:03',
      subSecTimeOriginal: '35',
      offsetTimeOriginal: '+02:00',
      createDate: '2024:05:18 09:12:03',
      exposureTime: 1 / 250,
      fNumber: 5.6,
      iso: 800,
      focalLength: 105,
      lensModel: 'RF24-105mm F4 L IS USM',
      gps: { latitude: 43.25, longitude: -1.5, altitude: 812 },
    });
    const raw = await rawExif(jpeg);
    expect(raw).toMatchObject({
      Make: 'Canon',
      Model: 'Canon EOS R6',
      Orientation: 6,
      DateTimeOriginal: '2024:05:18 09:12:03',
      CreateDate: '2024:05:18 09:12:03',
      SubSecTimeOriginal: '35',
      OffsetTimeOriginal: '+02:00',
      ExposureTime: 0.004,
      FNumber: 5.6,
      ISO: 800,
      FocalLength: 105,
      LensModel: 'RF24-105mm F4 L IS USM',
      GPSAltitude: 812,
    });
    const gps = await exifr.gps(jpeg);
    expect(gps.latitude).toBeCloseTo(43.25, 6);
    expect(gps.longitude).toBeCloseTo(-1.5, 6);
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
  });

  it('replaces an existing EXIF block and strips every metadata segment', async () => {
    const first = writeExif(await plain(), { make: 'A', dateTimeOriginal: '2020:01:01 00:00:00' });
    const second = writeExif(first, { make: 'B' });
    expect(second.toString('latin1').split('Exif\0\0').length - 1).toBe(1);
    const raw = await rawExif(second);
    expect(raw?.['Make']).toBe('B');
    expect(raw?.['DateTimeOriginal']).toBeUndefined();

    const stripped = stripMetadata(second);
    expect(hasExif(stripped)).toBe(false);
    expect(await rawExif(stripped)).toBeUndefined();
    expect((await sharp(stripped).metadata()).width).toBe(48);
    // sharp's default output carries no EXIF either.
    expect(hasExif(await plain())).toBe(false);
  });

  it('formats and parses EXIF dates, rejects malformed ones', () => {
    const ms = Date.UTC(2009, 0, 1, 0, 4, 10);
    expect(formatExifDate(ms)).toBe('2009:01:01 00:04:10');
    expect(parseExifDate('2009:01:01 00:04:10')).toBe(ms);
    expect(() => writeExif(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2]), { dateTimeOriginal: '2009-01-01 00:04:10' })).toThrow(/YYYY:MM:DD/);
    expect(toRational(1 / 250)).toEqual([1, 250]);
    expect(toRational(5.6)).toEqual([28, 5]);
  });
});

describe('pairwise', () => {
  it('is 1/1 on identical partitions, whatever the labels', () => {
    const truth = new Map<string, string | null>([
      ['a', 'x'],
      ['b', 'x'],
      ['c', 'x'],
      ['d', null],
      ['e', 'y'],
      ['f', 'y'],
    ]);
    const found = groupsToMap([
      ['a', 'b', 'c'],
      ['e', 'f'],
    ]);
    const s = pairwise(truth, found);
    expect([s.precision, s.recall, s.f1]).toEqual([1, 1, 1]);
    expect(s.truePositives).toBe(4);
    expect(s.pairs).toBe(15);
  });

  it('counts a hand-made example right', () => {
    // Truth: {a,b,c,d} and {e,f}, g alone: 6 + 1 = 7 pairs.
    const truth = { a: 'x', b: 'x', c: 'x', d: 'x', e: 'y', f: 'y', g: null };
    // Found: {a,b,c}, {d,e,g}; f missing (alone).
    //   pairs found: ab ac bc (true) + de dg eg (false) -> TP 3, FP 3; missed: ad bd cd ef -> FN 4.
    const found = { a: '1', b: '1', c: '1', d: '2', e: '2', g: '2' };
    const s = pairwise(truth, found);
    expect(s.truePositives).toBe(3);
    expect(s.falsePositives).toBe(3);
    expect(s.falseNegatives).toBe(4);
    expect(s.precision).toBeCloseTo(0.5, 12);
    expect(s.recall).toBeCloseTo(3 / 7, 12);
    expect(s.f1).toBeCloseTo((2 * 0.5 * (3 / 7)) / (0.5 + 3 / 7), 12);
  });

  it('treats an empty result as precise but with no recall', () => {
    const s = pairwise({ a: 'x', b: 'x', c: null }, {});
    expect(s.precision).toBe(1);
    expect(s.recall).toBe(0);
    expect(s.f1).toBe(0);
  });
});

/** Checks a built library against its truth: files, EXIF read back, sizes, cluster shapes. */
async function checkLibrary(lib: Library): Promise<void> {
  // Exactly the planned files, nothing else, under root.
  expect(await walk(lib.root)).toEqual(lib.photos.map((p) => p.relativePath));

  for (const p of lib.photos) {
    const file = path.join(lib.root, p.relativePath);
    const bytes = await readFile(file);
    const raw = await rawExif(bytes);
    if (p.hasExif) {
      expect(raw?.['Make'], p.relativePath).toBeTypeOf('string');
      expect(raw?.['DateTimeOriginal'] ?? null, p.relativePath).toBe(p.takenAt);
      expect(raw?.['SubSecTimeOriginal'] ?? null, p.relativePath).toBe(p.subSec);
      expect(raw?.['OffsetTimeOriginal'] ?? null, p.relativePath).toBe(p.offset);
      expect(raw?.['Orientation'] ?? 1, p.relativePath).toBe(p.orientation);
    } else {
      expect(raw?.['DateTimeOriginal'], p.relativePath).toBeUndefined();
      expect(p.takenAt).toBeNull();
    }
    if (p.format === 'heif') {
      const img = await heicDecode({ buffer: bytes });
      expect([img.width, img.height], p.relativePath).toEqual([p.width, p.height]);
    } else {
      const meta = await sharp(bytes).metadata();
      expect(meta.format, p.relativePath).toBe(p.format);
      expect([meta.autoOrient.width, meta.autoOrient.height], p.relativePath).toEqual([p.width, p.height]);
    }
    expect(Math.round((await stat(file)).mtimeMs / 1000)).toBe(Math.round(p.mtimeMs / 1000));
    if (p.cluster === null) expect(p.kind).toBeNull();
    else expect(p.kind).not.toBeNull();
  }

  for (const c of lib.clusters) expect(c.members.length, c.label).toBeGreaterThanOrEqual(3);
  const self = pairwise(truthMap(lib), truthMap(lib));
  expect([self.precision, self.recall]).toEqual([1, 1]);
}

describe('buildLibrary', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(tmpdir(), 'library-support-'));
  });
  afterAll(async () => {
    if (tmp !== '') await rm(tmp, { recursive: true, force: true });
  });

  it('small: one burst, one duplicate set with a name clash, two look-alikes', async () => {
    const lib = await buildLibrary(path.join(tmp, 'small'), { variant: 'small' });
    expect(lib.photos.length).toBeLessThanOrEqual(20);
    await checkLibrary(lib);
    expect(lib.clusters.map((c) => [c.label, c.kind])).toEqual([
      ['bird-burst', 'burst'],
      ['boats-dup', 'duplicate'],
    ]);
    const boats = lib.clusters.find((c) => c.label === 'boats-dup')?.members ?? [];
    expect(boats.filter((m) => path.posix.basename(m) === 'IMG_0042.JPG')).toHaveLength(2);
    // EXIF present on camera files, absent on the HEIC and the stripped crop.
    const noTime = lib.photos.filter((p) => p.takenAt === null).map((p) => p.relativePath);
    expect(noTime).toEqual(['backup/IMG_0042-crop.jpg', 'phone-export/IMG_0042.HEIC']);
    const burst = lib.photos.filter((p) => p.cluster === 'bird-burst');
    expect(burst.map((p) => p.takenAt)).toEqual([
      '2024:05:18 09:12:03',
      '2024:05:18 09:12:03',
      '2024:05:18 09:12:03',
      '2024:05:18 09:12:04',
      '2024:05:18 09:12:04',
    ]);
    expect(burst.map((p) => p.subSec)).toEqual(['00', '35', '70', '30', '65']);
    expect(lib.photos.filter((p) => p.cluster === null).map((p) => p.scene)).toEqual(['mountains-ridge', 'mountains-peaks']);
    await expect(buildLibrary(path.join(tmp, 'small'), { variant: 'small' })).rejects.toThrow(/not empty/);
  });

  it('full: every case, within the size budget, each fixture photo decoded once', async () => {
    const decoded: string[] = [];
    const lib = await buildLibrary(path.join(tmp, 'full'), { onSceneDecode: (name) => decoded.push(name) });
    expect(lib.photos.length).toBeLessThanOrEqual(80);
    // The build's cost is its decodes: one per scene shown, however many files are cut from it.
    expect(decoded).toHaveLength(new Set(decoded).size);
    expect(new Set(decoded)).toEqual(new Set(lib.photos.map((p) => p.scene)));
    expect(decoded.length).toBeLessThan(lib.photos.length);
    await checkLibrary(lib);

    const kinds = Object.fromEntries(lib.clusters.map((c) => [c.label, c.kind]));
    expect(kinds).toEqual({
      'bird-burst': 'burst',
      'boats-dup': 'duplicate',
      'dandelions-similar': 'similar',
      'dogs-burst-wrong-clock': 'burst',
      'facade-similar': 'similar',
      'fig-dup': 'duplicate',
      'friends-dup': 'duplicate',
      'people-burst': 'burst',
      'stream-bracket': 'burst',
    });
    const byPath = new Map(lib.photos.map((p) => [p.relativePath, p]));
    const photo = (rel: string): NonNullable<ReturnType<typeof byPath.get>> => {
      const p = byPath.get(rel);
      if (p === undefined) throw new Error(`missing ${rel}`);
      return p;
    };
    // A duplicate set with no EXIF at all.
    expect(lib.photos.filter((p) => p.cluster === 'fig-dup').every((p) => !p.hasExif)).toBe(true);
    // Wrong camera clock: years before everything else, stored sideways.
    const dogs = lib.photos.filter((p) => p.cluster === 'dogs-burst-wrong-clock');
    expect(dogs.every((p) => p.takenAt?.startsWith('2009:') === true && p.orientation === 6)).toBe(true);
    const dog = photo('2024/old-camera/DSCN0001.JPG');
    const stored = await sharp(path.join(lib.root, dog.relativePath)).metadata();
    expect([stored.width, stored.height]).toEqual([dog.height, dog.width]);
    // Upright after applying the orientation: close to the scene's centre window (first frame = 1/1.12 of it).
    const scene = await sharp(fixturePhotoPath('dogs-window')).metadata();
    const win = { width: Math.round(scene.width / 1.12), height: Math.round(scene.height / 1.12) };
    const centre = sharp(fixturePhotoPath('dogs-window')).extract({
      left: Math.round((scene.width - win.width) / 2),
      top: Math.round((scene.height - win.height) / 2),
      ...win,
    });
    const upright = await centre.clone().toBuffer();
    const diff = await meanDiff(upright, path.join(lib.root, dog.relativePath));
    expect(diff).toBeLessThan(8);
    expect(await meanDiff(await centre.clone().rotate(180).toBuffer(), path.join(lib.root, dog.relativePath))).toBeGreaterThan(3 * diff);
    // One file upscaled to 2000 px; PNG and HEIC copies present.
    expect(photo('2024/IMG_0042.JPG').width).toBe(2000);
    expect(lib.photos.some((p) => p.format === 'png')).toBe(true);
    expect(lib.photos.filter((p) => p.format === 'heif')).toHaveLength(2);
    // Look-alikes stay apart; the singletons cover both mountains and both flowers.
    const singles = lib.photos.filter((p) => p.cluster === null).map((p) => p.scene);
    expect(singles).toEqual(
      expect.arrayContaining(['mountains-ridge', 'mountains-peaks', 'mountains-dusk', 'flower-orange', 'flower-yellow']),
    );
    // The shot 10 s after the nuthatch burst.
    const after = photo('2024/2024-05-18 Park/IMG_0107.JPG');
    expect(after.cluster).toBeNull();
    expect(parseExifDate(after.takenAt ?? '') - parseExifDate(photo('2024/2024-05-18 Park/IMG_0106.JPG').takenAt ?? '')).toBe(10_000);
  });
});
