/**
 * Makes the library of the "run without faces" figure: 24 JPEGs of 12 MP (long side 4000 px) in
 * 8 bursts of 3, each burst one fixture landscape (not one face), frames a second apart in EXIF.
 * With --people, the library of the "run on photos of people" figure instead: 4 bursts of 6, each
 * one fixture photo of people (group shots and portraits).
 * Usage: node bench/no-face-library.js DIR [--people], then time the CLI on DIR.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const people = process.argv[3] === '--people';
const SOURCES = people
  ? ['people-group', 'people-friends', 'portrait-smile', 'portrait-costume']
  : ['mountains-peaks', 'stream-forest', 'boats-lake', 'flower-orange', 'fig-bowl', 'lake-dusk', 'forest-path', 'dandelions'];
const FRAMES = people ? 6 : 3;

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/no-face-library.js DIR [--people]');
mkdirSync(dir, { recursive: true });
const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures', 'photos');
for (const [b, name] of SOURCES.entries()) {
  const src = sharp(join(fixtures, `${name}.jpg`));
  const { width, height } = await src.metadata();
  const scale = 4000 / Math.max(width, height);
  for (let f = 0; f < FRAMES; f++) {
    const i = b * FRAMES + f;
    const stamp = `2024:05:01 ${String(8 + b).padStart(2, '0')}:00:0${f}`;
    // A small shift per frame, as a hand-held burst has.
    await sharp(join(fixtures, `${name}.jpg`))
      .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
      .extend({ left: f * 3, top: f * 2, background: '#808080' })
      .jpeg({ quality: 92 })
      .withExif({ IFD0: { Make: 'Bench', Model: people ? 'People' : 'NoFace' }, IFD2: { DateTimeOriginal: stamp } })
      .toFile(join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`));
  }
}
