/** The HDR merge of one bracket (enhance/hdr.ts) on real files: alignment found, EXIF written, bad brackets refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HdrError, mergeBracket } from '../../src/enhance/hdr.js';
import { MediaError } from '../../src/media/contract.js';
import { fixturePhotoPath } from '../support/library.js';

const dir = mkdtempSync(join(tmpdir(), 'po-hdr-unit-'));

/** The stream scene at `ev`, cropped 600x400 at an offset (a handheld frame). */
async function frame(name: string, ev: number, dx: number, dy: number, width = 600): Promise<string> {
  const file = join(dir, name);
  await sharp(fixturePhotoPath('stream-forest'))
    .resize(640, 440, { fit: 'cover' })
    .extract({ left: 20 + dx, top: 20 + dy, width, height: 400 })
    .linear(2 ** (ev / 2.2), 0)
    .jpeg({ quality: 92 })
    .toFile(file);
  return file;
}

const request = { reference: 1, gamma: 2.2, maxSide: 6000, make: 'Canon', model: 'EOS R6', takenAt: '2024:05:18 09:31:10' };

describe('mergeBracket', () => {
  it('finds how each frame moved, crops to the common area, and writes the reference’s EXIF', async () => {
    const frames = [await frame('dark.jpg', -2, 6, -3), await frame('mid.jpg', 0, 0, 0), await frame('bright.jpg', 2, -4, 5)];
    const merged = await mergeBracket({ ...request, frames });
    expect(merged.shifts).toEqual([
      { dx: -6, dy: 3 },
      { dx: 0, dy: 0 },
      { dx: 4, dy: -5 },
    ]);
    expect([merged.width, merged.height]).toEqual([600 - 6 - 4, 400 - 3 - 5]);
    const tags = (await exifr.parse(merged.jpeg, {
      pick: ['Make', 'Model', 'DateTimeOriginal', 'Software'],
      reviveValues: false,
    })) as Record<string, string>;
    expect(tags).toEqual({
      Make: 'Canon',
      Model: 'EOS R6',
      DateTimeOriginal: '2024:05:18 09:31:10',
      Software: 'photo-organizer HDR merge',
    });
  });

  it('refuses frames of different sizes, and a frame that is not a photo, with one-line reasons', async () => {
    const frames = [await frame('a.jpg', -2, 0, 0), await frame('b.jpg', 0, 0, 0, 560)];
    await expect(mergeBracket({ ...request, frames })).rejects.toThrow(new HdrError('its frames differ in size (560x400 and 600x400)'));
    const broken = join(dir, 'broken.jpg');
    writeFileSync(broken, 'not a jpeg at all');
    await expect(mergeBracket({ ...request, frames: [frames[0]!, broken] })).rejects.toBeInstanceOf(MediaError);
    await expect(mergeBracket({ ...request, frames: [frames[0]!] })).rejects.toThrow(/at least two frames/);
  });
});
