/**
 * Makes the library of the "run without faces" figure: 24 JPEGs of 12 MP (long side 4000 px) in
 * 8 bursts of 3, each burst one fixture landscape (not one face), frames a second apart in EXIF.
 * With --large, 120 photos instead: the 8 landscapes and 16 synthetic scenes of shapes (circles,
 * squares and bars on a gradient, drawn from a fixed seed), in bursts of 5.
 * With --people, the library of the "run on photos of people" figure instead: 4 bursts of 6, each
 * one fixture photo of people (group shots and portraits); with --crowd, 16 such bursts (96
 * photos), each photo of people 4 times: as it is, mirrored, and two crops of 85 % of it.
 * Usage: node bench/no-face-library.js DIR [--people | --crowd | --large], then time the CLI on DIR.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';

const mode = process.argv[3] ?? '';
const crowd = mode === '--crowd';
const people = mode === '--people' || crowd;
const large = mode === '--large';
const LANDSCAPES = [
  'mountains-peaks',
  'stream-forest',
  'boats-lake',
  'flower-orange',
  'fig-bowl',
  'lake-dusk',
  'forest-path',
  'dandelions',
];
const PEOPLE = ['people-group', 'people-friends', 'portrait-smile', 'portrait-costume'];
const SOURCES = people ? (crowd ? [0, 1, 2, 3].flatMap(() => PEOPLE) : PEOPLE) : LANDSCAPES;
const SHAPE_SCENES = large ? 16 : 0;
const FRAMES = people ? 6 : large ? 5 : 3;

const dir = process.argv[2];
if (!dir) throw new Error('usage: node bench/no-face-library.js DIR [--people | --crowd | --large]');
mkdirSync(dir, { recursive: true });
const fixtures = join(import.meta.dirname, '..', 'test', 'fixtures', 'photos');

/** A seeded generator, so the shapes are the same on every machine. */
function random(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

/** An SVG scene of shapes, 4000x3000. */
function shapes(seed) {
  const r = random(seed + 1);
  const colour = () => `rgb(${Math.floor(r() * 256)},${Math.floor(r() * 256)},${Math.floor(r() * 256)})`;
  const items = [];
  for (let i = 0; i < 12; i++) {
    const x = Math.floor(r() * 3600);
    const y = Math.floor(r() * 2600);
    const size = 100 + Math.floor(r() * 700);
    const kind = Math.floor(r() * 3);
    if (kind === 0) items.push(`<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour()}"/>`);
    else if (kind === 1) items.push(`<rect x="${x}" y="${y}" width="${size}" height="${size}" fill="${colour()}"/>`);
    else
      items.push(
        `<rect x="${x}" y="${y}" width="${size * 2}" height="${size / 5}" fill="${colour()}" transform="rotate(${Math.floor(r() * 90)} ${x} ${y})"/>`,
      );
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient></defs><rect width="4000" height="3000" fill="url(#g)"/>${items.join('')}</svg>`;
  return sharp(Buffer.from(svg));
}

/** The scene of burst `b`, scaled to a 4000 px long side. */
async function scene(b) {
  if (b >= SOURCES.length) return shapes(b).png().toBuffer();
  const file = join(fixtures, `${SOURCES[b]}.jpg`);
  const { width: w, height: h } = await sharp(file).metadata();
  // The crowd's copies of a photo: as it is, mirrored, its top-left and its bottom-right 85 %.
  const variant = Math.floor(b / PEOPLE.length);
  const crop = { width: Math.round(w * 0.85), height: Math.round(h * 0.85) };
  const src =
    variant === 1
      ? sharp(await sharp(file).flop().toBuffer())
      : variant === 2
        ? sharp(
            await sharp(file)
              .extract({ left: 0, top: 0, ...crop })
              .toBuffer(),
          )
        : variant === 3
          ? sharp(
              await sharp(file)
                .extract({ left: w - crop.width, top: h - crop.height, ...crop })
                .toBuffer(),
            )
          : sharp(file);
  const { width, height } = variant >= 2 ? crop : { width: w, height: h };
  const scale = 4000 / Math.max(width, height);
  return src
    .resize(Math.round(width * scale), Math.round(height * scale), { kernel: 'lanczos3' })
    .png()
    .toBuffer();
}

for (let b = 0; b < SOURCES.length + SHAPE_SCENES; b++) {
  const picture = await scene(b);
  for (let f = 0; f < FRAMES; f++) {
    const i = b * FRAMES + f;
    const stamp = `2024:05:${String(1 + Math.floor(b / 12)).padStart(2, '0')} ${String(8 + (b % 12)).padStart(2, '0')}:00:0${f}`;
    // A small shift per frame, as a hand-held burst has.
    await sharp(picture)
      .extend({ left: f * 3, top: f * 2, background: '#808080' })
      .jpeg({ quality: 92 })
      .withExif({ IFD0: { Make: 'Bench', Model: people ? 'People' : 'NoFace' }, IFD2: { DateTimeOriginal: stamp } })
      .toFile(join(dir, `IMG_${String(i).padStart(4, '0')}.jpg`));
  }
}
