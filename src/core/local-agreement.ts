/**
 * How much of a picture agrees with another once aligned, region by region. A global correlation
 * drops when part of the frame changes (a truck driving through, a speaker's hands, a moved
 * viewpoint bending the edges); counting the regions that still agree — each allowed a one-pixel
 * local shift for perspective and roll — keeps the pair, while two different scenes that merely
 * share a light layout agree in few regions. Pure.
 */
import { type Alignment, forEachMapped } from './alignment.js';

/** Side of the sketches compared. */
const N = 32;
/** Blocks per side (8 x 8 pixels each). */
const BLOCKS = 4;
const B = N / BLOCKS;
/** Local shifts tried per block, in sketch pixels. */
const LOCAL = 1;
/** Minimum luma standard deviation (0..255) for a block to carry structure worth judging. */
const MIN_BLOCK_STD = 4;

export interface LocalAgreement {
  /** Blocks of B inside A with structure in both pictures. */
  readonly blocks: number;
  /** Mean of the best three quarters of those blocks' correlations, -1..1 (-1 when no block counts). */
  readonly trimmed: number;
  /** Share of those blocks correlating at 0.5 or better. */
  readonly agreeing: number;
}

/**
 * Compares `b` with `a` resampled under `al`, block by block: band-pass sketches for the
 * correlations (`aDetail`, `bDetail`), raw sketches to tell textured blocks from flat ones.
 */
export function localAgreement(
  aDetail: Float32Array,
  bDetail: Float32Array,
  aRaw: Float32Array,
  bRaw: Float32Array,
  al: Alignment,
): LocalAgreement {
  const warped = new Float32Array(N * N).fill(Number.NaN);
  const warpedRaw = new Float32Array(N * N).fill(Number.NaN);
  forEachMapped(aDetail, N, al, (bi, av) => {
    warped[bi] = av;
  });
  forEachMapped(aRaw, N, al, (bi, av) => {
    warpedRaw[bi] = av;
  });
  const scores: number[] = [];
  for (let by = 0; by < BLOCKS; by++) {
    for (let bx = 0; bx < BLOCKS; bx++) {
      if (blockStd(bRaw, bx, by, 0, 0) < MIN_BLOCK_STD) continue;
      const aStd = blockStd(warpedRaw, bx, by, 0, 0);
      if (Number.isNaN(aStd) || aStd < MIN_BLOCK_STD) continue;
      let best = -1;
      for (let oy = -LOCAL; oy <= LOCAL; oy++) {
        for (let ox = -LOCAL; ox <= LOCAL; ox++) best = Math.max(best, blockCorrelation(warped, bDetail, bx, by, ox, oy));
      }
      scores.push(best);
    }
  }
  if (scores.length === 0) return { blocks: 0, trimmed: -1, agreeing: 0 };
  scores.sort((x, y) => y - x);
  const keep = Math.max(1, Math.ceil(scores.length * 0.75));
  let sum = 0;
  for (let k = 0; k < keep; k++) sum += scores[k]!;
  return { blocks: scores.length, trimmed: sum / keep, agreeing: scores.filter((s) => s >= 0.5).length / scores.length };
}

/** Standard deviation of block (bx, by) of `img` read at offset (ox, oy); NaN when it leaves the picture or A's overlap. */
function blockStd(img: Float32Array, bx: number, by: number, ox: number, oy: number): number {
  let s = 0;
  let ss = 0;
  let count = 0;
  for (let y = by * B + oy; y < (by + 1) * B + oy; y++) {
    if (y < 0 || y >= N) continue;
    for (let x = bx * B + ox; x < (bx + 1) * B + ox; x++) {
      if (x < 0 || x >= N) continue;
      const v = img[y * N + x]!;
      if (Number.isNaN(v)) continue;
      s += v;
      ss += v * v;
      count++;
    }
  }
  // Blocks mostly outside A's overlap are not judged.
  if (count < (B * B) / 2) return Number.NaN;
  return Math.sqrt(Math.max(0, ss / count - (s / count) ** 2));
}

/** Correlation of B's block (bx, by) with A's warped pixels shifted by (ox, oy); -1 when too few overlap. */
function blockCorrelation(a: Float32Array, b: Float32Array, bx: number, by: number, ox: number, oy: number): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let count = 0;
  for (let y = by * B; y < (by + 1) * B; y++) {
    const ay = y + oy;
    if (ay < 0 || ay >= N) continue;
    for (let x = bx * B; x < (bx + 1) * B; x++) {
      const ax = x + ox;
      if (ax < 0 || ax >= N) continue;
      const av = a[ay * N + ax]!;
      if (Number.isNaN(av)) continue;
      const bv = b[y * N + x]!;
      sa += av;
      sb += bv;
      saa += av * av;
      sbb += bv * bv;
      sab += av * bv;
      count++;
    }
  }
  if (count < (B * B) / 2) return -1;
  const va = saa / count - (sa / count) ** 2;
  const vb = sbb / count - (sb / count) ** 2;
  if (va <= 1e-9 || vb <= 1e-9) return 0;
  return (sab / count - (sa / count) * (sb / count)) / Math.sqrt(va * vb);
}
