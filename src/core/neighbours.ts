/**
 * Candidate pairs that need neither the clock nor a small dHash distance: each photo's few
 * nearest neighbours on a compact global descriptor (a coarse light layout plus coarse colours,
 * built from the sketch the fingerprint already stores). A handheld burst frame moves 3–4 % of
 * the width, which flips many dHash bits but barely moves an 8x8 layout.
 *
 * The search is a random-projection forest: each tree splits the photos at the median of a random
 * direction until a leaf holds a few dozen, and only photos sharing a leaf are compared. Several
 * trees catch the neighbours one split separates. Cost ~ trees x leaf x n, not n². Pure and
 * deterministic (seeded directions, ties broken by index).
 */
import type { PreparedSketch } from './similarity.js';
import { seededRandom } from './random.js';

/** Layout cells per side (luma) and colour cells per side. */
const LAYOUT = 8;
const COLOUR = 4;
/** Weight of the colour part against the unit-length layout part. */
const COLOUR_WEIGHT = 1.5;
export const DESCRIPTOR_SIZE = LAYOUT * LAYOUT + COLOUR * COLOUR * 2;

/** Descriptor of a prepared sketch, written into `out` at `offset`. */
export function writeDescriptor(s: PreparedSketch, out: Float32Array, offset: number): void {
  // The 8x8 chromaticity pooled to 4x4.
  const src = 8;
  const f = src / COLOUR;
  const pooled = new Float32Array(COLOUR * COLOUR * 2);
  for (let cy = 0; cy < COLOUR; cy++) {
    for (let cx = 0; cx < COLOUR; cx++) {
      for (let ch = 0; ch < 2; ch++) {
        let sum = 0;
        for (let y = cy * f; y < (cy + 1) * f; y++) for (let x = cx * f; x < (cx + 1) * f; x++) sum += s.chroma[(y * src + x) * 2 + ch]!;
        pooled[(cy * COLOUR + cx) * 2 + ch] = sum / (f * f);
      }
    }
  }
  // levels[0] is the 8x8 layout, zero-mean and unit-variance.
  writeDescriptorParts(s.levels[0]!, pooled, out, offset);
}

/**
 * Descriptor from its parts: an 8x8 luma layout that is zero-mean and unit-variance, and a 4x4
 * grid of r/(r+g+b), g/(r+g+b) pairs. Also used on thumbhashes (core/prefilter.ts).
 */
export function writeDescriptorParts(layout: Float32Array, chroma: Float32Array, out: Float32Array, offset: number): void {
  // Divided by 8, the layout has unit length: two unrelated pictures land ~1.4 apart.
  for (let i = 0; i < LAYOUT * LAYOUT; i++) out[offset + i] = layout[i]! / LAYOUT;
  for (let i = 0; i < COLOUR * COLOUR * 2; i++) out[offset + LAYOUT * LAYOUT + i] = (chroma[i]! - 1 / 3) * COLOUR_WEIGHT;
}

export interface NeighbourOptions {
  /** Neighbours kept per photo. */
  readonly k: number;
  /** Pairs farther apart than this (Euclidean, descriptor units) are never returned. */
  readonly maxDistance: number;
  readonly trees?: number;
  readonly leafSize?: number;
}

/**
 * Pairs (a[p] < b[p]) where one photo is among the other's `k` nearest found, within
 * `maxDistance`. `vectors` holds `ids.length` descriptors of DESCRIPTOR_SIZE; `ids` maps them to
 * item indices (photos without a sketch have no descriptor and are left out).
 */
export function nearestPairs(vectors: Float32Array, ids: Int32Array, options: NeighbourOptions): [number, number][] {
  const n = ids.length;
  const k = options.k;
  const dim = DESCRIPTOR_SIZE;
  const bestD = new Float32Array(n * k).fill(Number.POSITIVE_INFINITY);
  const bestJ = new Int32Array(n * k).fill(-1);
  const offer = (i: number, j: number, d: number): void => {
    const base = i * k;
    if (d >= bestD[base + k - 1]!) return;
    for (let s = 0; s < k; s++) if (bestJ[base + s] === j) return;
    let s = k - 1;
    while (s > 0 && (bestD[base + s - 1]! > d || (bestD[base + s - 1] === d && bestJ[base + s - 1]! > j))) {
      bestD[base + s] = bestD[base + s - 1]!;
      bestJ[base + s] = bestJ[base + s - 1]!;
      s--;
    }
    bestD[base + s] = d;
    bestJ[base + s] = j;
  };
  const distance = (i: number, j: number): number => {
    let sum = 0;
    const oi = i * dim;
    const oj = j * dim;
    for (let c = 0; c < dim; c++) {
      const diff = vectors[oi + c]! - vectors[oj + c]!;
      sum += diff * diff;
    }
    return Math.sqrt(sum);
  };
  const leafSize = options.leafSize ?? 24;
  const trees = options.trees ?? 6;
  const random = seededRandom(0x5eed);
  const projections = new Float64Array(n);
  const direction = new Float64Array(dim);

  const split = (members: Int32Array): void => {
    if (members.length <= leafSize) {
      for (let x = 0; x < members.length; x++) {
        for (let y = x + 1; y < members.length; y++) {
          const i = members[x]!;
          const j = members[y]!;
          const d = distance(i, j);
          offer(i, j, d);
          offer(j, i, d);
        }
      }
      return;
    }
    for (let c = 0; c < dim; c++) direction[c] = gaussian(random);
    for (const i of members) {
      let p = 0;
      for (let c = 0; c < dim; c++) p += vectors[i * dim + c]! * direction[c]!;
      projections[i] = p;
    }
    const sorted = Int32Array.from(members).sort((x, y) => projections[x]! - projections[y]! || x - y);
    const half = sorted.length >> 1;
    split(sorted.subarray(0, half));
    split(sorted.subarray(half));
  };
  const all = Int32Array.from({ length: n }, (_, i) => i);
  for (let t = 0; t < trees; t++) split(all);

  const seen = new Set<number>();
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let s = 0; s < k; s++) {
      const j = bestJ[i * k + s]!;
      if (j < 0 || bestD[i * k + s]! > options.maxDistance) break;
      const x = Math.min(ids[i]!, ids[j]!);
      const y = Math.max(ids[i]!, ids[j]!);
      const key = x * 2 ** 32 + y;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([x, y]);
    }
  }
  return pairs;
}

/** Standard normal from two uniforms (Box–Muller): random directions are then uniform on the sphere. */
function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
