/**
 * Aligns the frames of an exposure bracket: the integer translation between two frames of one
 * scene shot at different exposures, and the crop of a set of frames to the area all of them
 * show. Edges and gradients change with exposure, so they cannot be compared directly; Ward's
 * median threshold bitmaps (2003) can: each frame is split at its own median grey, which lands
 * on the same scene contours whatever the exposure, and pixels close to the median (where noise
 * decides the bit) are left out. The search runs coarse to fine on an image pyramid, so each
 * level only tries the 9 neighbours of the estimate carried up from the level below.
 */
import { type RgbImage, toLuma } from './pixels.js';

/** An integer translation: moving(x + dx, y + dy) shows what reference(x, y) shows. */
export interface Shift {
  readonly dx: number;
  readonly dy: number;
}

/** Grey levels (of 0..255) either side of the median whose pixels take no part in the comparison. */
const EXCLUSION = 4;

/** The pyramid stops halving before its short side would drop below this. */
const MIN_LEVEL_SIZE = 16;

/** Median bins per grey level: pyramid levels hold averages, so the median needs finer steps. */
const BINS_PER_LEVEL = 4;

/** Bit 0 of a bitmap byte: brighter than the median. */
const ABOVE = 1;
/** Bit 1 of a bitmap byte: far enough from the median to be trusted. */
const TRUSTED = 2;

interface Plane {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

interface Bitmap {
  readonly bits: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/**
 * The integer translation that best maps `moving` onto `reference`:
 * moving(x + dx, y + dy) ≈ reference(x, y). Robust to exposure differences (median threshold
 * bitmaps with an exclusion band around the median), searched coarse to fine on an image pyramid,
 * |dx|, |dy| <= maxShift. Both images have the same size.
 */
export function exposureShift(reference: RgbImage, moving: RgbImage, maxShift: number): Shift {
  if (reference.width !== moving.width || reference.height !== moving.height) {
    throw new RangeError(`frames differ in size (${reference.width}x${reference.height} and ${moving.width}x${moving.height})`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new RangeError(`maxShift must be a whole number >= 0, got ${maxShift}`);
  const depth = pyramidDepth(reference.width, reference.height, maxShift);
  const refLevels = pyramid(reference, depth);
  const movLevels = pyramid(moving, depth);
  let dx = 0;
  let dy = 0;
  for (let level = depth - 1; level >= 0; level--) {
    const a = bitmap(refLevels[level]!);
    const b = bitmap(movLevels[level]!);
    const limit = Math.ceil(maxShift / 2 ** level);
    // The coarsest level searches its whole (small) range; finer ones refine the doubled estimate.
    const coarsest = level === depth - 1;
    const cx = coarsest ? 0 : 2 * dx;
    const cy = coarsest ? 0 : 2 * dy;
    const reach = coarsest ? limit : 1;
    let bestCost = Infinity;
    let bestSize = Infinity;
    for (let ty = Math.max(-limit, cy - reach); ty <= Math.min(limit, cy + reach); ty++) {
      for (let tx = Math.max(-limit, cx - reach); tx <= Math.min(limit, cx + reach); tx++) {
        const cost = mismatch(a, b, tx, ty);
        const size = tx * tx + ty * ty;
        if (cost < bestCost || (cost === bestCost && size < bestSize)) {
          bestCost = cost;
          bestSize = size;
          dx = tx;
          dy = ty;
        }
      }
    }
  }
  return { dx, dy };
}

/**
 * The frames cropped to the area every one of them covers once frame i is moved by shifts[i]
 * (shifts[i] as returned by exposureShift against a common reference; the reference has {0,0}),
 * so pixel (x, y) of every output shows the same point of the scene. All outputs have one size.
 */
export function cropToCommon(frames: readonly RgbImage[], shifts: readonly Shift[]): RgbImage[] {
  if (frames.length !== shifts.length) throw new RangeError(`${frames.length} frames but ${shifts.length} shifts`);
  if (frames.length === 0) return [];
  // The common area in the reference's coordinates: x such that 0 <= x + dx < width for every frame.
  let x0 = -Infinity;
  let x1 = Infinity;
  let y0 = -Infinity;
  let y1 = Infinity;
  frames.forEach((frame, i) => {
    const { dx, dy } = shifts[i]!;
    if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new RangeError(`shift ${i} is not whole pixels (${dx}, ${dy})`);
    x0 = Math.max(x0, -dx);
    x1 = Math.min(x1, frame.width - dx);
    y0 = Math.max(y0, -dy);
    y1 = Math.min(y1, frame.height - dy);
  });
  if (x1 <= x0 || y1 <= y0) throw new RangeError('the frames have no area in common');
  const width = x1 - x0;
  const height = y1 - y0;
  return frames.map((frame, i) => {
    const { dx, dy } = shifts[i]!;
    const data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) {
      const from = ((y0 + y + dy) * frame.width + x0 + dx) * 3;
      data.set(frame.data.subarray(from, from + width * 3), y * width * 3);
    }
    return { data, width, height };
  });
}

/** Levels so the coarsest searches about ±2 px, while its short side stays at least MIN_LEVEL_SIZE. */
function pyramidDepth(width: number, height: number, maxShift: number): number {
  let depth = 1;
  while (Math.ceil(maxShift / 2 ** (depth - 1)) > 2 && Math.min(width, height) / 2 ** depth >= MIN_LEVEL_SIZE) depth++;
  return depth;
}

/** Grey levels, full size first, each half the size of the one before (2x2 averages). */
function pyramid(image: RgbImage, depth: number): Plane[] {
  const levels: Plane[] = [{ data: toLuma(image), width: image.width, height: image.height }];
  for (let l = 1; l < depth; l++) {
    const fine = levels[l - 1]!;
    const width = fine.width >> 1;
    const height = fine.height >> 1;
    const src = fine.data;
    const data = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      const r0 = 2 * y * fine.width;
      const r1 = r0 + fine.width;
      for (let x = 0, o = y * width; x < width; x++, o++) {
        const c = 2 * x;
        data[o] = (src[r0 + c]! + src[r0 + c + 1]! + src[r1 + c]! + src[r1 + c + 1]!) / 4;
      }
    }
    levels.push({ data, width, height });
  }
  return levels;
}

/** The median threshold bitmap and its exclusion mask, packed in one byte per pixel. */
function bitmap(plane: Plane): Bitmap {
  const { data, width, height } = plane;
  const bins = 256 * BINS_PER_LEVEL;
  const histogram = new Uint32Array(bins);
  for (let i = 0; i < data.length; i++) histogram[Math.min(bins - 1, Math.floor(data[i]! * BINS_PER_LEVEL))]!++;
  let bin = 0;
  for (let seen = 0; bin < bins - 1; bin++) {
    seen += histogram[bin]!;
    if (2 * seen >= data.length) break;
  }
  const median = (bin + 0.5) / BINS_PER_LEVEL;
  const bits = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    bits[i] = (v > median ? ABOVE : 0) | (Math.abs(v - median) > EXCLUSION ? TRUSTED : 0);
  }
  return { bits, width, height };
}

/**
 * Share of the overlap whose trusted pixels disagree when `b` is moved by (dx, dy): a share, not a
 * count, so that shifts with a smaller overlap are not favoured for comparing fewer pixels.
 */
function mismatch(a: Bitmap, b: Bitmap, dx: number, dy: number): number {
  const { width, height } = a;
  const x0 = Math.max(0, -dx);
  const x1 = Math.min(width, width - dx);
  const y0 = Math.max(0, -dy);
  const y1 = Math.min(height, height - dy);
  if (x1 <= x0 || y1 <= y0) return Infinity;
  const pa = a.bits;
  const pb = b.bits;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    const ra = y * width;
    const rb = (y + dy) * width + dx;
    for (let x = x0; x < x1; x++) {
      const p = pa[ra + x]!;
      const q = pb[rb + x]!;
      count += (p ^ q) & ((p & q) >> 1) & ABOVE;
    }
  }
  return count / ((x1 - x0) * (y1 - y0));
}
