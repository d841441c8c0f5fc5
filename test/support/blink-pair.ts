/**
 * A group photo where no frame has everyone's eyes open, made from the real-blink fixtures
 * (test/fixtures/blink): two people side by side, each the middle of a still of the same man from
 * a different moment, so one can blink while the other has open eyes.
 */
import { join } from 'node:path';
import sharp from 'sharp';

const BLINK = join(import.meta.dirname, '..', 'fixtures', 'blink');

/** The stills: open eyes (3.4 s and 3.6 s into the video) and the middle of a blink (3.96 s). */
export const OPEN_A = 'cap13-03400.jpg';
export const OPEN_B = 'cap13-03600.jpg';
export const BLINKING = 'cap13-03960.jpg';

/** The middle of a 400x300 still, where his face is. */
const face = (name: string): Promise<Buffer> => sharp(join(BLINK, name)).extract({ left: 110, top: 0, width: 190, height: 300 }).toBuffer();

/** Writes a 380x300 JPEG of stills `left` and `right` side by side, with a capture time (and camera, when given). */
export async function writeBlinkPair(
  file: string,
  left: string,
  right: string,
  takenAt: string,
  camera: Record<string, string> = {},
): Promise<void> {
  await sharp({ create: { width: 380, height: 300, channels: 3, background: '#000' } })
    .composite([
      { input: await face(left), left: 0, top: 0 },
      { input: await face(right), left: 190, top: 0 },
    ])
    .withExif({ IFD0: camera, IFD2: { DateTimeOriginal: takenAt } })
    .jpeg({ quality: 92 })
    .toFile(file);
}
