import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { appleContentId } from '../../src/media/apple-makernote.js';
import { readExif } from '../../src/media/exif.js';
import { appleMakerNote, writeExif } from '../support/exif.js';

const ID = '6F2C1D7E-93A0-4C55-8B1E-2D4F0A9C3B71';

describe("Apple's MakerNote", () => {
  it('gives the content identifier in either byte order', () => {
    expect(appleContentId(appleMakerNote(ID, 'MM'))).toBe(ID);
    expect(appleContentId(appleMakerNote(ID, 'II'))).toBe(ID);
  });

  it('gives null for another maker note, a cut-off note, an offset outside it and a value that is no identifier', () => {
    const note = appleMakerNote(ID);
    const canon = Buffer.concat([Buffer.from('Canon\0\0\0\0\0', 'latin1'), note.subarray(10)]);
    expect(appleContentId(canon)).toBeNull();
    expect(appleContentId(note.subarray(0, 20))).toBeNull();
    expect(appleContentId(note.subarray(0, note.length - 10))).toBeNull();
    const outside = Buffer.from(note);
    outside.writeUInt32BE(0xfffffff0, 14 + 2 + 12 + 8);
    expect(appleContentId(outside)).toBeNull();
    expect(appleContentId(appleMakerNote('has spaces in it'))).toBeNull();
    expect(appleContentId(appleMakerNote('short'))).toBeNull();
    const noOrder = Buffer.from(note);
    noOrder.write('XX', 12, 'latin1');
    expect(appleContentId(noOrder)).toBeNull();
  });

  it("is read from a still's EXIF into its metadata, and left out when the note has none", async () => {
    const jpeg = await sharp({ create: { width: 16, height: 12, channels: 3, background: '#345678' } })
      .jpeg()
      .toBuffer();
    const live = await readExif(writeExif(jpeg, { make: 'Apple', model: 'iPhone 13', makerNote: appleMakerNote(ID) }));
    expect(live).toMatchObject({ make: 'Apple', contentId: ID });
    const other = await readExif(writeExif(jpeg, { make: 'Canon', makerNote: Buffer.from('Canon maker note bytes') }));
    expect(other.make).toBe('Canon');
    expect(other).not.toHaveProperty('contentId');
  });
});
