import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Exif } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factsFromTags, formatExposure, NO_EXIF, parseCaptureTime, readExif } from '../../src/media/exif.js';
import { loadPhoto } from '../../src/media/load.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-exif-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small grey JPEG carrying the given EXIF directories (sharp: IFD0 = image, IFD2 = Exif, IFD3 = GPS). */
async function jpegWithExif(exif: Exif): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 24, channels: 3, background: '#777777' } })
    .jpeg()
    .withExif(exif)
    .toBuffer();
}

const CAMERA: Exif = {
  IFD0: { Make: 'Canon', Model: 'Canon EOS R5' },
  IFD2: {
    DateTimeOriginal: '2023:07:14 15:30:45',
    SubSecTimeOriginal: '123',
    OffsetTimeOriginal: '+02:00',
    ExposureTime: '1/500',
    FNumber: '28/10',
    ISOSpeedRatings: '200',
    FocalLength: '50/1',
    LensModel: 'RF50mm F1.8 STM',
  },
  IFD3: {
    GPSLatitudeRef: 'S',
    GPSLatitude: '33/1 51/1 3540/100',
    GPSLongitudeRef: 'E',
    GPSLongitude: '151/1 12/1 3000/100',
    GPSAltitude: '58/1',
  },
};

describe('readExif', () => {
  it('reads capture time with sub-seconds and offset, camera, exposure and GPS', async () => {
    const facts = await readExif(await jpegWithExif(CAMERA));
    expect(facts.takenAt).toEqual({
      wallClockMs: Date.UTC(2023, 6, 14, 15, 30, 45, 123),
      offsetMinutes: 120,
      source: 'DateTimeOriginal',
    });
    expect(facts).toMatchObject({
      make: 'Canon',
      model: 'Canon EOS R5',
      lens: 'RF50mm F1.8 STM',
      exposureTime: 0.002,
      fNumber: 2.8,
      iso: 200,
      focalLength: 50,
    });
    expect(facts.gps?.latitude).toBeCloseTo(-(33 + 51 / 60 + 35.4 / 3600), 9);
    expect(facts.gps?.longitude).toBeCloseTo(151 + 12 / 60 + 30 / 3600, 9);
    expect(facts.gps?.altitude).toBe(58);
  });

  it('lists the metadata.txt entries in a stable order with readable values', async () => {
    const facts = await readExif(await jpegWithExif(CAMERA));
    expect(facts.exif).toEqual([
      ['Make', 'Canon'],
      ['Model', 'Canon EOS R5'],
      ['LensModel', 'RF50mm F1.8 STM'],
      ['DateTimeOriginal', '2023:07:14 15:30:45'],
      ['OffsetTimeOriginal', '+02:00'],
      ['FNumber', '2.8'],
      ['ExposureTime', '1/500'],
      ['ISO', '200'],
      ['FocalLength', '50'],
      ['GPSLatitude', '-33.859833'],
      ['GPSLongitude', '151.208333'],
    ]);
  });

  it('falls back to CreateDate with its own sub-seconds and offset', async () => {
    const facts = await readExif(
      await jpegWithExif({ IFD2: { DateTimeDigitized: '2019:12:31 23:59:59', SubSecTimeDigitized: '5', OffsetTimeDigitized: '-05:30' } }),
    );
    expect(facts.takenAt).toEqual({ wallClockMs: Date.UTC(2019, 11, 31, 23, 59, 59, 500), offsetMinutes: -330, source: 'CreateDate' });
    expect(facts.exif).toEqual([['CreateDate', '2019:12:31 23:59:59']]);
  });

  it('treats a zeroed DateTimeOriginal as absent', async () => {
    const facts = await readExif(
      await jpegWithExif({ IFD2: { DateTimeOriginal: '0000:00:00 00:00:00', DateTimeDigitized: '2021:03:04 05:06:07' } }),
    );
    expect(facts.takenAt).toEqual({ wallClockMs: Date.UTC(2021, 2, 4, 5, 6, 7), offsetMinutes: null, source: 'CreateDate' });
  });

  it('returns no facts for a JPEG without EXIF', async () => {
    const plain = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    expect(await readExif(plain)).toEqual(NO_EXIF);
  });

  it('survives a broken EXIF block', async () => {
    const jpeg = Buffer.from(await jpegWithExif(CAMERA));
    const tiff = jpeg.indexOf('Exif\0\0') + 6;
    jpeg.writeUInt32LE(0xfffffff0, tiff + 4); // IFD0 offset far outside the file
    expect(await readExif(jpeg)).toEqual(NO_EXIF);
    const path = join(dir, 'broken-exif.jpg');
    await writeFile(path, jpeg);
    const { meta } = await loadPhoto(path, { maxSide: 64 });
    expect(meta).toMatchObject({ format: 'jpeg', width: 32, height: 24, takenAt: null, make: null });
  });

  it('reads EXIF from PNG and from WebP (through the block libvips extracts)', async () => {
    const jpeg = await jpegWithExif(CAMERA);
    for (const format of ['png', 'webp'] as const) {
      const path = join(dir, `exif.${format}`);
      await writeFile(path, await sharp(jpeg).keepExif().toFormat(format).toBuffer());
      const { meta } = await loadPhoto(path, { maxSide: 64 });
      expect(meta.make).toBe('Canon');
      expect(meta.takenAt?.wallClockMs).toBe(Date.UTC(2023, 6, 14, 15, 30, 45, 123));
    }
  });

  it('fills PhotoMetadata through loadPhoto', async () => {
    const path = join(dir, 'camera.jpg');
    await writeFile(path, await jpegWithExif(CAMERA));
    const { meta } = await loadPhoto(path, { maxSide: 64 });
    expect(meta).toMatchObject({ format: 'jpeg', make: 'Canon', iso: 200, takenAt: { offsetMinutes: 120 } });
  });
});

describe('parseCaptureTime', () => {
  const parse = (value: unknown, sub?: unknown, offset?: unknown) => parseCaptureTime(value, sub, offset, 'DateTimeOriginal');

  it('reads the wall clock as if it were UTC', () => {
    expect(parse('2024:02:29 12:00:00')?.wallClockMs).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it.each([
    ['0000:00:00 00:00:00'],
    ['    :  :     :  :  '],
    [''],
    ['2023:02:30 10:00:00'],
    ['2023:13:01 10:00:00'],
    ['2023:01:01 24:00:00'],
    ['yesterday'],
    [20230101],
  ])('rejects %j', (value) => {
    expect(parse(value)).toBeNull();
  });

  it('accepts fractions and offsets written inside the date', () => {
    expect(parse('2023-07-14T15:30:45.25+01:00')).toEqual({
      wallClockMs: Date.UTC(2023, 6, 14, 15, 30, 45, 250),
      offsetMinutes: 60,
      source: 'DateTimeOriginal',
    });
  });

  it('reads sub-second digits of any length and ignores junk', () => {
    expect(parse('2023:07:14 15:30:45', '7')?.wallClockMs).toBe(Date.UTC(2023, 6, 14, 15, 30, 45, 700));
    expect(parse('2023:07:14 15:30:45', '123456')?.wallClockMs).toBe(Date.UTC(2023, 6, 14, 15, 30, 45, 123));
    expect(parse('2023:07:14 15:30:45', '9999')?.wallClockMs).toBe(Date.UTC(2023, 6, 14, 15, 30, 45, 999));
    expect(parse('2023:07:14 15:30:45', 'ab')?.wallClockMs).toBe(Date.UTC(2023, 6, 14, 15, 30, 45));
  });

  it('reads offsets and drops impossible ones', () => {
    expect(parse('2023:07:14 15:30:45', undefined, '+05:45')?.offsetMinutes).toBe(345);
    expect(parse('2023:07:14 15:30:45', undefined, '-0800')?.offsetMinutes).toBe(-480);
    expect(parse('2023:07:14 15:30:45', undefined, '+25:00')?.offsetMinutes).toBeNull();
    expect(parse('2023:07:14 15:30:45', undefined, '   :  ')?.offsetMinutes).toBeNull();
  });
});

describe('factsFromTags', () => {
  it('puts an altitude below sea level below zero and ignores a 0,0 position', () => {
    const base = { GPSLatitude: [10, 30, 0], GPSLatitudeRef: 'N', GPSLongitude: [20, 0, 0], GPSLongitudeRef: 'W' };
    expect(factsFromTags({ ...base, GPSAltitude: 12.5, GPSAltitudeRef: new Uint8Array([1]) }).gps).toEqual({
      latitude: 10.5,
      longitude: -20,
      altitude: -12.5,
    });
    expect(factsFromTags({ ...base, GPSLatitude: [0, 0, 0], GPSLongitude: [0, 0, 0] }).gps).toBeNull();
  });

  it('keeps strings on one line and reads ISO given as a list', () => {
    const facts = factsFromTags({ Make: 'NIKON\0\0\0', Model: ' D850\n', ISO: [400, 0] });
    expect(facts).toMatchObject({ make: 'NIKON', model: 'D850', iso: 400 });
  });
});

describe('formatExposure', () => {
  it.each([
    [0.002, '1/500'],
    [1 / 3, '1/3'],
    [1 / 3200, '1/3200'],
    [0.6, '0.6'],
    [1, '1'],
    [2.5, '2.5'],
    [30, '30'],
  ])('formats %f s as %s', (seconds, text) => {
    expect(formatExposure(seconds)).toBe(text);
  });
});
