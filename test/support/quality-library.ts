/**
 * Test helper: a grouping-quality library with a known truth, built in memory (JPEG bytes, never
 * written under a scanned folder). It holds the cases a grouping must get right:
 *
 * - bursts with and without a capture time: handheld frames moving 3–4 % of the width, rotating
 *   up to 1.5° and zooming ±3 % (the no-time ones must be found without the clock);
 * - moving subjects: an object crossing the frame in consecutive frames 0.4 s apart, and real
 *   consecutive video stills of a person talking (test/fixtures/video);
 * - re-framed shots of one scene (`similar`): tighter crops, a moved viewpoint with perspective,
 *   another exposure;
 * - copies (`duplicate`): pairs and triples, resized, re-encoded, 2 % crops;
 * - look-alike singletons that must stay apart: mountain ridges, warm flowers, a flower
 *   and its recoloured, mirrored twin (the "red and green maple leaf").
 *
 * Deterministic: seeded jitter and noise, fixed times.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import {
  type Camera,
  FIXTURES_DIR,
  type FixtureName,
  type Framing,
  type Rgb,
  decodeRgb,
  encodeJpeg,
  fixturePhotoPath,
  shoot,
} from './library.js';
import { seededRandom } from '../../src/core/random.js';

/** What a case is, for per-category figures. */
export type QualityCategory = 'burst-timed' | 'burst-untimed' | 'moving' | 'similar' | 'duplicate' | 'lookalike';

export interface QualityPhoto {
  readonly name: string;
  readonly category: QualityCategory;
  /** Truth label (null = must stay alone). */
  readonly cluster: string | null;
  /** Capture wall-clock ms, or null when the file would carry none. */
  readonly takenAtMs: number | null;
  readonly bytes: Buffer;
}

const T0 = Date.UTC(2024, 4, 18, 9, 0, 0);
/** Output width of the simulated camera (small keeps the library cheap; the fingerprint decodes at 440). */
const WIDTH = 720;

interface Shot {
  readonly name: string;
  readonly framing: Framing;
  readonly camera?: Camera;
  readonly quality?: number;
  readonly at: number | null;
}

async function render(scene: Rgb, shot: Shot, seed: number): Promise<Buffer> {
  const height = Math.round((WIDTH * scene.height) / scene.width);
  const img = await shoot(scene, WIDTH, height, shot.framing, shot.camera ?? { noise: 2 }, seed);
  return encodeJpeg(img, shot.quality ?? 88);
}

/**
 * Handheld burst: every frame's window moves up to `shift` of the width and height from the
 * first, rotates up to `angle` degrees and zooms up to ±`zoom`; consecutive frames `dtMs` apart.
 */
function handheld(
  prefix: string,
  frames: number,
  seed: number,
  at: number | null,
  opts: { shift?: number; angle?: number; zoom?: number; dtMs?: number } = {},
): Shot[] {
  const random = seededRandom(seed);
  const shift = opts.shift ?? 0.04;
  const angle = opts.angle ?? 1.5;
  const zoom = opts.zoom ?? 0.03;
  const base = 0.82;
  return Array.from({ length: frames }, (_, k) => {
    const u = (): number => random() * 2 - 1;
    const framing: Framing =
      k === 0 ? { scale: base } : { cx: 0.5 + u() * shift, cy: 0.5 + u() * shift, scale: base * (1 + u() * zoom), angle: u() * angle };
    const camera: Camera = { noise: 2 + random() * 3, ev: u() * 0.3, ...(k % 4 === 3 ? { blur: 1.5 } : {}) };
    return {
      name: `${prefix}-${k + 1}`,
      framing,
      camera,
      quality: 80 + Math.round(random() * 14),
      at: at === null ? null : at + k * (opts.dtMs ?? 450),
    };
  });
}

interface Case {
  readonly category: QualityCategory;
  readonly cluster: string | null;
  readonly scene: FixtureName;
  readonly shots: readonly Shot[];
}

function cases(variant: number): Case[] {
  const min = 60_000;
  const v = variant * 101;
  return [
    { category: 'burst-timed', cluster: 'bird-burst', scene: 'bird-nuthatch', shots: handheld('bird', 6, 1 + v, T0) },
    { category: 'burst-timed', cluster: 'people-burst', scene: 'people-group', shots: handheld('people', 5, 2 + v, T0 + 10 * min) },
    {
      category: 'burst-timed',
      cluster: 'dandelions-bracket',
      scene: 'dandelions',
      shots: [-2, 0, 2].map((ev, k) => ({
        name: `dandelions-${ev}ev`,
        framing: { scale: 0.9, cx: 0.5 + k * 0.003 },
        camera: { ev, noise: 2 },
        at: T0 + 20 * min + k * 300,
      })),
    },
    { category: 'burst-untimed', cluster: 'dogs-burst', scene: 'dogs-window', shots: handheld('dogs', 5, 3 + v, null) },
    { category: 'burst-untimed', cluster: 'boats-burst', scene: 'boats-lake', shots: handheld('boats', 6, 4 + v, null) },
    { category: 'burst-untimed', cluster: 'path-burst', scene: 'forest-path', shots: handheld('path', 5, 5 + v, null) },
    { category: 'burst-untimed', cluster: 'smile-burst', scene: 'portrait-smile', shots: handheld('smile', 5, 6 + v, null) },
    {
      category: 'similar',
      cluster: 'facade-similar',
      scene: 'building-facade',
      shots: [
        { name: 'facade-wide', framing: { cx: 0.45, scale: 0.85 }, at: T0 + 30 * min },
        { name: 'facade-tight', framing: { cx: 0.41, cy: 0.55, scale: 0.71 }, at: T0 + 30 * min + 14_000 },
        {
          name: 'facade-moved',
          framing: { cx: 0.58, scale: 0.8, keystone: -0.05 },
          camera: { noise: 2, ev: 0.15 },
          at: T0 + 30 * min + 36_000,
        },
        { name: 'facade-tilted', framing: { cx: 0.5, cy: 0.47, scale: 0.78, angle: 2 }, at: T0 + 30 * min + 51_000 },
      ],
    },
    {
      category: 'similar',
      cluster: 'friends-similar',
      scene: 'people-friends',
      shots: [
        { name: 'friends-all', framing: { scale: 0.95 }, at: T0 + 40 * min },
        { name: 'friends-left', framing: { cx: 0.42, cy: 0.52, scale: 0.75 }, at: T0 + 40 * min + 20_000 },
        { name: 'friends-right', framing: { cx: 0.58, cy: 0.48, scale: 0.78, keystone: 0.04 }, at: T0 + 40 * min + 45_000 },
        { name: 'friends-dark', framing: { cx: 0.5, scale: 0.88 }, camera: { noise: 3, ev: -1 }, at: T0 + 40 * min + 70_000 },
      ],
    },
    {
      category: 'similar',
      cluster: 'costume-similar',
      scene: 'portrait-costume',
      shots: [
        { name: 'costume-wide', framing: { scale: 0.96 }, at: null },
        { name: 'costume-face', framing: { cx: 0.52, cy: 0.42, scale: 0.72 }, at: null },
        { name: 'costume-moved', framing: { cx: 0.44, cy: 0.55, scale: 0.82, keystone: -0.04, angle: -1.5 }, at: null },
      ],
    },
    {
      category: 'similar',
      cluster: 'fig-exposures',
      scene: 'fig-bowl',
      shots: [
        { name: 'fig-normal', framing: { scale: 0.9 }, at: T0 + 50 * min },
        { name: 'fig-bright', framing: { scale: 0.86, cx: 0.52 }, camera: { ev: 1, noise: 2 }, at: T0 + 50 * min + 9000 },
        { name: 'fig-crop', framing: { scale: 0.7, cx: 0.45, cy: 0.53 }, camera: { ev: -0.5, noise: 2 }, at: T0 + 50 * min + 25_000 },
      ],
    },
    { category: 'lookalike', cluster: null, scene: 'mountains-ridge', shots: [{ name: 'ridge', framing: {}, at: T0 + 60 * min }] },
    { category: 'lookalike', cluster: null, scene: 'mountains-peaks', shots: [{ name: 'peaks', framing: {}, at: T0 + 60 * min + 20_000 }] },
    { category: 'lookalike', cluster: null, scene: 'flower-yellow', shots: [{ name: 'flower-yellow', framing: {}, at: null }] },
    { category: 'lookalike', cluster: null, scene: 'flower-orange', shots: [{ name: 'flower-orange', framing: {}, at: null }] },
  ];
}

/** A copy of one picture: the same capture resized, re-encoded or cropped by 2 %. */
interface CopyCase {
  readonly cluster: string;
  readonly scene: FixtureName;
  readonly copies: readonly {
    readonly name: string;
    readonly width: number;
    readonly quality: number;
    readonly crop?: number;
    readonly png?: boolean;
  }[];
}

const COPIES: readonly CopyCase[] = [
  {
    cluster: 'dusk-copies',
    scene: 'mountains-dusk',
    copies: [
      { name: 'dusk', width: 1024, quality: 90 },
      { name: 'dusk-crop', width: 900, quality: 85, crop: 0.01 },
      { name: 'dusk-png', width: 800, quality: 100, png: true },
    ],
  },
  {
    cluster: 'lake-copies',
    scene: 'lake-dusk',
    copies: [
      { name: 'lake', width: 1024, quality: 90 },
      { name: 'lake-q60', width: 1024, quality: 60 },
    ],
  },
];

async function renderCopy(scene: FixtureName, copy: CopyCase['copies'][number]): Promise<Buffer> {
  let pipeline = sharp(fixturePhotoPath(scene));
  if (copy.crop !== undefined) {
    const meta = await sharp(fixturePhotoPath(scene)).metadata();
    const dx = Math.round(meta.width * copy.crop);
    const dy = Math.round(meta.height * copy.crop);
    pipeline = pipeline.extract({ left: dx, top: dy, width: meta.width - 2 * dx, height: meta.height - 2 * dy });
  }
  pipeline = pipeline.resize({ width: copy.width });
  return copy.png ? pipeline.png().toBuffer() : pipeline.jpeg({ quality: copy.quality }).toBuffer();
}

/**
 * A subject crossing a still scene: a red box truck (drawn: body, cab window, wheels), a third of
 * the width long, moving 16 % of the width per frame, 0.4 s apart, over a handheld camera.
 */
async function movingSubject(variant: number): Promise<QualityPhoto[]> {
  const scene = await decodeRgb(fixturePhotoPath('stream-forest'));
  const shots = handheld('truck', 5, 9 + variant * 101, T0 + 90 * 60_000, { dtMs: 400, shift: 0.02, angle: 0.5, zoom: 0.01 });
  const tw = Math.round(scene.width * 0.33);
  const th = Math.round(scene.height * 0.28);
  const out: QualityPhoto[] = [];
  for (const [k, shot] of shots.entries()) {
    const left = Math.round(scene.width * (0.04 + 0.16 * k));
    const top = Math.round(scene.height * 0.5);
    const data = Uint8Array.from(scene.data);
    const paint = (x0: number, y0: number, w: number, h: number, rgb: readonly [number, number, number]): void => {
      for (let y = Math.max(0, y0); y < Math.min(scene.height, y0 + h); y++) {
        for (let x = Math.max(0, x0); x < Math.min(scene.width, x0 + w); x++) data.set(rgb, (y * scene.width + x) * 3);
      }
    };
    paint(left, top, Math.round(tw * 0.72), Math.round(th * 0.8), [178, 34, 30]);
    paint(left + Math.round(tw * 0.74), top + Math.round(th * 0.25), Math.round(tw * 0.26), Math.round(th * 0.55), [190, 40, 36]);
    paint(left + Math.round(tw * 0.8), top + Math.round(th * 0.3), Math.round(tw * 0.14), Math.round(th * 0.2), [150, 190, 220]);
    for (const wx of [0.12, 0.55, 0.84])
      paint(left + Math.round(tw * wx), top + Math.round(th * 0.78), Math.round(tw * 0.12), Math.round(th * 0.22), [25, 25, 25]);
    out.push({
      name: shot.name,
      category: 'moving',
      cluster: 'truck-burst',
      takenAtMs: shot.at,
      bytes: await render({ ...scene, data }, shot, 900 + k),
    });
  }
  return out;
}

/** The real video stills: one person talking in one room, photographed over a minute and in a burst. */
async function videoStills(): Promise<QualityPhoto[]> {
  const dir = path.join(FIXTURES_DIR, 'video');
  const names = [12, 13].flatMap((clip) =>
    Array.from({ length: clip === 12 ? 14 : 8 }, (_, k) =>
      clip === 12 ? `cap12-${String(500 + k * 4000).padStart(5, '0')}` : `cap13-${String(12_000 + k * 400).padStart(5, '0')}`,
    ),
  );
  return Promise.all(
    names.map(async (name) => {
      const ms = Number(name.slice(6));
      const at = name.startsWith('cap12') ? T0 + 100 * 60_000 + ms : T0 + 102 * 60_000 + ms;
      return { name, category: 'moving' as const, cluster: 'talking', takenAtMs: at, bytes: await readFile(path.join(dir, `${name}.jpg`)) };
    }),
  );
}

/** The recoloured, mirrored twin of the orange flower: another flower of the same kind, not a copy. */
async function recolouredTwin(): Promise<QualityPhoto> {
  const bytes = await sharp(fixturePhotoPath('flower-orange'))
    .flop()
    .modulate({ hue: 110 })
    .extract({ left: 40, top: 30, width: 900, height: 700 })
    .jpeg({ quality: 88 })
    .toBuffer();
  return { name: 'flower-green-twin', category: 'lookalike', cluster: null, takenAtMs: null, bytes };
}

/**
 * The whole library, sorted by name. `variant` re-draws the handheld jitter and the sensor noise
 * (0, the default, is the library the tests and the benchmark report on).
 */
export async function buildQualityLibrary(variant = 0): Promise<QualityPhoto[]> {
  const photos: QualityPhoto[] = [];
  let seed = 100 + variant * 1000;
  for (const c of cases(variant)) {
    const scene = await decodeRgb(fixturePhotoPath(c.scene));
    for (const shot of c.shots) {
      photos.push({
        name: shot.name,
        category: c.category,
        cluster: c.cluster,
        takenAtMs: shot.at,
        bytes: await render(scene, shot, seed++),
      });
    }
  }
  for (const c of COPIES) {
    for (const copy of c.copies)
      photos.push({ name: copy.name, category: 'duplicate', cluster: c.cluster, takenAtMs: null, bytes: await renderCopy(c.scene, copy) });
  }
  photos.push(...(await movingSubject(variant)), ...(await videoStills()), await recolouredTwin());
  photos.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return photos;
}
