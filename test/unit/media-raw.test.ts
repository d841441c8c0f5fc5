import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/media/contract.js';
import { decodeEncoded } from '../../src/media/decode.js';
import { loadPhoto } from '../../src/media/load.js';
import { inspectRawTiff, jpegAt } from '../../src/media/raw.js';
import { readTiff } from '../../src/media/tiff.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'media-raw-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// ---- A minimal little-endian TIFF writer for hand-built RAW-like files ----

/** An entry value: a number (SHORT/LONG, inline), or a reference resolved at layout time. */
type Value = number | { blob: number } | { blobLength: number } | { ifd: number } | { ascii: string };
interface Entry {
  readonly tag: number;
  readonly type: 3 | 4;
  readonly value: Value;
}

/**
 * Lays out header (plus `afterHeader`, as CR2 has), IFDs (IFD i at index i, none chained) and
 * blobs, in that order. ASCII values become extra blobs.
 */
function buildTiff(ifds: Entry[][], blobs: Uint8Array[], options: { magic?: number; afterHeader?: Buffer } = {}): Buffer {
  const extra = options.afterHeader ?? Buffer.alloc(0);
  const allBlobs = [...blobs];
  const asciiBlob = new Map<Entry, number>();
  for (const entries of ifds) {
    for (const e of entries) {
      if (typeof e.value === 'object' && 'ascii' in e.value) {
        asciiBlob.set(e, allBlobs.length);
        allBlobs.push(Buffer.from(`${e.value.ascii}\0`, 'latin1'));
      }
    }
  }
  const ifdOffsets: number[] = [];
  let p = 8 + extra.length;
  for (const entries of ifds) {
    ifdOffsets.push(p);
    p += 2 + entries.length * 12 + 4;
  }
  const blobOffsets: number[] = [];
  for (const blob of allBlobs) {
    blobOffsets.push(p);
    p += blob.length + (blob.length % 2); // word-align like real writers
  }
  const out = Buffer.alloc(p);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(options.magic ?? 42, 2);
  out.writeUInt32LE(8 + extra.length, 4);
  out.set(extra, 8);
  ifds.forEach((entries, i) => {
    let q = ifdOffsets[i]!;
    out.writeUInt16LE(entries.length, q);
    q += 2;
    for (const e of [...entries].sort((a, b) => a.tag - b.tag)) {
      const v = e.value;
      const ascii = asciiBlob.get(e);
      out.writeUInt16LE(e.tag, q);
      out.writeUInt16LE(ascii === undefined ? e.type : 2, q + 2);
      out.writeUInt32LE(ascii === undefined ? 1 : allBlobs[ascii]!.length, q + 4);
      const resolved =
        ascii !== undefined
          ? blobOffsets[ascii]!
          : typeof v === 'number'
            ? v
            : 'blob' in v
              ? blobOffsets[v.blob]!
              : 'blobLength' in v
                ? allBlobs[v.blobLength]!.length
                : 'ifd' in v
                  ? ifdOffsets[v.ifd]!
                  : 0;
      if (e.type === 3 && ascii === undefined) out.writeUInt16LE(resolved, q + 8);
      else out.writeUInt32LE(resolved, q + 8);
      q += 12;
    }
    out.writeUInt32LE(0, q);
  });
  allBlobs.forEach((blob, i) => {
    out.set(blob, blobOffsets[i]!);
  });
  return out;
}

const S = (tag: number, value: Value): Entry => ({ tag, type: 3, value });
const L = (tag: number, value: Value): Entry => ({ tag, type: 4, value });

/** RGB pixels: left half black, right half white. */
function halves(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) data.fill(255, (y * width + width / 2) * 3, (y * width + width) * 3);
  return data;
}

async function jpeg(width: number, height: number): Promise<Buffer> {
  return sharp(halves(width, height), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

/**
 * A DNG-like file: IFD0 (Make, Orientation, a small 0x201 thumbnail, a SubIFD pointer and a tiny
 * CFA strip, as NEFs and DNGs have) and a SubIFD whose JPEG-compressed strip is the full preview.
 */
async function dngLike(orientation: number): Promise<Buffer> {
  const thumb = await jpeg(40, 30);
  const preview = await jpeg(400, 300);
  const rawStrip = Buffer.alloc(64, 0x55);
  return buildTiff(
    [
      [
        L(0xfe, 1),
        S(0x100, 8),
        S(0x101, 8),
        S(0x103, 1),
        S(0x106, 32803),
        L(0x10f, { ascii: 'TestCam' }),
        L(0x111, { blob: 2 }),
        S(0x112, orientation),
        L(0x117, { blobLength: 2 }),
        L(0x14a, { ifd: 1 }),
        L(0x201, { blob: 0 }),
        L(0x202, { blobLength: 0 }),
      ],
      [L(0xfe, 0), S(0x100, 400), S(0x101, 300), S(0x103, 7), S(0x106, 6), L(0x111, { blob: 1 }), L(0x117, { blobLength: 1 })],
    ],
    [thumb, preview, rawStrip],
  );
}

async function load(name: string, bytes: Uint8Array) {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return loadPhoto(path, { maxSide: 480 });
}

describe('RAW via embedded preview', () => {
  it('decodes the largest preview and orients it by IFD0', async () => {
    const { meta, image } = await load('sample.dng', await dngLike(6));
    expect(meta).toMatchObject({ format: 'raw', width: 300, height: 400, orientation: 6, make: 'TestCam' });
    expect([image.width, image.height]).toEqual([300, 400]);
    // Rotated 90° clockwise: the black left half is now on top.
    expect(image.data[(20 * 300 + 150) * 3]).toBeLessThan(30);
    expect(image.data[(380 * 300 + 150) * 3]).toBeGreaterThan(225);
  });

  it('finds the sensor data even when the name does not say RAW', async () => {
    const { meta } = await load('renamed.tif', await dngLike(1));
    expect(meta).toMatchObject({ format: 'raw', width: 400, height: 300 });
  });

  it('reports a RAW with no usable preview as unsupported', async () => {
    const lossless = Buffer.from([0xff, 0xd8, 0xff, 0xc3, 0x00, 0x0b, 0x10, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x11, 0x00]);
    const file = buildTiff([[S(0x103, 7), S(0x106, 32803), L(0x111, { blob: 0 }), L(0x117, { blobLength: 0 })]], [lossless]);
    await expect(load('nopreview.nef', file)).rejects.toMatchObject({
      code: 'unsupported',
      message: 'RAW file without an embedded JPEG preview',
    });
  });

  it('decodes an ordinary TIFF that is merely named like a RAW', async () => {
    const tiff = await sharp(halves(64, 48), { raw: { width: 64, height: 48, channels: 3 } })
      .tiff()
      .toBuffer();
    const { meta } = await load('plain.dng', tiff);
    expect(meta).toMatchObject({ format: 'tiff', width: 64, height: 48 });
  });

  it('treats a CR2 mark as RAW, and the TIFF variants of ORF and RW2', () => {
    const ifd0 = [S(0x100, 8), S(0x103, 1)];
    expect(inspectRawTiff(buildTiff([ifd0], []))?.sensorData).toBe(false);
    expect(inspectRawTiff(buildTiff([ifd0], [], { afterHeader: Buffer.from('CR\x02\0\0\0\0\0', 'latin1') }))?.sensorData).toBe(true);
    expect(inspectRawTiff(buildTiff([ifd0], [], { magic: 0x4f52 }))?.sensorData).toBe(true);
    expect(inspectRawTiff(buildTiff([ifd0], [], { magic: 0x55 }))?.sensorData).toBe(true);
  });

  it('decodes a Fujifilm RAF through its JPEG, which carries orientation and EXIF', async () => {
    const preview = await sharp(halves(400, 300), { raw: { width: 400, height: 300, channels: 3 } })
      .jpeg()
      .withExif({ IFD0: { Make: 'FUJIFILM' }, IFD2: { DateTimeOriginal: '2020:10:11 12:13:14' } })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const header = Buffer.alloc(160);
    header.write('FUJIFILMCCD-RAW 0201FF383501X-T3', 0, 'latin1');
    header.writeUInt32BE(header.length, 84);
    header.writeUInt32BE(preview.length, 88);
    const { meta, image } = await load('sample.raf', Buffer.concat([header, preview]));
    expect(meta).toMatchObject({ format: 'raw', width: 300, height: 400, orientation: 6, make: 'FUJIFILM' });
    expect(meta.takenAt?.wallClockMs).toBe(Date.UTC(2020, 9, 11, 12, 13, 14));
    expect(image.data[(20 * 300 + 150) * 3]).toBeLessThan(30);
  });

  it('reports a truncated RAW as a MediaError', async () => {
    const file = await dngLike(1);
    await expect(load('cut.dng', file.subarray(0, file.length - 9000))).rejects.toBeInstanceOf(MediaError);
  });
});

describe('hostile TIFF structures', () => {
  it('stops on IFD loops', () => {
    const file = buildTiff([[S(0x100, 1), L(0x14a, { ifd: 0 })]], []);
    file.writeUInt32LE(8, 8 + 2 + 2 * 12); // IFD0's next-IFD pointer → IFD0
    expect(readTiff(file)?.ifds).toHaveLength(1);
  });

  it('refuses an IFD claiming 65535 entries', async () => {
    const file = buildTiff([[S(0x100, 1)]], []);
    file.writeUInt16LE(0xffff, 8);
    expect(readTiff(file)).toBeNull();
    await expect(load('huge-count.dng', file)).rejects.toMatchObject({ code: 'corrupt' });
  });

  it('refuses an IFD0 pointer outside the file', async () => {
    const file = buildTiff([[S(0x100, 1)]], []);
    file.writeUInt32LE(0x7fffffff, 4);
    await expect(load('far.nef', file)).rejects.toMatchObject({
      code: 'corrupt',
      message: 'corrupt RAW file (unreadable TIFF structure)',
    });
  });

  it('clamps a preview length that runs past the end of the file', () => {
    // SOI, DQT (empty), SOF0 32×48, SOS: enough structure for the walker.
    const preview = Buffer.from([
      0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0xff, 0xc0, 0x00, 0x07, 0x08, 0x00, 0x20, 0x00, 0x30, 0xff, 0xda, 0x00, 0x02,
    ]);
    const file = buildTiff([[S(0x106, 32803), L(0x201, { blob: 0 }), L(0x202, 0xffffffff)]], [preview]);
    expect(inspectRawTiff(file)?.preview).toMatchObject({ width: 0x30, height: 0x20 });
  });

  it('only ever throws MediaError on mutated RAW bytes', async () => {
    const good = await dngLike(6);
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const outcomes = { ok: 0, mediaError: 0 };
    for (let round = 0; round < 60; round++) {
      const bad = Buffer.from(good);
      // Mutations concentrated in the header and IFDs, where the walker looks.
      for (let k = 0; k < 6; k++) bad[random(400)] = random(256);
      try {
        await load('fuzz.dng', bad);
        outcomes.ok++;
      } catch (error) {
        expect(error).toBeInstanceOf(MediaError);
        outcomes.mediaError++;
      }
    }
    expect(outcomes.ok + outcomes.mediaError).toBe(60);
  });
});

describe('jpegAt', () => {
  it('reads the frame size of a baseline JPEG', async () => {
    const bytes = await jpeg(64, 32);
    expect(jpegAt(bytes, 0, bytes.length)).toMatchObject({ width: 64, height: 32 });
  });

  it('rejects lossless JPEG (sensor data), abbreviated JPEG, non-JPEG bytes and out-of-range spans', () => {
    const lossless = Buffer.from([
      0xff, 0xd8, 0xff, 0xdb, 0x00, 0x02, 0xff, 0xc3, 0x00, 0x07, 0x10, 0x00, 0x10, 0x00, 0x10, 0xff, 0xda, 0x00, 0x02,
    ]);
    expect(jpegAt(lossless, 0, lossless.length)).toBeNull();
    const abbreviated = Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x07, 0x08, 0x00, 0x20, 0x00, 0x30, 0xff, 0xda, 0x00, 0x02]);
    expect(jpegAt(abbreviated, 0, abbreviated.length)).toBeNull();
    expect(jpegAt(Buffer.from('hello world!'), 0, 12)).toBeNull();
    expect(jpegAt(lossless, 100, 10)).toBeNull();
  });
});

describe('explicit orientation', () => {
  /** Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white. */
  function quadrants(width: number, height: number): Buffer {
    const data = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const colour = y < height / 2 ? (x < width / 2 ? [255, 0, 0] : [0, 255, 0]) : x < width / 2 ? [0, 0, 255] : [255, 255, 255];
        data.set(colour, (y * width + x) * 3);
      }
    }
    return data;
  }

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('matches libvips auto-orientation for orientation %i', async (orientation) => {
    const raw = sharp(quadrants(64, 32), { raw: { width: 64, height: 32, channels: 3 } });
    const plain = await raw.clone().jpeg({ quality: 95 }).toBuffer();
    const tagged = await raw.clone().jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
    const auto = await decodeEncoded(tagged, { maxSide: 480, orientation: 'auto', label: 'JPEG' });
    const explicit = await decodeEncoded(plain, { maxSide: 480, orientation, label: 'JPEG' });
    expect([explicit.image.width, explicit.image.height]).toEqual([auto.image.width, auto.image.height]);
    expect([explicit.width, explicit.height]).toEqual([auto.width, auto.height]);
    const { width, height } = auto.image;
    for (const [x, y] of [
      [width / 4, height / 4],
      [(3 * width) / 4, height / 4],
      [width / 4, (3 * height) / 4],
      [(3 * width) / 4, (3 * height) / 4],
    ]) {
      const i = (y! * width + x!) * 3;
      expect([...explicit.image.data.subarray(i, i + 3)].map((v) => Math.round(v / 64))).toEqual(
        [...auto.image.data.subarray(i, i + 3)].map((v) => Math.round(v / 64)),
      );
    }
  });
});
