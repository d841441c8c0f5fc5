/**
 * Exposure fusion (Mertens, Kautz & Van Reeth 2007): blends aligned bracket frames into one 8-bit
 * image without exposure times or a radiance map. Each pixel of each frame is weighted by local
 * contrast, colour saturation and closeness to mid-grey; the weights change abruptly, so they are
 * applied per band of a Laplacian pyramid (smoothed by the matching Gaussian pyramid), which
 * leaves no seams or halos where the best frame changes.
 *
 * Frames may be 12-24 MP, so inputs stay 8-bit, everything else is Float32, and the blend runs one
 * colour channel at a time: besides the weights' Gaussian pyramids, only the result pyramid and
 * one frame's pyramid of one channel are alive. Pyramid steps stream row by row through small
 * scratch rows rather than whole-image temporaries.
 */
import { type RgbImage, toLuma } from './pixels.js';

export interface FusionOptions {
  /** Exponent applied to the fused result (0..1 values) before it is made 8-bit: out = v ** exponent. Default 1. */
  readonly exponent?: number;
}

/** Spread of the well-exposedness Gaussian around mid-grey (values 0..1). */
const SIGMA = 0.2;

/** Keeps every weight positive, so pixels no frame exposes well get an even mix. */
const EPSILON = 1e-12;

/** The pyramid halves until its short side is at most this (so the coarsest level is 9..16 px). */
const COARSEST = 16;

/** One level of a pyramid: a single-channel float image. */
interface Plane {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

/** Rows the pyramid steps stream through; sized for the finest level. */
interface Scratch {
  /** A row with 2 mirrored samples at either end (the 5-tap kernel's reach). */
  readonly padded: Float32Array;
  /** One expanded row of a fine level. */
  readonly line: Float32Array;
}

/** Fuses 2+ aligned frames of the same size into one 8-bit RGB image of that size. Throws RangeError on fewer than 2 frames or different sizes. */
export function fuseExposures(frames: readonly RgbImage[], options: FusionOptions = {}): RgbImage {
  if (frames.length < 2) throw new RangeError(`fusion needs at least 2 frames, got ${frames.length}`);
  const { width, height } = frames[0]!;
  for (const frame of frames) {
    if (frame.width !== width || frame.height !== height) {
      throw new RangeError(`frames differ in size (${width}x${height} and ${frame.width}x${frame.height})`);
    }
  }
  const exponent = options.exponent ?? 1;
  if (!(exponent > 0) || !Number.isFinite(exponent)) throw new RangeError(`exponent must be a positive number, got ${exponent}`);
  return blendWeighted(frames, normalizedWeights(frames), exponent);
}

/**
 * Multi-band blend of two same-size images: `over` where `mask` is 1, `base` where it is 0, the
 * mask's edge smoothed per band (wide for coarse detail, narrow for fine), so neither a seam nor a
 * halo shows. `mask` holds one 0..1 value per pixel.
 */
export function blendMultiBand(base: RgbImage, over: RgbImage, mask: Float32Array): RgbImage {
  if (base.width !== over.width || base.height !== over.height || mask.length !== base.width * base.height) {
    throw new RangeError(`blend inputs differ in size (${base.width}x${base.height}, ${over.width}x${over.height}, mask ${mask.length})`);
  }
  const inverse = new Float32Array(mask.length);
  for (let i = 0; i < mask.length; i++) inverse[i] = 1 - mask[i]!;
  return blendWeighted([base, over], [inverse, mask], 1);
}

/** The frames mixed per band of their Laplacian pyramids by per-pixel weights that sum to 1. */
function blendWeighted(frames: readonly RgbImage[], pixelWeights: readonly Float32Array[], exponent: number): RgbImage {
  const { width, height } = frames[0]!;
  const sizes = levelSizes(width, height);
  const scratch: Scratch = { padded: new Float32Array(width + 4), line: new Float32Array(width) };
  const weights = pixelWeights.map((w) => gaussianPyramid({ data: w, width, height }, sizes, scratch));
  const result = sizes.map(plane);
  const channel = sizes.map(plane);
  const top = sizes.length - 1;
  const tones = toneTables(exponent);
  const out = new Uint8Array(width * height * 3);

  for (let c = 0; c < 3; c++) {
    for (const level of result) level.data.fill(0);
    frames.forEach((frame, k) => {
      extractChannel(frame, c, channel[0]!.data);
      for (let l = 0; l < top; l++) reduce(channel[l]!, channel[l + 1]!, scratch);
      const w = weights[k]!;
      for (let l = 0; l < top; l++) addWeightedBand(result[l]!, w[l]!, channel[l]!, channel[l + 1]!, scratch);
      const r = result[top]!.data;
      const g = channel[top]!.data;
      const wt = w[top]!.data;
      for (let i = 0; i < r.length; i++) r[i]! += wt[i]! * g[i]!;
    });
    for (let l = top - 1; l >= 0; l--) addExpanded(result[l]!, result[l + 1]!, scratch);
    writeChannel(result[0]!.data, frames, out, c, tones);
  }
  return { data: out, width, height };
}

/** Sizes of the pyramid levels, full size first; each level is ceil(half) of the one before. */
function levelSizes(width: number, height: number): { width: number; height: number }[] {
  const sizes = [{ width, height }];
  let w = width;
  let h = height;
  while (Math.min(w, h) > COARSEST) {
    w = Math.ceil(w / 2);
    h = Math.ceil(h / 2);
    sizes.push({ width: w, height: h });
  }
  return sizes;
}

function plane(size: { width: number; height: number }): Plane {
  return { data: new Float32Array(size.width * size.height), width: size.width, height: size.height };
}

/** Contrast × saturation × well-exposedness per pixel and frame, divided by its sum over the frames. */
function normalizedWeights(frames: readonly RgbImage[]): Float32Array[] {
  const exposedness = new Float32Array(256);
  for (let v = 0; v < 256; v++) exposedness[v] = Math.exp(-((v / 255 - 0.5) ** 2) / (2 * SIGMA * SIGMA));
  const weights = frames.map((frame) => rawWeights(frame, exposedness));
  const n = frames[0]!.width * frames[0]!.height;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const w of weights) sum += w[i]!;
    for (const w of weights) w[i]! /= sum;
  }
  return weights;
}

function rawWeights(frame: RgbImage, exposedness: Float32Array): Float32Array {
  const { data, width, height } = frame;
  const grey = toLuma(frame);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = y > 0 ? row - width : row;
    const down = y < height - 1 ? row + width : row;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const left = x > 0 ? i - 1 : i;
      const right = x < width - 1 ? i + 1 : i;
      // 3x3 Laplacian of the grey image (borders replicated), grey taken as 0..1.
      const contrast = Math.abs(grey[up + x]! + grey[down + x]! + grey[left]! + grey[right]! - 4 * grey[i]!) / 255;
      const p = 3 * i;
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      const mean = (r + g + b) / 3;
      const saturation = Math.sqrt(((r - mean) ** 2 + (g - mean) ** 2 + (b - mean) ** 2) / 3) / 255;
      out[i] = contrast * saturation * exposedness[r]! * exposedness[g]! * exposedness[b]! + EPSILON;
    }
  }
  return out;
}

/** The Gaussian pyramid of `base`; its finest level is `base` itself. */
function gaussianPyramid(base: Plane, sizes: readonly { width: number; height: number }[], scratch: Scratch): Plane[] {
  const levels = [base];
  for (let l = 1; l < sizes.length; l++) {
    const level = plane(sizes[l]!);
    reduce(levels[l - 1]!, level, scratch);
    levels.push(level);
  }
  return levels;
}

/** Channel `c` of the frame as 0..1 floats. */
function extractChannel(frame: RgbImage, c: number, into: Float32Array): void {
  const data = frame.data;
  for (let i = 0, p = c; i < into.length; i++, p += 3) into[i] = data[p]! / 255;
}

/** Reflects an index about the ends without repeating them (…2 1 | 0 1 2 … n-1 | n-2 …). */
function mirror(i: number, n: number): number {
  if (i < 0) return -i;
  return i >= n ? 2 * n - 2 - i : i;
}

/** Blurs `fine` with the 5-tap [1 4 6 4 1]/16 kernel in both directions and keeps every other pixel. */
function reduce(fine: Plane, coarse: Plane, scratch: Scratch): void {
  const { data: src, width: w, height: h } = fine;
  const { data: dst, width: cw, height: ch } = coarse;
  const pad = scratch.padded;
  for (let j = 0; j < ch; j++) {
    const y = 2 * j;
    const r0 = mirror(y - 2, h) * w;
    const r1 = mirror(y - 1, h) * w;
    const r2 = y * w;
    const r3 = mirror(y + 1, h) * w;
    const r4 = mirror(y + 2, h) * w;
    for (let x = 0; x < w; x++) {
      pad[x + 2] = src[r0 + x]! + src[r4 + x]! + 4 * (src[r1 + x]! + src[r3 + x]!) + 6 * src[r2 + x]!;
    }
    // Sample x lives at pad[x + 2]: mirror x = -1, -2, w, w + 1.
    pad[1] = pad[3]!;
    pad[0] = pad[4]!;
    pad[w + 2] = pad[w]!;
    pad[w + 3] = pad[w - 1]!;
    const o = j * cw;
    for (let i = 0; i < cw; i++) {
      const p = 2 * i;
      dst[o + i] = (pad[p]! + pad[p + 4]! + 4 * (pad[p + 1]! + pad[p + 3]!) + 6 * pad[p + 2]!) / 256;
    }
  }
}

/**
 * Row y of `coarse` upsampled to a level `width` wide and `height` high (the exact size of the
 * finer level, odd or even), into scratch.line: zeros between the samples, then the 5-tap kernel
 * times 2 per direction, mirrored about the finer level's edges as in reduce().
 */
function expandRow(coarse: Plane, y: number, width: number, height: number, scratch: Scratch): Float32Array {
  const { data: c, width: cw } = coarse;
  const pad = scratch.padded;
  const line = scratch.line;
  const i = y >> 1;
  // Coarse sample i sits at fine position 2i, so a coarse index outside is mirrored as a fine one.
  if (y & 1) {
    const a = i * cw;
    const b = (mirror(2 * i + 2, height) >> 1) * cw;
    for (let x = 0; x < cw; x++) pad[x + 1] = (c[a + x]! + c[b + x]!) / 2;
  } else {
    const a = (mirror(2 * i - 2, height) >> 1) * cw;
    const b = i * cw;
    const d = (mirror(2 * i + 2, height) >> 1) * cw;
    for (let x = 0; x < cw; x++) pad[x + 1] = (c[a + x]! + 6 * c[b + x]! + c[d + x]!) / 8;
  }
  // Coarse sample x lives at pad[x + 1].
  pad[0] = pad[(mirror(-2, width) >> 1) + 1]!;
  pad[cw + 1] = pad[(mirror(2 * cw, width) >> 1) + 1]!;
  const pairs = width >> 1;
  for (let x = 0; x < pairs; x++) {
    line[2 * x] = (pad[x]! + 6 * pad[x + 1]! + pad[x + 2]!) / 8;
    line[2 * x + 1] = (pad[x + 1]! + pad[x + 2]!) / 2;
  }
  if (width & 1) line[width - 1] = (pad[pairs]! + 6 * pad[pairs + 1]! + pad[pairs + 2]!) / 8;
  return line;
}

/** result += weight × (gaussian − expand(coarser)): one Laplacian band, weighted, added in. */
function addWeightedBand(result: Plane, weight: Plane, gaussian: Plane, coarser: Plane, scratch: Scratch): void {
  const { width, height } = result;
  const r = result.data;
  const w = weight.data;
  const g = gaussian.data;
  for (let y = 0; y < height; y++) {
    const line = expandRow(coarser, y, width, height, scratch);
    for (let x = 0, i = y * width; x < width; x++, i++) r[i]! += w[i]! * (g[i]! - line[x]!);
  }
}

/** fine += expand(coarse): one step of collapsing the result pyramid. */
function addExpanded(fine: Plane, coarse: Plane, scratch: Scratch): void {
  const { width, height } = fine;
  const f = fine.data;
  for (let y = 0; y < height; y++) {
    const line = expandRow(coarse, y, width, height, scratch);
    for (let x = 0, i = y * width; x < width; x++, i++) f[i]! += line[x]!;
  }
}

/** Cells of the table that gives writeChannel a first guess of a value's byte. */
const GUESS_CELLS = 1 << 16;

/**
 * How fused values become bytes: round(255 · v^exponent) for v clamped to 0..1, found by comparing
 * v with the value where each byte begins rather than by a pow per sample (the slowest step
 * otherwise). `start[b]` is where byte b begins; `guess[j]` is the byte of v = j / GUESS_CELLS.
 */
function toneTables(exponent: number): { start: Float64Array; guess: Uint8Array } {
  const start = new Float64Array(257);
  for (let b = 1; b <= 255; b++) start[b] = ((b - 0.5) / 255) ** (1 / exponent);
  start[256] = Infinity;
  const guess = new Uint8Array(GUESS_CELLS + 1);
  for (let j = 0, b = 0; j <= GUESS_CELLS; j++) {
    while (start[b + 1]! <= j / GUESS_CELLS) b++;
    guess[j] = b;
  }
  return { start, guess };
}

/** Writes channel `c` of the interleaved 8-bit output from the fused values. */
/**
 * The fused channel as bytes. Each value is first held within the range the frames show at that
 * pixel: the pyramid blend can push a dark crevice in bright rock below its darkest exposure (the
 * bright frame's detail on the dark frames' base), and no value outside what some frame recorded
 * is a truer picture of the scene.
 */
function writeChannel(
  values: Float32Array,
  frames: readonly RgbImage[],
  out: Uint8Array,
  c: number,
  tables: { start: Float64Array; guess: Uint8Array },
): void {
  const { start, guess } = tables;
  const data = frames.map((f) => f.data);
  for (let i = 0, p = c; i < values.length; i++, p += 3) {
    let lo = 255;
    let hi = 0;
    for (const d of data) {
      const x = d[p]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const v = Math.min(hi / 255, Math.max(lo / 255, values[i]!));
    // The guess is the byte at the cell's lower end; steep curves (small exponents) may need a few steps up.
    let b = guess[(v * GUESS_CELLS) | 0]!;
    while (v >= start[b + 1]!) b++;
    out[p] = b;
  }
}
