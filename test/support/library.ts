/**
 * Test helper: builds a photo library with a known truth from the fixture photographs.
 *
 * Every file is derived from one of test/fixtures/photos (a "scene") by a simulated camera:
 * bursts (small shifts, rotations, zoom, blur, exposure changes, sensor noise, varying JPEG
 * quality), exposure brackets, duplicates (resized, re-encoded, PNG, HEIC, 2 % crop, stripped),
 * similar shots (tighter re-framing, moved viewpoint with a slight perspective change), and
 * look-alike singletons that must stay apart. The truth is returned in memory only: nothing but
 * the photos is written under `root`, since the tool under test scans it.
 *
 * Deterministic: the same variant always produces the same bytes (seeded noise, fixed mtimes).
 */
import { mkdir, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp, { type Sharp } from 'sharp';
import type { GroupKind } from '../../src/core/types.js';
import { type ExifFields, captureFields, parseExifDate, writeExif } from './exif.js';
import { seededRandom } from '../../src/core/random.js';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Every photo in test/fixtures/photos (see test/fixtures/README.md). */
export const FIXTURE_PHOTOS = [
  'bird-nuthatch',
  'boats-lake',
  'building-facade',
  'dandelions',
  'dogs-window',
  'fig-bowl',
  'flower-orange',
  'flower-yellow',
  'forest-path',
  'lake-dusk',
  'mountains-dusk',
  'mountains-peaks',
  'mountains-ridge',
  'people-friends',
  'people-group',
  'portrait-costume',
  'portrait-smile',
  'stream-forest',
] as const;
export type FixtureName = (typeof FIXTURE_PHOTOS)[number];

/** The fixtures that also exist as HEIC (test/fixtures/heic). */
export const FIXTURE_HEIC = ['boats-lake', 'people-friends'] as const satisfies readonly FixtureName[];
export type HeicFixtureName = (typeof FIXTURE_HEIC)[number];

export function fixturePhotoPath(name: FixtureName): string {
  return path.join(FIXTURES_DIR, 'photos', `${name}.jpg`);
}

export function fixtureHeicPath(name: HeicFixtureName): string {
  return path.join(FIXTURES_DIR, 'heic', `${name}.heic`);
}

// ---------------------------------------------------------------------------------------------
// Truth
// ---------------------------------------------------------------------------------------------

export interface LibraryPhoto {
  /** Path under root, '/'-separated. */
  readonly relativePath: string;
  /** Truth label: files with the same label must be grouped together; null = must stay alone. */
  readonly cluster: string | null;
  /** Expected group kind of the cluster (null for singletons). */
  readonly kind: GroupKind | null;
  /** What this file is, for failure messages. */
  readonly note: string;
  /** Fixture the file was derived from. */
  readonly scene: FixtureName;
  /** Container written. */
  readonly format: 'jpeg' | 'png' | 'heif';
  /** Whether the file carries an EXIF block at all. */
  readonly hasExif: boolean;
  /** DateTimeOriginal written (`YYYY:MM:DD HH:MM:SS`), null when the file has none. */
  readonly takenAt: string | null;
  /** SubSecTimeOriginal written, null when none. */
  readonly subSec: string | null;
  /** OffsetTimeOriginal written, null when none. */
  readonly offset: string | null;
  /** EXIF Orientation written (1 when the file has none). */
  readonly orientation: number;
  /** Pixel size as a viewer shows it (after orientation). */
  readonly width: number;
  readonly height: number;
  /** File modification time set on disk (ms since epoch). */
  readonly mtimeMs: number;
}

export interface LibraryCluster {
  readonly label: string;
  readonly kind: GroupKind;
  /** Relative paths, sorted. */
  readonly members: readonly string[];
}

export interface Library {
  readonly root: string;
  readonly variant: LibraryVariant;
  /** Sorted by relative path. */
  readonly photos: readonly LibraryPhoto[];
  /** Sorted by label. */
  readonly clusters: readonly LibraryCluster[];
}

/** The small library's truth: its copies of one picture (an HEIC among them) and its 5-frame burst. */
export const BOATS = ['2024/IMG_0042.JPG', 'backup/IMG_0042-crop.jpg', 'backup/IMG_0042.JPG', 'phone-export/IMG_0042.HEIC'];
export const BIRD = [
  'DCIM/100CANON/IMG_0101.JPG',
  'DCIM/100CANON/IMG_0102.JPG',
  'DCIM/100CANON/IMG_0103.JPG',
  'DCIM/100CANON/IMG_0104.JPG',
  'DCIM/100CANON/IMG_0105.JPG',
];
export const GROUPED = [...BOATS, ...BIRD].sort();

export type LibraryVariant = 'full' | 'small';

export interface BuildLibraryOptions {
  /** 'full' (default): ~46 files, every case. 'small': ~11 files, one burst, one duplicate set, two look-alikes. */
  readonly variant?: LibraryVariant;
  /** Told each time a fixture photo is decoded (the costly step; each is meant to be decoded once). */
  readonly onSceneDecode?: (name: FixtureName) => void;
}

/** relativePath -> cluster label (null = alone), for `pairwise`. */
export function truthMap(library: Library): Map<string, string | null> {
  return new Map(library.photos.map((p) => [p.relativePath, p.cluster]));
}

/** Groups found by the tool (lists of relative paths) -> relativePath -> synthetic label, for `pairwise`. */
export function groupsToMap(groups: readonly (readonly string[])[]): Map<string, string> {
  const map = new Map<string, string>();
  groups.forEach((members, i) => {
    for (const p of members) {
      if (map.has(p)) throw new Error(`${p} is in more than one group`);
      map.set(p, `group-${i}`);
    }
  });
  return map;
}

export interface PairwiseScore {
  /** TP / (TP + FP); 1 when nothing was paired (no false claim made). */
  readonly precision: number;
  /** TP / (TP + FN); 1 when the truth has no pairs. */
  readonly recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  readonly f1: number;
  /** Pairs together in both. */
  readonly truePositives: number;
  /** Pairs together in the result only. */
  readonly falsePositives: number;
  /** Pairs together in the truth only. */
  readonly falseNegatives: number;
  /** Number of unordered pairs considered: n (n - 1) / 2 over the union of both key sets. */
  readonly pairs: number;
}

type Partition = ReadonlyMap<string, string | null> | Readonly<Record<string, string | null>>;

function entriesOf(p: Partition): Map<string, string | null> {
  return p instanceof Map ? new Map(p) : new Map(Object.entries(p));
}

/**
 * Pairwise precision / recall of a found partition against the truth. For every unordered pair of
 * photos: "same group in truth" (same non-null label) vs "same group in result". Photos missing
 * from one map count as alone there.
 */
export function pairwise(truth: Partition, found: Partition): PairwiseScore {
  const t = entriesOf(truth);
  const f = entriesOf(found);
  const keys = [...new Set([...t.keys(), ...f.keys()])].sort();
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < keys.length; i++) {
    const a = keys[i] as string;
    const ta = t.get(a) ?? null;
    const fa = f.get(a) ?? null;
    for (let j = i + 1; j < keys.length; j++) {
      const b = keys[j] as string;
      const tb = t.get(b) ?? null;
      const fb = f.get(b) ?? null;
      const inTruth = ta !== null && ta === tb;
      const inFound = fa !== null && fa === fb;
      if (inTruth && inFound) tp++;
      else if (inFound) fp++;
      else if (inTruth) fn++;
    }
  }
  const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    precision,
    recall,
    f1,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    pairs: (keys.length * (keys.length - 1)) / 2,
  };
}

// ---------------------------------------------------------------------------------------------
// Pixels
// ---------------------------------------------------------------------------------------------

export interface Rgb {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

type Point = readonly [x: number, y: number];
/** Source-image positions of the output's top-left, top-right, bottom-right, bottom-left corners. */
type Quad = readonly [Point, Point, Point, Point];

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export async function decodeRgb(input: string | Buffer): Promise<Rgb> {
  const { data, info } = await sharp(input).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}

/** Solves the 8 homography parameters mapping output pixel space onto the source quad. */
function homography(outW: number, outH: number, quad: Quad): number[] {
  const src: Point[] = [
    [0, 0],
    [outW, 0],
    [outW, outH],
    [0, outH],
  ];
  const rows: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const [u, v] = src[i] as Point;
    const [x, y] = quad[i] as Point;
    rows.push([u, v, 1, 0, 0, 0, -u * x, -v * x, x]);
    rows.push([0, 0, 0, u, v, 1, -u * y, -v * y, y]);
  }
  // Gauss-Jordan with partial pivoting on the 8x9 augmented matrix.
  for (let col = 0; col < 8; col++) {
    let pivot = col;
    for (let r = col + 1; r < 8; r++) {
      if (Math.abs((rows[r] as number[])[col] as number) > Math.abs((rows[pivot] as number[])[col] as number)) pivot = r;
    }
    [rows[col], rows[pivot]] = [rows[pivot] as number[], rows[col] as number[]];
    const p = rows[col] as number[];
    const pv = p[col] as number;
    if (Math.abs(pv) < 1e-12) throw new Error('degenerate quad');
    for (let k = col; k < 9; k++) p[k] = (p[k] as number) / pv;
    for (let r = 0; r < 8; r++) {
      if (r === col) continue;
      const row = rows[r] as number[];
      const factor = row[col] as number;
      if (factor === 0) continue;
      for (let k = col; k < 9; k++) row[k] = (row[k] as number) - factor * (p[k] as number);
    }
  }
  return rows.map((r) => r[8] as number);
}

/**
 * Renders the source region `quad` into an outW x outH image (perspective-correct, bilinear).
 * Multiplies by `gain` on the way (exposure). The quad must lie inside the source.
 */
function warp(src: Rgb, outW: number, outH: number, quad: Quad, gain: number): Rgb {
  for (const [x, y] of quad) {
    if (x < -0.5 || y < -0.5 || x > src.width + 0.5 || y > src.height + 0.5) {
      throw new Error(`crop window corner (${x.toFixed(1)}, ${y.toFixed(1)}) outside the ${src.width}x${src.height} scene`);
    }
  }
  const [h0, h1, h2, h3, h4, h5, h6, h7] = homography(outW, outH, quad) as [number, number, number, number, number, number, number, number];
  const out = new Uint8Array(outW * outH * 3);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  for (let v = 0; v < outH; v++) {
    const vc = v + 0.5;
    for (let u = 0; u < outW; u++) {
      const uc = u + 0.5;
      const w = h6 * uc + h7 * vc + 1;
      let x = (h0 * uc + h1 * vc + h2) / w - 0.5;
      let y = (h3 * uc + h4 * vc + h5) / w - 0.5;
      if (x < 0) x = 0;
      else if (x > sw - 1) x = sw - 1;
      if (y < 0) y = 0;
      else if (y > sh - 1) y = sh - 1;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const x1 = x0 + 1 < sw ? x0 + 1 : x0;
      const y1 = y0 + 1 < sh ? y0 + 1 : y0;
      const fx = x - x0;
      const fy = y - y0;
      const i00 = (y0 * sw + x0) * 3;
      const i10 = (y0 * sw + x1) * 3;
      const i01 = (y1 * sw + x0) * 3;
      const i11 = (y1 * sw + x1) * 3;
      const o = (v * outW + u) * 3;
      for (let c = 0; c < 3; c++) {
        const top = (s[i00 + c] ?? 0) * (1 - fx) + (s[i10 + c] ?? 0) * fx;
        const bottom = (s[i01 + c] ?? 0) * (1 - fx) + (s[i11 + c] ?? 0) * fx;
        out[o + c] = Math.min(255, Math.round((top * (1 - fy) + bottom * fy) * gain));
      }
    }
  }
  return { data: out, width: outW, height: outH };
}

/** Adds gaussian sensor noise (standard deviation `sigma` levels), in place. */
function addNoise(img: Rgb, sigma: number, random: () => number): void {
  const d = img.data;
  for (let i = 0; i < d.length; i += 2) {
    // Box-Muller: two independent normals per two uniforms.
    const r = Math.sqrt(-2 * Math.log(1 - random())) * sigma;
    const theta = 2 * Math.PI * random();
    const a = (d[i] ?? 0) + r * Math.cos(theta);
    d[i] = a < 0 ? 0 : a > 255 ? 255 : Math.round(a);
    if (i + 1 < d.length) {
      const b = (d[i + 1] ?? 0) + r * Math.sin(theta);
      d[i + 1] = b < 0 ? 0 : b > 255 ? 255 : Math.round(b);
    }
  }
}

export function rawInput(img: Rgb): Sharp {
  return sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), {
    raw: { width: img.width, height: img.height, channels: 3 },
  });
}

// ---------------------------------------------------------------------------------------------
// Shots: a window of a scene seen through a simulated camera
// ---------------------------------------------------------------------------------------------

export interface Framing {
  /** Window centre, as fractions of the scene width / height (0.5 = middle). */
  readonly cx?: number;
  readonly cy?: number;
  /** Window width as a fraction of the scene width (height keeps the scene's aspect). */
  readonly scale?: number;
  /** Camera roll in degrees (positive = clockwise). */
  readonly angle?: number;
  /**
   * Keystone: the window's left edge is (1 + keystone) times as tall and the right edge
   * (1 - keystone) times, as when the camera moved and turned slightly.
   */
  readonly keystone?: number;
}

export interface Camera {
  /** Exposure change in EV: pixel values x 2^(ev / 2.2). */
  readonly ev?: number;
  /** Gaussian blur sigma in output pixels (focus or motion blur). */
  readonly blur?: number;
  /** Sensor noise standard deviation, 0..255 levels. */
  readonly noise?: number;
}

function frameQuad(scene: Rgb, f: Framing): Quad {
  const W = scene.width;
  const H = scene.height;
  const cx = (f.cx ?? 0.5) * W;
  const cy = (f.cy ?? 0.5) * H;
  const hw = ((f.scale ?? 1) * W) / 2;
  const hh = ((f.scale ?? 1) * H) / 2;
  const k = f.keystone ?? 0;
  const a = ((f.angle ?? 0) * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  // Rotating the camera clockwise turns the scene counter-clockwise in the frame: rotate the window clockwise.
  const at = (dx: number, dy: number): Point => [cx + dx * cos - dy * sin, cy + dx * sin + dy * cos];
  return [at(-hw, -hh * (1 + k)), at(hw, -hh * (1 - k)), at(hw, hh * (1 - k)), at(-hw, hh * (1 + k))];
}

export async function shoot(scene: Rgb, outW: number, outH: number, framing: Framing, camera: Camera, seed: number): Promise<Rgb> {
  const gain = 2 ** ((camera.ev ?? 0) / 2.2);
  let img = warp(scene, outW, outH, frameQuad(scene, framing), gain);
  if ((camera.blur ?? 0) > 0) {
    const { data, info } = await rawInput(img).blur(camera.blur).raw().toBuffer({ resolveWithObject: true });
    img = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
  }
  if ((camera.noise ?? 0) > 0) addNoise(img, camera.noise ?? 0, seededRandom(seed));
  return img;
}

/**
 * JPEG of an image as the camera stores it. `orientation` 6 or 8 stores the pixels sideways (as a
 * camera held upright does) so that a viewer applying the EXIF Orientation shows `img`.
 */
export async function encodeJpeg(img: Rgb, quality: number, orientation = 1): Promise<Buffer> {
  let pipeline = rawInput(img);
  if (orientation === 6) pipeline = pipeline.rotate(-90);
  else if (orientation === 8) pipeline = pipeline.rotate(90);
  else if (orientation === 3) pipeline = pipeline.rotate(180);
  else if (orientation !== 1) throw new Error(`orientation ${orientation} not supported here`);
  return pipeline.jpeg({ quality }).toBuffer();
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

interface CameraModel {
  readonly make: string;
  readonly model: string;
  readonly lensModel?: string;
}

const CANON: CameraModel = { make: 'Canon', model: 'Canon EOS R6', lensModel: 'RF24-105mm F4 L IS USM' };
const NIKON: CameraModel = { make: 'NIKON CORPORATION', model: 'NIKON D7500' };
const COOLPIX: CameraModel = { make: 'NIKON', model: 'COOLPIX P7000' };
const SONY: CameraModel = { make: 'SONY', model: 'ILCE-7M3', lensModel: 'FE 28-70mm F3.5-5.6 OSS' };
const IPHONE: CameraModel = { make: 'Apple', model: 'iPhone 13', lensModel: 'iPhone 13 back dual wide camera 5.1mm f/1.6' };
const PANASONIC: CameraModel = { make: 'Panasonic', model: 'DMC-TZ70' };

/** Where a file's EXIF time comes from. */
interface Capture {
  readonly camera: CameraModel;
  /** Wall-clock ms (as if UTC) of the shot, or null for a camera block without any time. */
  readonly at: number | null;
  readonly offset?: string;
  readonly exposureTime?: number;
  readonly fNumber?: number;
  readonly iso?: number;
  readonly focalLength?: number;
  readonly orientation?: number;
  readonly software?: string;
}

interface Planned {
  readonly relativePath: string;
  readonly cluster: string | null;
  readonly kind: GroupKind | null;
  readonly note: string;
  readonly scene: FixtureName;
  readonly format: 'jpeg' | 'png' | 'heif';
  readonly exif: Capture | null;
  /** Produces the file's bytes without EXIF (EXIF is spliced in afterwards for JPEGs). */
  readonly render: (ctx: RenderContext) => Promise<{ bytes: Buffer; width: number; height: number }>;
}

interface RenderContext {
  scene(name: FixtureName): Promise<Rgb>;
}

/** mtime of files that are copies (no capture time of their own): the day of the backup. */
const COPY_TIME = Date.UTC(2024, 8, 1, 10, 0, 0);

function exifFields(c: Capture): ExifFields {
  const time = c.at === null ? null : captureFields(c.at);
  return {
    make: c.camera.make,
    model: c.camera.model,
    ...(c.camera.lensModel !== undefined ? { lensModel: c.camera.lensModel } : {}),
    ...(c.orientation !== undefined ? { orientation: c.orientation } : {}),
    ...(c.software !== undefined ? { software: c.software } : {}),
    ...(time !== null
      ? {
          dateTimeOriginal: time.dateTimeOriginal,
          createDate: time.dateTimeOriginal,
          modifyDate: time.dateTimeOriginal,
          subSecTimeOriginal: time.subSecTimeOriginal,
        }
      : {}),
    ...(time !== null && c.offset !== undefined ? { offsetTimeOriginal: c.offset } : {}),
    ...(c.exposureTime !== undefined ? { exposureTime: c.exposureTime } : {}),
    ...(c.fNumber !== undefined ? { fNumber: c.fNumber } : {}),
    ...(c.iso !== undefined ? { iso: c.iso } : {}),
    ...(c.focalLength !== undefined ? { focalLength: c.focalLength } : {}),
  };
}

/** Wall-clock ms of an EXIF-style time plus an offset in ms. */
function clock(base: string): (ms: number) => number {
  const t0 = parseExifDate(base);
  return (ms) => t0 + ms;
}

interface ShotPlan {
  readonly framing: Framing;
  readonly camera?: Camera;
  readonly quality: number;
  /** Output size; defaults to the scene's size. */
  readonly width?: number;
  readonly height?: number;
}

/** A JPEG shot of `scene` through `shot` (window + camera), EXIF added later from `exif`. */
function shotFile(base: Omit<Planned, 'render' | 'format'>, shot: ShotPlan): Planned {
  return {
    ...base,
    format: 'jpeg',
    render: async (ctx) => {
      const scene = await ctx.scene(base.scene);
      const w = shot.width ?? scene.width;
      const h = shot.height ?? scene.height;
      const img = await shoot(scene, w, h, shot.framing, shot.camera ?? {}, hashString(base.relativePath));
      return { bytes: await encodeJpeg(img, shot.quality, base.exif?.orientation ?? 1), width: w, height: h };
    },
  };
}

/** The scene itself (the whole fixture), optionally cropped, resized and re-encoded: a copy of one picture. */
function derivedCopy(
  base: Omit<Planned, 'render' | 'format'>,
  opts: {
    readonly format: 'jpeg' | 'png';
    readonly quality?: number;
    readonly resize?: number;
    readonly width?: number;
    readonly cropEachSide?: number;
  },
): Planned {
  return {
    ...base,
    format: opts.format,
    render: async (ctx) => {
      const scene = await ctx.scene(base.scene);
      let pipeline = rawInput(scene);
      let w = scene.width;
      let h = scene.height;
      if (opts.cropEachSide !== undefined) {
        const dx = Math.round(w * opts.cropEachSide);
        const dy = Math.round(h * opts.cropEachSide);
        pipeline = pipeline.extract({ left: dx, top: dy, width: w - 2 * dx, height: h - 2 * dy });
        w -= 2 * dx;
        h -= 2 * dy;
      }
      const targetW = opts.width ?? (opts.resize !== undefined ? Math.round(w * opts.resize) : w);
      if (targetW !== w) {
        const targetH = Math.round((h * targetW) / w);
        pipeline = pipeline.resize(targetW, targetH, { kernel: 'lanczos3' });
        w = targetW;
        h = targetH;
      }
      const bytes =
        opts.format === 'png'
          ? await pipeline.png({ compressionLevel: 6 }).toBuffer()
          : await pipeline.jpeg({ quality: opts.quality ?? 90 }).toBuffer();
      return { bytes, width: w, height: h };
    },
  };
}

function heicFile(base: Omit<Planned, 'render' | 'format' | 'exif' | 'scene'> & { readonly scene: HeicFixtureName }): Planned {
  return {
    ...base,
    format: 'heif',
    exif: null,
    render: async (ctx) => {
      const scene = await ctx.scene(base.scene);
      return { bytes: await readFile(fixtureHeicPath(base.scene)), width: scene.width, height: scene.height };
    },
  };
}

interface BurstFrame {
  readonly name: string;
  /** ms after the first frame. */
  readonly t: number;
  readonly framing: Framing;
  readonly camera: Camera;
  readonly quality: number;
}

function burst(
  folder: string,
  cluster: string,
  scene: FixtureName,
  camera: CameraModel,
  start: string,
  offset: string | undefined,
  exposure: Omit<Capture, 'camera' | 'at' | 'offset'>,
  frames: readonly BurstFrame[],
  notePrefix: string,
): Planned[] {
  const at = clock(start);
  return frames.map((f, i) =>
    shotFile(
      {
        relativePath: `${folder}/${f.name}`,
        cluster,
        kind: 'burst',
        note: `${notePrefix} frame ${i + 1}/${frames.length} (+${f.t} ms${f.camera.blur ? `, blurred sigma ${f.camera.blur}` : ''}${f.camera.ev ? `, ${f.camera.ev > 0 ? '+' : ''}${f.camera.ev} EV` : ''}, q${f.quality})`,
        scene,
        exif: { camera, at: at(f.t), ...(offset !== undefined ? { offset } : {}), ...exposure },
      },
      { framing: f.framing, camera: f.camera, quality: f.quality },
    ),
  );
}

/** A burst base window: the scene seen 1/1.12 wide, so frames can move without leaving it. */
const BW = 1 / 1.12;

function birdBurst(folder: string, names: readonly string[], frames: number): Planned[] {
  const all: BurstFrame[] = [
    { name: names[0] ?? '', t: 0, framing: { scale: BW }, camera: { noise: 2 }, quality: 92 },
    {
      name: names[1] ?? '',
      t: 350,
      framing: { cx: 0.515, cy: 0.495, scale: BW / 1.02, angle: 0.6 },
      camera: { ev: 0.2, noise: 3 },
      quality: 88,
    },
    {
      name: names[2] ?? '',
      t: 700,
      framing: { cx: 0.53, cy: 0.505, scale: BW / 0.98, angle: -0.8 },
      camera: { ev: -0.3, noise: 3, blur: 3 },
      quality: 75,
    },
    {
      name: names[3] ?? '',
      t: 1300,
      framing: { cx: 0.49, cy: 0.51, scale: BW / 1.03, angle: 1 },
      camera: { ev: 0.5, noise: 4 },
      quality: 95,
    },
    {
      name: names[4] ?? '',
      t: 1650,
      framing: { cx: 0.52, cy: 0.49, scale: BW, angle: -1 },
      camera: { ev: -0.5, noise: 5, blur: 2.2 },
      quality: 60,
    },
    { name: names[5] ?? '', t: 2400, framing: { cx: 0.505, scale: BW / 0.97, angle: 0.3 }, camera: { noise: 3 }, quality: 85 },
  ];
  return burst(
    folder,
    'bird-burst',
    'bird-nuthatch',
    CANON,
    '2024:05:18 09:12:03',
    '+02:00',
    { exposureTime: 1 / 1000, fNumber: 5.6, iso: 800, focalLength: 105 },
    all.slice(0, frames),
    'burst of a nuthatch on a tree trunk:',
  );
}

function boatsDuplicates(big: boolean): Planned[] {
  const at = Date.UTC(2024, 3, 21, 19, 52, 37, 510);
  const exif: Capture = { camera: IPHONE, at, offset: '+01:00', exposureTime: 1 / 120, fNumber: 1.6, iso: 64, focalLength: 5.1 };
  const base = { cluster: 'boats-dup', kind: 'duplicate' as const, scene: 'boats-lake' as const };
  return [
    derivedCopy(
      { ...base, relativePath: '2024/IMG_0042.JPG', note: `original export${big ? ', upscaled to 2000 px' : ''}, EXIF kept`, exif },
      { format: 'jpeg', quality: 92, ...(big ? { width: 2000 } : {}) },
    ),
    derivedCopy(
      { ...base, relativePath: 'backup/IMG_0042.JPG', note: 'same name in backup/: 60 % resized copy, q80, EXIF kept', exif },
      { format: 'jpeg', quality: 80, resize: 0.6 },
    ),
    heicFile({ ...base, relativePath: 'phone-export/IMG_0042.HEIC', note: 'HEIC copy (test/fixtures/heic/boats-lake.heic), no EXIF' }),
    derivedCopy(
      {
        ...base,
        relativePath: `backup/${big ? 'edits/' : ''}IMG_0042-crop.jpg`,
        note: '2 % crop (1 % each side), q88, EXIF stripped',
        exif: null,
      },
      { format: 'jpeg', quality: 88, cropEachSide: 0.01 },
    ),
  ];
}

function lookalikeMountains(folder: string, names: readonly [string, string]): Planned[] {
  const at = clock('2023:08:05 16:20:05');
  const cap = { exposureTime: 1 / 400, fNumber: 8, iso: 100, focalLength: 35 };
  return [
    shotFile(
      {
        relativePath: `${folder}/${names[0]}`,
        cluster: null,
        kind: null,
        note: 'mountain ridge over an autumn forest; look-alike of the next one',
        scene: 'mountains-ridge',
        exif: { camera: SONY, at: at(0), offset: '+02:00', ...cap },
      },
      { framing: {}, camera: { noise: 1.5 }, quality: 90 },
    ),
    shotFile(
      {
        relativePath: `${folder}/${names[1]}`,
        cluster: null,
        kind: null,
        note: 'different mountain (rocky peaks, meadow) shot 20 s later: must stay apart',
        scene: 'mountains-peaks',
        exif: { camera: SONY, at: at(20_000), offset: '+02:00', ...cap },
      },
      { framing: {}, camera: { noise: 1.5 }, quality: 90 },
    ),
  ];
}

function smallPlan(): Planned[] {
  return [
    ...birdBurst('DCIM/100CANON', ['IMG_0101.JPG', 'IMG_0102.JPG', 'IMG_0103.JPG', 'IMG_0104.JPG', 'IMG_0105.JPG'], 5),
    ...boatsDuplicates(false),
    ...lookalikeMountains('2023/Hike', ['DSC09850.JPG', 'DSC09851.JPG']),
  ];
}

function fullPlan(): Planned[] {
  const park = '2024/2024-05-18 Park';
  const party = '2024/2024-06-02 Party';
  const plan: Planned[] = [];

  // (a) Burst 1: nuthatch, 6 frames in 2.4 s, two of them blurred.
  const birdNames = ['IMG_0101.JPG', 'IMG_0102.JPG', 'IMG_0103.JPG', 'IMG_0104.JPG', 'IMG_0105.JPG', 'IMG_0106.JPG'];
  plan.push(...birdBurst(park, birdNames, 6));
  // A different scene shot 10 s after the burst's last frame: must not join it.
  const parkClock = clock('2024:05:18 09:12:03');
  plan.push(
    shotFile(
      {
        relativePath: `${park}/IMG_0107.JPG`,
        cluster: null,
        kind: null,
        note: 'forest path, shot 10 s after the nuthatch burst: must stay alone',
        scene: 'forest-path',
        exif: {
          camera: CANON,
          at: parkClock(2400 + 10_000),
          offset: '+02:00',
          exposureTime: 1 / 60,
          fNumber: 5.6,
          iso: 1600,
          focalLength: 24,
        },
      },
      { framing: {}, camera: { noise: 3 }, quality: 90 },
    ),
  );

  // (c) Similar shots: dandelions, re-framed and from a moved viewpoint, 9-38 s apart.
  const dand = clock('2024:05:18 09:20:41');
  const dandCap = { exposureTime: 1 / 640, fNumber: 4, iso: 200, focalLength: 70 };
  const dandBase = { cluster: 'dandelions-similar', kind: 'similar' as const, scene: 'dandelions' as const };
  plan.push(
    shotFile(
      {
        ...dandBase,
        relativePath: `${park}/IMG_0110.JPG`,
        note: 'dandelions: first framing',
        exif: { camera: CANON, at: dand(0), offset: '+02:00', ...dandCap },
      },
      { framing: { cx: 0.46, scale: 0.86 }, camera: { noise: 2 }, quality: 90 },
    ),
    shotFile(
      {
        ...dandBase,
        relativePath: `${park}/IMG_0111.JPG`,
        note: "dandelions: tighter re-framing (65 % of the first one's area), 9 s later",
        exif: { camera: CANON, at: dand(9_120), offset: '+02:00', ...dandCap, focalLength: 88 },
      },
      { framing: { cx: 0.4, cy: 0.45, scale: 0.69 }, camera: { noise: 2, ev: 0.15 }, quality: 90 },
    ),
    shotFile(
      {
        ...dandBase,
        relativePath: `${park}/IMG_0112.JPG`,
        note: 'dandelions: viewpoint moved right (13 % of the width), slight perspective and scale change, 23 s later',
        exif: { camera: CANON, at: dand(23_400), offset: '+02:00', ...dandCap },
      },
      { framing: { cx: 0.59, scale: 0.8, keystone: 0.04 }, camera: { noise: 2, ev: -0.2 }, quality: 88 },
    ),
    shotFile(
      {
        ...dandBase,
        relativePath: `${park}/IMG_0113.JPG`,
        note: 'dandelions: back near the first framing, camera tilted 1.5 deg, 38 s later',
        exif: { camera: CANON, at: dand(38_050), offset: '+02:00', ...dandCap },
      },
      { framing: { cx: 0.5, cy: 0.48, scale: 0.83, angle: 1.5 }, camera: { noise: 2 }, quality: 86 },
    ),
  );

  // (d) Exposure bracket -2 / 0 / +2 EV (camera order 0, -, +) of the stream, within 0.6 s.
  const br = clock('2024:05:18 09:31:10');
  const brBase = { cluster: 'stream-bracket', kind: 'burst' as const, scene: 'stream-forest' as const };
  const brCap = { fNumber: 8, iso: 400, focalLength: 35 };
  plan.push(
    shotFile(
      {
        ...brBase,
        relativePath: `${park}/IMG_0120.JPG`,
        note: 'stream bracket 0 EV',
        exif: { camera: CANON, at: br(0), offset: '+02:00', ...brCap, exposureTime: 1 / 60 },
      },
      { framing: { scale: 1 / 1.05 }, camera: { noise: 2 }, quality: 90 },
    ),
    shotFile(
      {
        ...brBase,
        relativePath: `${park}/IMG_0121.JPG`,
        note: 'stream bracket -2 EV, +0.3 s',
        exif: { camera: CANON, at: br(300), offset: '+02:00', ...brCap, exposureTime: 1 / 250 },
      },
      { framing: { cx: 0.503, cy: 0.498, scale: 1 / 1.05 }, camera: { ev: -2, noise: 2 }, quality: 90 },
    ),
    shotFile(
      {
        ...brBase,
        relativePath: `${park}/IMG_0122.JPG`,
        note: 'stream bracket +2 EV, +0.6 s',
        exif: { camera: CANON, at: br(600), offset: '+02:00', ...brCap, exposureTime: 1 / 15 },
      },
      { framing: { cx: 0.497, cy: 0.503, scale: 1 / 1.05 }, camera: { ev: 2, noise: 2 }, quality: 90 },
    ),
  );

  // Look-alike flower close-ups 12 s apart: must stay apart.
  const fl = clock('2024:05:18 09:40:02');
  const flCap = { exposureTime: 1 / 320, fNumber: 4, iso: 200, focalLength: 105 };
  plan.push(
    shotFile(
      {
        relativePath: `${park}/IMG_0130.JPG`,
        cluster: null,
        kind: null,
        note: 'orange gerbera close-up; look-alike of IMG_0131',
        scene: 'flower-orange',
        exif: { camera: CANON, at: fl(0), offset: '+02:00', ...flCap },
      },
      { framing: {}, camera: { noise: 1.5 }, quality: 90 },
    ),
    shotFile(
      {
        relativePath: `${park}/IMG_0131.JPG`,
        cluster: null,
        kind: null,
        note: 'yellow flower close-up 12 s later: a different flower, must stay apart',
        scene: 'flower-yellow',
        exif: { camera: CANON, at: fl(12_300), offset: '+02:00', ...flCap },
      },
      { framing: {}, camera: { noise: 1.5 }, quality: 90 },
    ),
  );

  // (a) Burst 2: group of six people indoors, 5 frames, noisy (high ISO), one blurred.
  const partyCap = { exposureTime: 1 / 60, fNumber: 2.8, iso: 3200, focalLength: 35 };
  plan.push(
    ...burst(
      party,
      'people-burst',
      'people-group',
      NIKON,
      '2024:06:02 21:40:12',
      '+02:00',
      partyCap,
      [
        { name: 'DSC_2201.jpg', t: 0, framing: { scale: BW }, camera: { noise: 6 }, quality: 90 },
        {
          name: 'DSC_2202.jpg',
          t: 450,
          framing: { cx: 0.48, cy: 0.505, scale: BW / 1.01, angle: -0.7 },
          camera: { noise: 6, ev: 0.3 },
          quality: 85,
        },
        {
          name: 'DSC_2203.jpg',
          t: 900,
          framing: { cx: 0.52, cy: 0.495, scale: BW / 0.98, angle: 0.9 },
          camera: { noise: 7, blur: 3.5 },
          quality: 80,
        },
        {
          name: 'DSC_2204.jpg',
          t: 1800,
          framing: { cx: 0.51, cy: 0.51, scale: BW / 1.03, angle: 0.4 },
          camera: { noise: 6, ev: -0.4 },
          quality: 95,
        },
        { name: 'DSC_2205.jpg', t: 2300, framing: { cx: 0.495, scale: BW, angle: -0.2 }, camera: { noise: 8 }, quality: 70 },
      ],
      'burst of a group of six people on stairs:',
    ),
  );
  const pc = clock('2024:06:02 21:40:12');
  plan.push(
    shotFile(
      {
        relativePath: `${party}/DSC_2206.jpg`,
        cluster: null,
        kind: null,
        note: 'portrait (another person), 10 s after the group burst: must stay alone',
        scene: 'portrait-costume',
        exif: { camera: NIKON, at: pc(2300 + 10_000), offset: '+02:00', ...partyCap, focalLength: 50 },
      },
      { framing: {}, camera: { noise: 6 }, quality: 90 },
    ),
    shotFile(
      {
        relativePath: `${party}/DSC_2214.jpg`,
        cluster: null,
        kind: null,
        note: 'portrait of a smiling woman, 3 min later',
        scene: 'portrait-smile',
        exif: { camera: NIKON, at: pc(180_000), offset: '+02:00', ...partyCap, focalLength: 50 },
      },
      { framing: {}, camera: { noise: 6 }, quality: 90 },
    ),
  );

  // (b) Duplicates of the boats photo (iPhone): big original, same-name resized copy in backup/, HEIC, stripped crop.
  plan.push(...boatsDuplicates(true));

  // (b) Duplicates of the friends photo: original with EXIF, re-encoded backup copy, PNG and HEIC without EXIF.
  const friendsCap: Capture = {
    camera: PANASONIC,
    at: Date.UTC(2023, 6, 29, 22, 15, 8, 0),
    exposureTime: 1 / 30,
    fNumber: 3.3,
    iso: 1600,
    focalLength: 4.3,
  };
  const friends = { cluster: 'friends-dup', kind: 'duplicate' as const, scene: 'people-friends' as const };
  plan.push(
    derivedCopy(
      { ...friends, relativePath: '2023/Summer/P1000231.JPG', note: 'four friends, original, q90', exif: friendsCap },
      { format: 'jpeg', quality: 90 },
    ),
    derivedCopy(
      { ...friends, relativePath: 'backup/2023/P1000231.JPG', note: 're-encoded q65 copy, EXIF kept', exif: friendsCap },
      { format: 'jpeg', quality: 65 },
    ),
    derivedCopy({ ...friends, relativePath: 'phone-export/P1000231.png', note: 'PNG copy, no EXIF', exif: null }, { format: 'png' }),
    heicFile({
      ...friends,
      relativePath: 'phone-export/P1000231.heic',
      note: 'HEIC copy (test/fixtures/heic/people-friends.heic), no EXIF',
    }),
  );

  // (b) Duplicates with no EXIF at all: must be grouped on looks alone.
  const fig = { cluster: 'fig-dup', kind: 'duplicate' as const, scene: 'fig-bowl' as const, exif: null };
  plan.push(
    derivedCopy(
      { ...fig, relativePath: 'Downloads/fig-bowl.jpg', note: 'downloaded image, no EXIF, q92' },
      { format: 'jpeg', quality: 92 },
    ),
    derivedCopy(
      { ...fig, relativePath: 'Downloads/fig-bowl (1).jpg', note: 'second download, re-encoded q72, no EXIF' },
      { format: 'jpeg', quality: 72 },
    ),
    derivedCopy(
      { ...fig, relativePath: 'Downloads/fig-bowl-crop.JPG', note: '2 % crop, no EXIF' },
      { format: 'jpeg', quality: 90, cropEachSide: 0.01 },
    ),
    derivedCopy(
      { ...fig, relativePath: 'backup/misc/fig_small.jpg', note: '60 % resized copy, no EXIF' },
      { format: 'jpeg', quality: 85, resize: 0.6 },
    ),
  );

  // (a) Burst with a wrong camera clock (reset to 2009), stored sideways with Orientation 6.
  plan.push(
    ...burst(
      '2024/old-camera',
      'dogs-burst-wrong-clock',
      'dogs-window',
      COOLPIX,
      '2009:01:01 00:04:10',
      undefined,
      { exposureTime: 1 / 125, fNumber: 2.8, iso: 200, focalLength: 6, orientation: 6 },
      [
        { name: 'DSCN0001.JPG', t: 0, framing: { scale: BW }, camera: { noise: 4 }, quality: 88 },
        {
          name: 'DSCN0002.JPG',
          t: 600,
          framing: { cx: 0.52, cy: 0.49, scale: BW / 1.02, angle: 0.8 },
          camera: { noise: 4, ev: 0.25 },
          quality: 82,
        },
        {
          name: 'DSCN0003.JPG',
          t: 1250,
          framing: { cx: 0.485, cy: 0.505, scale: BW / 0.98, angle: -0.6 },
          camera: { noise: 5, blur: 2.5 },
          quality: 78,
        },
        {
          name: 'DSCN0004.JPG',
          t: 2100,
          framing: { cx: 0.51, cy: 0.51, scale: BW, angle: -1.2 },
          camera: { noise: 4, ev: -0.35 },
          quality: 90,
        },
      ],
      'burst of two dogs at a window, camera clock off by 15 years, stored sideways (Orientation 6):',
    ),
  );

  // (c) Similar shots of a building facade: re-framed and from a moved viewpoint, 14-36 s apart.
  const fa = clock('2023:09:16 11:05:20');
  const faCap = { exposureTime: 1 / 500, fNumber: 8, iso: 100, focalLength: 28 };
  const facade = { cluster: 'facade-similar', kind: 'similar' as const, scene: 'building-facade' as const };
  plan.push(
    shotFile(
      {
        ...facade,
        relativePath: '2023/City/DSC09811.JPG',
        note: 'facade: first framing',
        exif: { camera: SONY, at: fa(0), offset: '+02:00', ...faCap },
      },
      { framing: { cx: 0.45, scale: 0.85 }, camera: { noise: 1.5 }, quality: 90 },
    ),
    shotFile(
      {
        ...facade,
        relativePath: '2023/City/DSC09812.JPG',
        note: 'facade: tighter re-framing (70 % of the area), 14 s later',
        exif: { camera: SONY, at: fa(14_000), offset: '+02:00', ...faCap, focalLength: 34 },
      },
      { framing: { cx: 0.41, cy: 0.55, scale: 0.71 }, camera: { noise: 1.5 }, quality: 90 },
    ),
    shotFile(
      {
        ...facade,
        relativePath: '2023/City/DSC09815.JPG',
        note: 'facade: viewpoint moved right (13 % of the width), perspective change, 36 s later',
        exif: { camera: SONY, at: fa(36_000), offset: '+02:00', ...faCap },
      },
      { framing: { cx: 0.58, scale: 0.8, keystone: -0.05 }, camera: { noise: 1.5, ev: 0.15 }, quality: 88 },
    ),
  );

  // Look-alike mountains 20 s apart, and a third mountain photo with camera EXIF but no time.
  plan.push(...lookalikeMountains('2023/Hike', ['DSC09850.JPG', 'DSC09851.JPG']));
  plan.push(
    derivedCopy(
      {
        relativePath: '2023/Hike/edited/sunset.jpg',
        cluster: null,
        kind: null,
        note: 'dark mountain ridge at sunset, edited: EXIF without any date',
        scene: 'mountains-dusk',
        exif: { camera: SONY, at: null, software: 'GIMP 2.10.34' },
      },
      { format: 'jpeg', quality: 90 },
    ),
    shotFile(
      {
        relativePath: '2023/Hike/DSC09870.JPG',
        cluster: null,
        kind: null,
        note: 'lake at dusk, same evening',
        scene: 'lake-dusk',
        exif: {
          camera: SONY,
          at: clock('2023:08:05 21:48:40')(0),
          offset: '+02:00',
          exposureTime: 1 / 8,
          fNumber: 8,
          iso: 100,
          focalLength: 28,
        },
      },
      { framing: {}, camera: { noise: 2 }, quality: 90 },
    ),
  );
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

async function runLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Writes the library under `root` (created if missing; must be empty) and returns its truth.
 * Nothing but photos is written under root.
 */
export async function buildLibrary(root: string, options: BuildLibraryOptions = {}): Promise<Library> {
  const variant = options.variant ?? 'full';
  await mkdir(root, { recursive: true });
  const existing = await readdir(root);
  if (existing.length > 0) throw new Error(`buildLibrary: ${root} is not empty`);

  const plan = variant === 'full' ? fullPlan() : smallPlan();
  const seen = new Set<string>();
  for (const p of plan) {
    if (seen.has(p.relativePath)) throw new Error(`duplicate path in plan: ${p.relativePath}`);
    seen.add(p.relativePath);
  }

  const scenes = new Map<FixtureName, Promise<Rgb>>();
  const ctx: RenderContext = {
    scene(name) {
      let s = scenes.get(name);
      if (s === undefined) {
        options.onSceneDecode?.(name);
        s = decodeRgb(fixturePhotoPath(name));
        scenes.set(name, s);
      }
      return s;
    },
  };

  const photos: LibraryPhoto[] = new Array<LibraryPhoto>(plan.length);
  await runLimited(plan, 4, async (p, index) => {
    const rendered = await p.render(ctx);
    let bytes = rendered.bytes;
    if (p.exif !== null) {
      if (p.format !== 'jpeg') throw new Error(`${p.relativePath}: EXIF only written into JPEGs here`);
      bytes = writeExif(bytes, exifFields(p.exif));
    }
    const file = path.join(root, ...p.relativePath.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes);
    const time = p.exif?.at ?? null;
    const fields = p.exif === null ? null : exifFields(p.exif);
    // Camera files keep their capture time as mtime; copies get the time they were copied.
    const mtimeMs = time ?? COPY_TIME + index * 60_000;
    await utimes(file, mtimeMs / 1000, mtimeMs / 1000);
    photos[index] = {
      relativePath: p.relativePath,
      cluster: p.cluster,
      kind: p.kind,
      note: p.note,
      scene: p.scene,
      format: p.format,
      hasExif: p.exif !== null,
      takenAt: fields?.dateTimeOriginal ?? null,
      subSec: fields?.subSecTimeOriginal ?? null,
      offset: fields?.offsetTimeOriginal ?? null,
      orientation: fields?.orientation ?? 1,
      width: rendered.width,
      height: rendered.height,
      mtimeMs,
    };
  });

  photos.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  const byLabel = new Map<string, { kind: GroupKind; members: string[] }>();
  for (const p of photos) {
    if (p.cluster === null) continue;
    if (p.kind === null) throw new Error(`${p.relativePath}: cluster without kind`);
    const c = byLabel.get(p.cluster) ?? { kind: p.kind, members: [] };
    if (c.kind !== p.kind) throw new Error(`cluster ${p.cluster} mixes kinds`);
    c.members.push(p.relativePath);
    byLabel.set(p.cluster, c);
  }
  const clusters: LibraryCluster[] = [...byLabel.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, c]) => ({ label, kind: c.kind, members: c.members }));
  for (const c of clusters) {
    if (c.members.length < 3) throw new Error(`cluster ${c.label} has fewer than 3 members`);
  }
  return { root, variant, photos, clusters };
}
