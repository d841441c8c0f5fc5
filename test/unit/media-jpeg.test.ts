/**
 * The JPEG header read from its markers (media/jpeg.ts) says what libvips says, and the decode
 * that applies it gives the pixels libvips's own auto-orientation gives.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeEncoded } from '../../src/media/decode.js';
import { exifOrientation } from '../../src/media/exif.js';
import { readJpegHeader } from '../../src/media/jpeg.js';
import { fixturePhotoPath } from '../support/library.js';

/** A 64x48 JPEG whose quadrants differ, tagged with `orientation`. */
async function tagged(orientation: number): Promise<Buffer> {
  const data = Buffer.alloc(64 * 48 * 3);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < 64; x++) {
      const p = (y * 64 + x) * 3;
      data[p] = x < 32 ? 20 : 230;
      data[p + 1] = y < 24 ? 20 : 230;
      data[p + 2] = 128;
    }
  }
  return sharp(data, { raw: { width: 64, height: 48, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation })
    .toBuffer();
}

describe('readJpegHeader', () => {
  it('reads the size, orientation and EXIF block libvips reads, for all eight orientations', async () => {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const bytes = await tagged(orientation);
      const meta = await sharp(bytes).metadata();
      const header = readJpegHeader(bytes);
      expect(header).toMatchObject({ width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 });
      expect(header?.exif?.equals(meta.exif!)).toBe(true);
    }
  });

  it('reads a JPEG without EXIF as orientation 1', async () => {
    const bytes = readFileSync(fixturePhotoPath('bird-nuthatch'));
    expect(readJpegHeader(bytes)).toEqual({ width: 1024, height: 576, orientation: 1, exif: null, source: 'markers' });
  });

  it('gives up (null) on what it does not walk: not a JPEG, cut in the headers, no frame before the scan', async () => {
    const bytes = await tagged(6);
    expect(readJpegHeader(Buffer.from('not a jpeg at all'))).toBeNull();
    expect(readJpegHeader(bytes.subarray(0, 40))).toBeNull();
    const sos = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6]);
    expect(readJpegHeader(sos)).toBeNull();
  });

  it('decodes with the orientation it read to the same pixels as libvips auto-orientation', async () => {
    for (const orientation of [1, 3, 6, 8, 5, 2]) {
      const bytes = await tagged(orientation);
      const ours = await decodeEncoded(bytes, { maxSide: 64, orientation: 'auto', label: 'JPEG' });
      const theirs = await sharp(bytes).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([ours.width, ours.height, ours.orientation]).toEqual([theirs.info.width, theirs.info.height, orientation]);
      expect([ours.image.width, ours.image.height]).toEqual([theirs.info.width, theirs.info.height]);
      let worst = 0;
      for (let i = 0; i < theirs.data.length; i++) worst = Math.max(worst, Math.abs(ours.image.data[i]! - theirs.data[i]!));
      expect(worst).toBeLessThan(8);
    }
  });
});

describe('exifOrientation', () => {
  /** A big-endian TIFF block with one IFD0 entry. */
  const tiff = (tag: number, type: number, count: number, value: number) => {
    const b = Buffer.alloc(26);
    b.write('MM', 0, 'latin1');
    b.writeUInt16BE(42, 2);
    b.writeUInt32BE(8, 4);
    b.writeUInt16BE(1, 8);
    b.writeUInt16BE(tag, 10);
    b.writeUInt16BE(type, 12);
    b.writeUInt32BE(count, 14);
    b.writeUInt16BE(value, 18);
    return b;
  };

  it('reads a big-endian Orientation, and calls a missing or out-of-range one 1', () => {
    expect(exifOrientation(tiff(0x0112, 3, 1, 8))).toBe(8);
    expect(exifOrientation(tiff(0x010f, 2, 1, 8))).toBe(1);
    expect(exifOrientation(tiff(0x0112, 3, 1, 9))).toBe(1);
  });

  it('gives up (null) on a block it cannot follow', () => {
    expect(exifOrientation(tiff(0x0112, 4, 1, 6))).toBeNull();
    expect(exifOrientation(Buffer.from('XX\0*\0\0\0\x08'))).toBeNull();
    expect(exifOrientation(tiff(0x0112, 3, 1, 6).subarray(0, 14))).toBeNull();
  });
});
