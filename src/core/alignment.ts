/**
 * Finds where one sketch sits inside another: the zoom and shift that best align them. The
 * transform is separable (x maps to x, y to y), so each candidate costs two small lookup tables
 * and one tight bilinear loop; that is what makes verifying hundreds of thousands of pairs
 * affordable.
 */

/** Where B's view sits inside A's: B(u) ~ A(0.5 + scale (u - 0.5) + shift), u in 0..1. */
export interface Alignment {
  readonly scale: number;
  readonly dx: number;
  readonly dy: number;
}

/** The geometric freedom a search allows. */
export interface SearchRange {
  readonly maxLogScale: number;
  readonly maxShift: number;
}

/** One image level of a pair, as the search sees it: A's and B's values on an n x n grid. */
export interface Level {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly n: number;
}

export const IDENTITY: Alignment = { scale: 1, dx: 0, dy: 0 };

/** Minimum share of B's pixels that must land inside A for a correlation to count. */
const MIN_OVERLAP = 0.45;

/** Per-axis sampling table: for each output coordinate, the left source index and the weight. */
interface Axis {
  readonly i0: Int32Array;
  readonly f: Float32Array;
  /** Indices of the output coordinates that land inside the source. */
  readonly inside: Int32Array;
  count: number;
}

const axes = new Map<number, [Axis, Axis]>();

/** Scratch tables per grid size (pure: only ever overwritten before use, never shared out). */
function scratch(n: number): [Axis, Axis] {
  let pair = axes.get(n);
  if (!pair) {
    const make = (): Axis => ({ i0: new Int32Array(n), f: new Float32Array(n), inside: new Int32Array(n), count: 0 });
    pair = [make(), make()];
    axes.set(n, pair);
  }
  return pair;
}

function fillAxis(axis: Axis, n: number, scale: number, shift: number): void {
  const max = n - 1;
  axis.count = 0;
  for (let x = 0; x < n; x++) {
    const ax = (0.5 + scale * ((x + 0.5) / n - 0.5) + shift) * n - 0.5;
    if (ax < 0 || ax > max) continue;
    const x0 = Math.min(Math.floor(ax), max - 1);
    axis.i0[x] = x0;
    axis.f[x] = ax - x0;
    axis.inside[axis.count++] = x;
  }
}

/**
 * Normalized cross-correlation between B and A sampled under `al` (bilinear), over the pixels of
 * B that fall inside A. Returns -1 when the overlap is too small to judge.
 */
export function correlate(a: Float32Array, b: Float32Array, n: number, al: Alignment): number {
  const [ax, ay] = scratch(n);
  fillAxis(ax, n, al.scale, al.dx);
  fillAxis(ay, n, al.scale, al.dy);
  const count = ax.count * ay.count;
  if (count < MIN_OVERLAP * n * n) return -1;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let yi = 0; yi < ay.count; yi++) {
    const y = ay.inside[yi]!;
    const row0 = ay.i0[y]! * n;
    const row1 = row0 + n;
    const fy = ay.f[y]!;
    const brow = y * n;
    for (let xi = 0; xi < ax.count; xi++) {
      const x = ax.inside[xi]!;
      const x0 = ax.i0[x]!;
      const fx = ax.f[x]!;
      const top = a[row0 + x0]! + (a[row0 + x0 + 1]! - a[row0 + x0]!) * fx;
      const bottom = a[row1 + x0]! + (a[row1 + x0 + 1]! - a[row1 + x0]!) * fx;
      const av = top + (bottom - top) * fy;
      const bv = b[brow + x]!;
      sa += av;
      sb += bv;
      saa += av * av;
      sbb += bv * bv;
      sab += av * bv;
    }
  }
  const cov = sab / count - (sa / count) * (sb / count);
  const va = saa / count - (sa / count) ** 2;
  const vb = sbb / count - (sb / count) ** 2;
  if (va <= 1e-9 || vb <= 1e-9) return va <= 1e-9 && vb <= 1e-9 ? 1 : 0;
  return cov / Math.sqrt(va * vb);
}

/** Mean of A (sampled under `al`) and of B over the overlap, for brightness comparisons. */
export function overlapMeans(a: Float32Array, b: Float32Array, n: number, al: Alignment): [number, number] {
  let sa = 0;
  let sb = 0;
  let count = 0;
  forEachMapped(a, n, al, (bi, av) => {
    sa += av;
    sb += b[bi]!;
    count++;
  });
  return count === 0 ? [0, 0] : [sa / count, sb / count];
}

/** Calls `visit(indexInB, sampleOfA)` for each pixel of B whose mapped position lies inside A. */
export function forEachMapped(a: Float32Array, n: number, al: Alignment, visit: (bi: number, av: number) => void): void {
  const [ax, ay] = scratch(n);
  fillAxis(ax, n, al.scale, al.dx);
  fillAxis(ay, n, al.scale, al.dy);
  for (let yi = 0; yi < ay.count; yi++) {
    const y = ay.inside[yi]!;
    const row0 = ay.i0[y]! * n;
    const fy = ay.f[y]!;
    for (let xi = 0; xi < ax.count; xi++) {
      const x = ax.inside[xi]!;
      const x0 = ax.i0[x]!;
      const fx = ax.f[x]!;
      const top = a[row0 + x0]! + (a[row0 + x0 + 1]! - a[row0 + x0]!) * fx;
      const bottom = a[row0 + n + x0]! + (a[row0 + n + x0 + 1]! - a[row0 + n + x0]!) * fx;
      visit(y * n + x, top + (bottom - top) * fy);
    }
  }
}

const SCALE_STEP = 0.03;
const SHIFT_STEP = 1 / 16;

/**
 * Refines `start` by coordinate descent: try one step either way on scale, dx and dy, keep any
 * gain, halve the steps per level (coarse to fine). `score` judges an alignment on a level.
 * `depth` is how many levels finer than the 16x16 one the first of `levels` is (its steps start
 * that many halvings smaller), so a search can continue on a finer level where another stopped.
 */
export function refine(
  levels: readonly Level[],
  start: Alignment,
  range: SearchRange,
  score: (level: Level, al: Alignment) => number,
  depth = 0,
): Alignment {
  let cur = start;
  let step = { s: SCALE_STEP / 2 / 2 ** depth, t: SHIFT_STEP / 2 / 2 ** depth };
  for (const level of levels) {
    let best = score(level, cur);
    for (let iter = 0; iter < 8; iter++) {
      let improved = false;
      for (const [ds, ddx, ddy] of MOVES) {
        const cand = { scale: cur.scale * Math.exp(ds * step.s), dx: cur.dx + ddx * step.t, dy: cur.dy + ddy * step.t };
        if (!withinRange(cand, range)) continue;
        const s = score(level, cand);
        if (s > best + 1e-9) {
          cur = cand;
          best = s;
          improved = true;
        }
      }
      if (!improved) break;
    }
    step = { s: step.s / 2, t: step.t / 2 };
  }
  return cur;
}

const MOVES: readonly (readonly [number, number, number])[] = [
  [1, 0, 0],
  [-1, 0, 0],
  [0, 1, 0],
  [0, -1, 0],
  [0, 0, 1],
  [0, 0, -1],
];

/**
 * Grid steps of the coarse search: one 8x8 pixel of shift and 6 % of zoom. Finer grids only
 * re-found the same seeds at several times the cost; refinement takes it from there.
 */
const COARSE_SCALE_STEP = 0.06;
const COARSE_SHIFT_STEP = 1 / 8;

/**
 * Grid search over the whole range on the coarsest level; returns the best `keep` alignments,
 * best first, ties to the smallest move so the outcome is the same on every run.
 */
export function coarseCandidates(level: Level, range: SearchRange, keep: number): Alignment[] {
  const scales: number[] = [];
  for (let k = -Math.floor(range.maxLogScale / COARSE_SCALE_STEP); k * COARSE_SCALE_STEP <= range.maxLogScale + 1e-9; k++) {
    scales.push(Math.exp(k * COARSE_SCALE_STEP));
  }
  const shifts: number[] = [];
  for (let k = -Math.floor(range.maxShift / COARSE_SHIFT_STEP); k * COARSE_SHIFT_STEP <= range.maxShift + 1e-9; k++)
    shifts.push(k * COARSE_SHIFT_STEP);
  // The best `keep` so far, best first (a short insertion list: no sort of the whole grid).
  const best: { al: Alignment; score: number; move: number }[] = [];
  for (const scale of scales) {
    for (const dy of shifts) {
      for (const dx of shifts) {
        const al = { scale, dx, dy };
        const entry = { al, score: correlate(level.a, level.b, level.n, al), move: moveSize(al) };
        let at = best.length;
        while (at > 0 && (best[at - 1]!.score < entry.score || (best[at - 1]!.score === entry.score && best[at - 1]!.move > entry.move)))
          at--;
        if (at < keep) {
          best.splice(at, 0, entry);
          if (best.length > keep) best.pop();
        }
      }
    }
  }
  return best.map((b) => b.al);
}

export function withinRange(al: Alignment, range: SearchRange): boolean {
  return (
    Math.abs(Math.log(al.scale)) <= range.maxLogScale + 1e-9 &&
    Math.abs(al.dx) <= range.maxShift + 1e-9 &&
    Math.abs(al.dy) <= range.maxShift + 1e-9
  );
}

function moveSize(al: Alignment): number {
  return Math.abs(Math.log(al.scale)) + Math.abs(al.dx) + Math.abs(al.dy);
}
