/**
 * Verifies a candidate pair on the photos' sketches: finds the zoom and shift that best align
 * the two 32x32 luma sketches (coarse-to-fine over an 8/16/32 pyramid), then classifies the
 * pair from the alignment, the correlation and the colours. dHash finds candidates cheaply;
 * this decides, and it is what keeps look-alike scenes apart.
 */
import {
  type Alignment,
  correlate,
  coarseCandidates,
  forEachMapped,
  IDENTITY,
  type Level,
  overlapMeans,
  refine,
  type SearchRange,
} from './alignment.js';
import { type LocalAgreement, localAgreement } from './local-agreement.js';
import { resizeArea } from './pixels.js';

export type { Alignment, SearchRange } from './alignment.js';
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
  /** Region-by-region agreement of the band-pass sketches under the alignment (core/local-agreement.ts). */
  readonly local: LocalAgreement;
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

/** Limits of each class; a pair falls in the tightest class whose limits it meets. */
export const CLASS_LIMITS = {
  duplicate: { maxLogScale: 0.025, maxShift: 0.03, minCorrelation: 0.95, minDetail: 0.95, maxBrightness: 0.08, maxChroma: 0.02 },
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
  const local = localAgreement(a.detail, b.detail, a.raw, b.raw, alignment);
  return { cls: classify(alignment, correlation, detail, brightness, chroma), correlation, detail, alignment, brightness, chroma, local };
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

/** Sum of both correlations at full sketch size, how finalists are judged (max 2). */
function finalScore(a: PreparedSketch, b: PreparedSketch, al: Alignment): number {
  return correlate(a.levels[2]!, b.levels[2]!, SKETCH_SIZE, al) + correlate(a.detail, b.detail, SKETCH_SIZE, al);
}

/**
 * Above this final score an alignment found near the identity is taken as is: copies, bursts and
 * brackets all sit there, and skipping the wide search makes them cheap.
 */
const FAST_ACCEPT = 1.8;

/**
 * Refines from the identity first (always tried: a clipped bracket can lure a coarse search to a
 * wrong zoom); only when that is not clearly right, a coarse 8x8 grid over the whole range seeds
 * three more refinements at 16x16, and the best of them is refined at 32x32 (refining all three
 * at full size costs twice as much and never changed the winner on the quality library).
 */
function align(a: PreparedSketch, b: PreparedSketch, range: SearchRange): Alignment {
  const mid: Level = { a: a.levels[1]!, b: b.levels[1]!, n: 16 };
  const full: Level = { a: a.levels[2]!, b: b.levels[2]!, n: SKETCH_SIZE };
  const score = (level: Level, al: Alignment): number => correlate(level.a, level.b, level.n, al);
  const near = refine([mid, full], IDENTITY, range, score);
  let best = { al: near, score: finalScore(a, b, near) };
  if (best.score >= FAST_ACCEPT) return best.al;
  let seed: { al: Alignment; score: number } | null = null;
  for (const start of coarseCandidates({ a: a.levels[0]!, b: b.levels[0]!, n: 8 }, range, 3)) {
    const al = refine([mid], start, range, score);
    const s = score(mid, al);
    if (seed === null || s > seed.score + 1e-9) seed = { al, score: s };
  }
  if (seed !== null) {
    const al = refine([full], seed.al, range, score, 1);
    const s = finalScore(a, b, al);
    if (s > best.score + 1e-9) best = { al, score: s };
  }
  return best.al;
}

function brightnessShift(a: Float32Array, b: Float32Array, al: Alignment): number {
  const [ma, mb] = overlapMeans(a, b, SKETCH_SIZE, al);
  return Math.log((mb + 1) / (ma + 1));
}

/**
 * Mean absolute chromaticity difference of the aligned colour sketches over the three quarters of
 * cells that agree best: a saturated subject crossing a quarter of the frame (a red truck) leaves
 * the scene's colours alone, while two scenes of another colour (a red and a green leaf) differ
 * everywhere.
 */
function chromaDifference(a: Float32Array, b: Float32Array, al: Alignment): number {
  const n = COLOR_SIZE;
  const plane = (src: Float32Array, channel: number): Float32Array => {
    const out = new Float32Array(n * n);
    for (let i = 0; i < n * n; i++) out[i] = src[i * 2 + channel]!;
    return out;
  };
  const diffs: number[] = [];
  for (const channel of [0, 1]) {
    const pb = plane(b, channel);
    let k = 0;
    forEachMapped(plane(a, channel), n, al, (bi, av) => {
      // Both passes visit the same cells in the same order: sum the two channels per cell.
      diffs[k] = (diffs[k] ?? 0) + Math.abs(av - pb[bi]!) / 2;
      k++;
    });
  }
  if (diffs.length === 0) return 1;
  diffs.sort((x, y) => x - y);
  const keep = Math.max(1, Math.ceil(diffs.length * 0.75));
  let total = 0;
  for (let k = 0; k < keep; k++) total += diffs[k]!;
  return total / keep;
}
