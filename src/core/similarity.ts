/**
 * Verifies a candidate pair on the photos' sketches: finds the zoom and shift that best align
 * the two 32x32 luma sketches (coarse-to-fine over an 8/16/32 pyramid), then classifies the
 * pair from the alignment, the correlation and the colours. dHash finds candidates cheaply;
 * this decides, and it is what keeps look-alike scenes apart.
 */
import { resizeArea } from './pixels.js';
import { COLOR_SIZE, SKETCH_SIZE } from './types.js';

/** How far apart two photos are allowed to be, tightest first. */
export type PairClass = 'duplicate' | 'burst' | 'similar' | 'different';
export const CLASS_RANK: Readonly<Record<PairClass, number>> = { duplicate: 0, burst: 1, similar: 2, different: 3 };

/** A sketch with its pyramid, prepared once per photo. */
export interface PreparedSketch {
  /** Levels of side 8, 16 and 32, each zero-mean and unit-variance. */
  readonly levels: readonly Float32Array[];
  /** Raw 32x32 luma, for brightness and contrast comparisons. */
  readonly raw: Float32Array;
  /**
   * 32x32 band-pass (sketch minus its blur), zero-mean unit-variance: the structure of the
   * picture without its overall light layout, which two different landscapes often share.
   */
  readonly detail: Float32Array;
  /** 8x8 chromaticity: r/(r+g+b) and g/(r+g+b) per cell, interleaved. */
  readonly chroma: Float32Array;
}

/** Where B's view sits inside A's: B(u) ~ A(0.5 + scale (u - 0.5) + shift), u in 0..1. */
export interface Alignment {
  readonly scale: number;
  readonly dx: number;
  readonly dy: number;
}

export interface PairVerdict {
  readonly cls: PairClass;
  /** Normalized cross-correlation of the aligned sketches, -1..1. */
  readonly correlation: number;
  /** The same for the band-pass sketches: agreement of structure, not just of light layout. */
  readonly detail: number;
  readonly alignment: Alignment;
  /** log of B's mean luma over A's, on the overlap (exposure difference, ~EV/2.2 scaled). */
  readonly brightness: number;
  /** Mean absolute chromaticity difference of the aligned colour sketches, 0..~0.3. */
  readonly chroma: number;
  /** Set when no sketches were available and the dHash distance alone was judged. */
  readonly hashDistance?: number;
}

const LEVEL_SIZES = [8, 16, SKETCH_SIZE] as const;

export function prepareSketch(sketch: Uint8Array, color: Uint8Array): PreparedSketch {
  const raw = Float32Array.from(sketch);
  const levels = LEVEL_SIZES.map((n) => normalize(n === SKETCH_SIZE ? raw : resizeArea(raw, SKETCH_SIZE, SKETCH_SIZE, n, n)));
  const chroma = new Float32Array(COLOR_SIZE * COLOR_SIZE * 2);
  for (let i = 0; i < COLOR_SIZE * COLOR_SIZE; i++) {
    const r = color[i * 3]!;
    const g = color[i * 3 + 1]!;
    const b = color[i * 3 + 2]!;
    const sum = r + g + b + 1;
    chroma[i * 2] = r / sum;
    chroma[i * 2 + 1] = g / sum;
  }
  return { levels, raw, chroma, detail: normalize(localContrast(bandPass(raw, SKETCH_SIZE), SKETCH_SIZE)) };
}

/**
 * Divides each band-pass value by the local RMS around it (7x7), so a region keeps its
 * structure when an exposure change squeezes its contrast (brackets, a bright sky at +2 EV).
 */
function localContrast(img: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sq = 0;
      let count = 0;
      for (let yy = Math.max(0, y - 3); yy <= Math.min(n - 1, y + 3); yy++) {
        for (let xx = Math.max(0, x - 3); xx <= Math.min(n - 1, x + 3); xx++) {
          sq += img[yy * n + xx]! ** 2;
          count++;
        }
      }
      // The floor (in 8-bit luma units) keeps flat, clipped areas from amplifying noise.
      out[y * n + x] = img[y * n + x]! / (Math.sqrt(sq / count) + 2);
    }
  }
  return out;
}

/** Sketch minus a 5x5 box blur of itself (edges clamped). */
function bandPass(img: Float32Array, n: number): Float32Array {
  const out = new Float32Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      let count = 0;
      for (let yy = Math.max(0, y - 2); yy <= Math.min(n - 1, y + 2); yy++) {
        for (let xx = Math.max(0, x - 2); xx <= Math.min(n - 1, x + 2); xx++) {
          sum += img[yy * n + xx]!;
          count++;
        }
      }
      out[y * n + x] = img[y * n + x]! - sum / count;
    }
  }
  return out;
}

function normalize(values: Float32Array): Float32Array {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / values.length) || 1;
  return values.map((v) => (v - mean) / std);
}

/** The geometric freedom a search allows. */
export interface SearchRange {
  readonly maxLogScale: number;
  readonly maxShift: number;
}

/** Limits of each class; a pair falls in the tightest class whose limits it meets. */
export const CLASS_LIMITS = {
  duplicate: { maxLogScale: 0.025, maxShift: 0.03, minCorrelation: 0.95, minDetail: 0.9, maxBrightness: 0.08, maxChroma: 0.02 },
  burst: { maxLogScale: 0.075, maxShift: 0.09, maxChroma: 0.05 },
  similar: { maxLogScale: 0.32, maxShift: 0.3, maxChroma: 0.06 },
} as const;

/** Aligns B onto A within `range` and classifies the pair. */
export function comparePair(a: PreparedSketch, b: PreparedSketch, range: SearchRange): PairVerdict {
  const alignment = align(a, b, range);
  const correlation = correlate(a.levels[2]!, b.levels[2]!, SKETCH_SIZE, alignment);
  const detail = correlate(a.detail, b.detail, SKETCH_SIZE, alignment);
  const brightness = brightnessShift(a.raw, b.raw, alignment);
  const chroma = chromaDifference(a.chroma, b.chroma, alignment);
  return { cls: classify(alignment, correlation, detail, brightness, chroma), correlation, detail, alignment, brightness, chroma };
}

function classify(al: Alignment, corr: number, detail: number, brightness: number, chroma: number): PairClass {
  const logS = Math.abs(Math.log(al.scale));
  const shift = Math.max(Math.abs(al.dx), Math.abs(al.dy));
  const d = CLASS_LIMITS.duplicate;
  if (
    logS <= d.maxLogScale &&
    shift <= d.maxShift &&
    corr >= d.minCorrelation &&
    detail >= d.minDetail &&
    Math.abs(brightness) <= d.maxBrightness &&
    chroma <= d.maxChroma
  ) {
    return 'duplicate';
  }
  const bu = CLASS_LIMITS.burst;
  if (logS <= bu.maxLogScale && shift <= bu.maxShift && chroma <= bu.maxChroma) return 'burst';
  const s = CLASS_LIMITS.similar;
  if (logS <= s.maxLogScale && shift <= s.maxShift && chroma <= s.maxChroma) return 'similar';
  return 'different';
}

/** Coarse grid search at 8x8, then hill-climbing refinement at 16x16 and 32x32. */
function align(a: PreparedSketch, b: PreparedSketch, range: SearchRange): Alignment {
  const scaleStep = 0.03;
  const shiftStep = 1 / 16;
  const scales: number[] = [];
  for (let k = -Math.floor(range.maxLogScale / scaleStep); k * scaleStep <= range.maxLogScale + 1e-9; k++) {
    scales.push(Math.exp(k * scaleStep));
  }
  const shifts: number[] = [];
  for (let k = -Math.floor(range.maxShift / shiftStep); k * shiftStep <= range.maxShift + 1e-9; k++) shifts.push(k * shiftStep);
  const coarse: { al: Alignment; score: number }[] = [];
  for (const scale of scales) {
    for (const dy of shifts) {
      for (const dx of shifts) {
        const al = { scale, dx, dy };
        coarse.push({ al, score: correlate(a.levels[0]!, b.levels[0]!, 8, al) });
      }
    }
  }
  // Stable order: best score, then the smallest move, so ties resolve the same way every run.
  coarse.sort((p, q) => q.score - p.score || moveSize(p.al) - moveSize(q.al));
  let best: { al: Alignment; score: number } | null = null;
  // The identity is always tried: copies and brackets sit there, and a clipped bracket can lure
  // the coarse search to a wrong zoom.
  const starts = [{ al: { scale: 1, dx: 0, dy: 0 }, score: 0 }, ...coarse.slice(0, 4)];
  for (const start of starts) {
    let cur = start.al;
    let step = { s: scaleStep / 2, t: shiftStep / 2 };
    for (const level of [1, 2] as const) {
      const n = LEVEL_SIZES[level];
      cur = climb(a.levels[level]!, b.levels[level]!, n, cur, step, range);
      step = { s: step.s / 2, t: step.t / 2 };
    }
    // Judge the finalists on light layout and structure together, as the verdict will.
    const score = correlate(a.levels[2]!, b.levels[2]!, SKETCH_SIZE, cur) + correlate(a.detail, b.detail, SKETCH_SIZE, cur);
    if (best === null || score > best.score + 1e-9) best = { al: cur, score };
  }
  return best?.al ?? { scale: 1, dx: 0, dy: 0 };
}

function moveSize(al: Alignment): number {
  return Math.abs(Math.log(al.scale)) + Math.abs(al.dx) + Math.abs(al.dy);
}

function climb(
  a: Float32Array,
  b: Float32Array,
  n: number,
  start: Alignment,
  step: { s: number; t: number },
  range: SearchRange,
): Alignment {
  let cur = start;
  let curScore = correlate(a, b, n, cur);
  for (let iter = 0; iter < 6; iter++) {
    let improved = false;
    for (const ds of [-1, 0, 1]) {
      for (const ddy of [-1, 0, 1]) {
        for (const ddx of [-1, 0, 1]) {
          if (ds === 0 && ddx === 0 && ddy === 0) continue;
          const cand = {
            scale: cur.scale * Math.exp(ds * step.s),
            dx: cur.dx + ddx * step.t,
            dy: cur.dy + ddy * step.t,
          };
          if (Math.abs(Math.log(cand.scale)) > range.maxLogScale + 1e-9) continue;
          if (Math.abs(cand.dx) > range.maxShift + 1e-9 || Math.abs(cand.dy) > range.maxShift + 1e-9) continue;
          const score = correlate(a, b, n, cand);
          if (score > curScore + 1e-9) {
            cur = cand;
            curScore = score;
            improved = true;
          }
        }
      }
    }
    if (!improved) break;
  }
  return cur;
}

/** Minimum share of B's pixels that must land inside A for a correlation to count. */
const MIN_OVERLAP = 0.45;

/**
 * Normalized cross-correlation between B and A sampled under the alignment (bilinear), over
 * the pixels of B that fall inside A. Returns -1 when the overlap is too small to judge.
 */
export function correlate(a: Float32Array, b: Float32Array, n: number, al: Alignment): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let count = 0;
  forEachMapped(n, al, (bi, av) => {
    const bv = b[bi]!;
    sa += av;
    sb += bv;
    saa += av * av;
    sbb += bv * bv;
    sab += av * bv;
    count++;
  }, a);
  if (count < MIN_OVERLAP * n * n) return -1;
  const cov = sab / count - (sa / count) * (sb / count);
  const va = saa / count - (sa / count) ** 2;
  const vb = sbb / count - (sb / count) ** 2;
  if (va <= 1e-9 || vb <= 1e-9) return va <= 1e-9 && vb <= 1e-9 ? 1 : 0;
  return cov / Math.sqrt(va * vb);
}

/** Calls `visit(indexInB, sampleOfA)` for each pixel of B whose mapped position lies inside A. */
function forEachMapped(n: number, al: Alignment, visit: (bi: number, av: number) => void, a: Float32Array): void {
  const max = n - 1;
  for (let y = 0; y < n; y++) {
    const ay = (0.5 + al.scale * ((y + 0.5) / n - 0.5) + al.dy) * n - 0.5;
    if (ay < 0 || ay > max) continue;
    const y0 = Math.min(Math.floor(ay), max - 1);
    const fy = ay - y0;
    for (let x = 0; x < n; x++) {
      const ax = (0.5 + al.scale * ((x + 0.5) / n - 0.5) + al.dx) * n - 0.5;
      if (ax < 0 || ax > max) continue;
      const x0 = Math.min(Math.floor(ax), max - 1);
      const fx = ax - x0;
      const i = y0 * n + x0;
      const top = a[i]! + (a[i + 1]! - a[i]!) * fx;
      const bottom = a[i + n]! + (a[i + n + 1]! - a[i + n]!) * fx;
      visit(y * n + x, top + (bottom - top) * fy);
    }
  }
}

function brightnessShift(a: Float32Array, b: Float32Array, al: Alignment): number {
  let sa = 0;
  let sb = 0;
  forEachMapped(SKETCH_SIZE, al, (bi, av) => {
    sa += av;
    sb += b[bi]!;
  }, a);
  return Math.log((sb + 1) / (sa + 1));
}

function chromaDifference(a: Float32Array, b: Float32Array, al: Alignment): number {
  const n = COLOR_SIZE;
  let total = 0;
  let count = 0;
  for (const channel of [0, 1]) {
    const plane = (src: Float32Array): Float32Array => {
      const out = new Float32Array(n * n);
      for (let i = 0; i < n * n; i++) out[i] = src[i * 2 + channel]!;
      return out;
    };
    const pb = plane(b);
    forEachMapped(n, al, (bi, av) => {
      total += Math.abs(av - pb[bi]!);
      count++;
    }, plane(a));
  }
  return count === 0 ? 1 : total / count;
}
