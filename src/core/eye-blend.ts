/**
 * The pixel work of an eye swap, pure: a similarity transform fitted (least squares) on face-mesh
 * landmarks that do not move when a person blinks, the donor's eye region warped onto the best
 * frame, its colour and exposure matched on the skin around the eyes, blended per band of a
 * Laplacian pyramid (fusion.ts) across a feathered mask, and a measure of how visible the seam is.
 * Everything outside the mask's outer edge keeps the best frame's bytes.
 */
import { blendMultiBand } from './fusion.js';
import type { RgbImage } from './pixels.js';

export type Point = readonly [number, number];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: rotation, uniform scale and shift. */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

/** Least-squares similarity taking `from[i]` to `to[i]` (closed form, Umeyama without reflection). */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length < 2 || from.length !== to.length)
    throw new RangeError(`Expected 2+ point pairs but received ${from.length} and ${to.length}`);
  const n = from.length;
  const mean = (ps: readonly Point[], k: 0 | 1): number => ps.reduce((s, p) => s + p[k], 0) / n;
  const [fx, fy, tx, ty] = [mean(from, 0), mean(from, 1), mean(to, 0), mean(to, 1)];
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const x = from[i]![0] - fx;
    const y = from[i]![1] - fy;
    const u = to[i]![0] - tx;
    const v = to[i]![1] - ty;
    dot += x * u + y * v;
    cross += x * v - y * u;
    norm += x * x + y * y;
  }
  if (norm === 0) throw new RangeError('Expected landmarks spread over an area but all points coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function applySimilarity(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/** An eye's region: an ellipse along the line through its corners. */
export interface EyeEllipse {
  readonly cx: number;
  readonly cy: number;
  /** Direction of the corner-to-corner line, radians. */
  readonly angle: number;
  readonly along: number;
  readonly across: number;
}

/**
 * The ellipse around an eye from its two corners. Along: the eye and its corners with a margin;
 * across: an open lid (about a third of the width above and below the line) and the crease above
 * it, short of the brow, so the brow stays the best frame's own.
 */
/** The ellipse's half-length along the eye, in eye widths (corner to corner). */
export const EYE_ALONG = 0.72;

export function eyeEllipse(outer: Point, inner: Point): EyeEllipse {
  const width = Math.hypot(inner[0] - outer[0], inner[1] - outer[1]);
  return {
    cx: (outer[0] + inner[0]) / 2,
    cy: (outer[1] + inner[1]) / 2,
    angle: Math.atan2(inner[1] - outer[1], inner[0] - outer[0]),
    along: EYE_ALONG * width,
    across: 0.45 * width,
  };
}

/** `n` points around where the donor's eye is blended in (its blend mask's edge, FADE), in frame pixels. */
export function eyeEdge(e: EyeEllipse, n = 24): Point[] {
  const scale = FADE;
  const [cos, sin] = [Math.cos(e.angle), Math.sin(e.angle)];
  return Array.from({ length: n }, (_, k): Point => {
    const t = (2 * Math.PI * k) / n;
    const [u, v] = [scale * e.along * Math.cos(t), scale * e.across * Math.sin(t)];
    return [e.cx + u * cos - v * sin, e.cy + u * sin + v * cos];
  });
}

/** Mask shape in units of the ellipse: 1 inside INNER, fading to 0 at FADE (blend), and to 0 at OUTER (composite). */
const FADE = 1.4;
const OUTER = 1.9;

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The pixels the eyes' masks can touch (outer edge), with a margin for the pyramid, clipped to the frame. */
export function eyesRect(eyes: readonly EyeEllipse[], width: number, height: number): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const e of eyes) {
    const r = OUTER * Math.max(e.along, e.across) + 4;
    x0 = Math.min(x0, e.cx - r);
    y0 = Math.min(y0, e.cy - r);
    x1 = Math.max(x1, e.cx + r);
    y1 = Math.max(y1, e.cy + r);
  }
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  return { x, y, width: Math.min(width, Math.ceil(x1)) - x, height: Math.min(height, Math.ceil(y1)) - y };
}

const smooth = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

export interface EyeMasks {
  /** Blend weight of the donor per band: 1 over the eyes, feathered to 0 at FADE. */
  readonly blend: Float32Array;
  /** How much of the blended result is kept: 1 to FADE, feathered to 0 at OUTER, 0 beyond. */
  readonly keep: Float32Array;
}

/** Both masks over `rect`, the largest value of any eye at each pixel. */
export function eyeMasks(eyes: readonly EyeEllipse[], rect: Rect): EyeMasks {
  const blend = new Float32Array(rect.width * rect.height);
  const keep = new Float32Array(rect.width * rect.height);
  for (const e of eyes) {
    const cos = Math.cos(e.angle);
    const sin = Math.sin(e.angle);
    for (let y = 0; y < rect.height; y++) {
      for (let x = 0; x < rect.width; x++) {
        const dx = rect.x + x + 0.5 - e.cx;
        const dy = rect.y + y + 0.5 - e.cy;
        const d = Math.hypot((dx * cos + dy * sin) / e.along, (-dx * sin + dy * cos) / e.across);
        const i = y * rect.width + x;
        blend[i] = Math.max(blend[i]!, 1 - smooth((d - 1) / (FADE - 1)));
        keep[i] = Math.max(keep[i]!, 1 - smooth((d - FADE) / (OUTER - FADE)));
      }
    }
  }
  return { blend, keep };
}

export function crop(image: RgbImage, rect: Rect): RgbImage {
  const data = new Uint8Array(rect.width * rect.height * 3);
  for (let y = 0; y < rect.height; y++) {
    const from = ((rect.y + y) * image.width + rect.x) * 3;
    data.set(image.data.subarray(from, from + rect.width * 3), y * rect.width * 3);
  }
  return { data, width: rect.width, height: rect.height };
}

/** The donor resampled (bilinear) onto `rect` of the best frame; `toDonor` maps best-frame pixels to donor pixels. */
export function warpOnto(donor: RgbImage, toDonor: Similarity, rect: Rect): RgbImage {
  const data = new Uint8Array(rect.width * rect.height * 3);
  const { width: w, height: h, data: src } = donor;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      // Pixel centres: (i + 0.5) in both frames.
      const [u, v] = applySimilarity(toDonor, [rect.x + x + 0.5, rect.y + y + 0.5]);
      const sx = Math.min(w - 1, Math.max(0, u - 0.5));
      const sy = Math.min(h - 1, Math.max(0, v - 0.5));
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const x1 = Math.min(w - 1, x0 + 1);
      const y1 = Math.min(h - 1, y0 + 1);
      const fx = sx - x0;
      const fy = sy - y0;
      const o = (y * rect.width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[(y0 * w + x0) * 3 + c]! * (1 - fx) + src[(y0 * w + x1) * 3 + c]! * fx;
        const bottom = src[(y1 * w + x0) * 3 + c]! * (1 - fx) + src[(y1 * w + x1) * 3 + c]! * fx;
        data[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { data, width: rect.width, height: rect.height };
}

/** Gain limits of the colour match: past these the two frames were not lit alike, and stretching hides nothing. */
const GAIN_RANGE = [0.75, 1.33] as const;

/**
 * The patch's colour and exposure matched to the target's, per channel (mean and spread), measured
 * on the skin around the eyes (`ring`: where the mask fades), not on the eyes, which differ on purpose.
 */
export function matchColour(patch: RgbImage, target: RgbImage, ring: Float32Array): RgbImage {
  const data = new Uint8Array(patch.data.length);
  for (let c = 0; c < 3; c++) {
    const p = stats(patch.data, ring, c);
    const t = stats(target.data, ring, c);
    const gain = p.sd > 0 ? Math.min(GAIN_RANGE[1], Math.max(GAIN_RANGE[0], t.sd / p.sd)) : 1;
    for (let i = c; i < data.length; i += 3) data[i] = Math.max(0, Math.min(255, Math.round((patch.data[i]! - p.mean) * gain + t.mean)));
  }
  return { data, width: patch.width, height: patch.height };
}

function stats(data: Uint8Array, weights: Float32Array, c: number): { mean: number; sd: number } {
  let sum = 0;
  let sum2 = 0;
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    const v = data[i * 3 + c]!;
    sum += w * v;
    sum2 += w * v * v;
    total += w;
  }
  if (total === 0) return { mean: 0, sd: 0 };
  const mean = sum / total;
  return { mean, sd: Math.sqrt(Math.max(0, sum2 / total - mean * mean)) };
}

/** Where the masks fade (1 at a mask's middle value, 0 where it is 0 or 1): where a seam would show. */
export function seamBand(masks: EyeMasks): Float32Array {
  const fade = (m: number): number => 1 - Math.abs(2 * m - 1);
  return masks.keep.map((k, i) => Math.max(fade(k), fade(masks.blend[i]!)));
}

/** The skin around the eyes, where colour is compared: inside the kept area, outside the eyes themselves. */
export function colourRing(masks: EyeMasks): Float32Array {
  return masks.keep.map((k, i) => k * (1 - masks.blend[i]!));
}

/**
 * The eye region of `best` replaced by `patch` (already warped and colour-matched, `rect`-sized):
 * blended per band with masks.blend, then faded into the untouched frame with masks.keep.
 */
export function blendEyes(best: RgbImage, patch: RgbImage, rect: Rect, masks: EyeMasks): RgbImage {
  const original = crop(best, rect);
  const blended = blendMultiBand(original, patch, masks.blend);
  const data = new Uint8Array(original.data.length);
  for (let i = 0; i < masks.keep.length; i++) {
    const k = masks.keep[i]!;
    for (let c = 0; c < 3; c++) {
      const o = i * 3 + c;
      data[o] = k === 0 ? original.data[o]! : Math.round(original.data[o]! * (1 - k) + blended.data[o]! * k);
    }
  }
  return { data, width: rect.width, height: rect.height };
}

/** A copy of `image` with `patch` written at `rect`. */
export function paste(image: RgbImage, patch: RgbImage, rect: Rect): RgbImage {
  const data = Uint8Array.from(image.data);
  for (let y = 0; y < rect.height; y++) {
    data.set(patch.data.subarray(y * rect.width * 3, (y + 1) * rect.width * 3), ((rect.y + y) * image.width + rect.x) * 3);
  }
  return { data, width: image.width, height: image.height };
}

/** Seam measure above which a swap shows: a clean swap of the blink fixtures measures about 1.0. */
export const MAX_SEAM = 1.5;

/**
 * Seam measure: gradient energy of the result where the masks fade (`band`, weights), over the
 * original's there. A swap that adds no edge where it fades in scores about 1; a pasted patch
 * with a step in brightness or a misaligned brow scores well above. Luma, forward differences.
 */
export function seamRatio(result: RgbImage, original: RgbImage, band: Float32Array): number {
  const energy = (img: RgbImage): number => {
    const { width: w, height: h, data } = img;
    const luma = (i: number): number => 0.299 * data[i * 3]! + 0.587 * data[i * 3 + 1]! + 0.114 * data[i * 3 + 2]!;
    let sum = 0;
    for (let y = 0; y < h - 1; y++) {
      for (let x = 0; x < w - 1; x++) {
        const i = y * w + x;
        const b = band[i]!;
        if (b === 0) continue;
        const l = luma(i);
        sum += b * ((luma(i + 1) - l) ** 2 + (luma(i + w) - l) ** 2);
      }
    }
    return sum;
  };
  const before = energy(original);
  // A flat band (a wall, an overexposed face) has no energy to compare with: count one grey level of noise.
  return (
    energy(result) /
    Math.max(
      before,
      band.reduce((s, b) => s + b, 0),
    )
  );
}
