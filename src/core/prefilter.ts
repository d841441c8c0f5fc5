/**
 * Grouping candidates from thumbhashes alone, before a single picture is downloaded. Every
 * Immich asset carries a ~25-byte thumbhash; decoded, it is a blurry 32-pixel picture that is
 * enough to tell "could belong together" from "certainly apart". Only the photos that could join
 * a group are then downloaded and verified on real pixels (core/grouping.ts). Pure.
 *
 * The test is built to lose nothing the real grouping would find: it looks at the pairs the real
 * grouping does (capture-time neighbours, and dHash neighbours — here on the thumbhash's own
 * dHash, with a wider radius — and, between photos without a capture time, nearest neighbours on
 * the thumbhash's global descriptor), and it rejects a pair only when the blurred pictures
 * disagree by a wide margin. What passes is merely downloaded and judged for real. Known gap: the
 * real grouping also pairs a photo with a time and one without through the descriptor; here such
 * a pair is only seen when their dHashes are close.
 */
import { dhashFromLuma, hamming, splitHash } from './dhash.js';
import { TIME_NEIGHBOURS } from './grouping.js';
import { hashPairsWithin } from './hash-index.js';
import { DESCRIPTOR_SIZE, nearestPairs, writeDescriptorParts } from './neighbours.js';
import { resizeArea, resizeAreaChannels, toLuma } from './pixels.js';
import { decodeThumbhash } from './thumbhash.js';
import { profileFor, relaxed } from './threshold.js';
import { UnionFind } from './union-find.js';

/** Side of the luma grid compared between thumbhashes. */
const GRID = 16;
/** Side of the chromaticity grid. */
const CHROMA_GRID = 4;
/** Integer grid shifts tried (±2 cells = ±12 % of the frame). */
const MAX_SHIFT = 2;

/** What a thumbhash tells about a picture, prepared once per asset. */
export interface ThumbFeatures {
  /** dHash of the decoded thumbhash (same recipe as the real one, on a blurrier picture). */
  readonly dhash: bigint;
  /** GRID × GRID luma, aspect ignored. */
  readonly luma: Float32Array;
  /** CHROMA_GRID² cells of r/(r+g+b), g/(r+g+b), interleaved. */
  readonly chroma: Float32Array;
}

/** Features of one thumbhash; throws ThumbhashError for bytes that are not one. */
export function thumbFeatures(hash: Uint8Array): ThumbFeatures {
  const image = decodeThumbhash(hash);
  const luma = toLuma(image);
  const colour = resizeAreaChannels(image.data, image.width, image.height, CHROMA_GRID, CHROMA_GRID, 3);
  const chroma = new Float32Array(CHROMA_GRID * CHROMA_GRID * 2);
  for (let i = 0; i < CHROMA_GRID * CHROMA_GRID; i++) {
    const sum = colour[i * 3]! + colour[i * 3 + 1]! + colour[i * 3 + 2]! + 1;
    chroma[i * 2] = colour[i * 3]! / sum;
    chroma[i * 2 + 1] = colour[i * 3 + 1]! / sum;
  }
  return {
    dhash: dhashFromLuma(luma, image.width, image.height),
    luma: resizeArea(luma, image.width, image.height, GRID, GRID),
    chroma,
  };
}

/** How alike two thumbhashes look: best correlation over small shifts, and colour difference. */
export interface ThumbLikeness {
  /** Normalized cross-correlation of the luma grids at the best shift, -1..1. */
  readonly correlation: number;
  /** Mean absolute chromaticity difference, 0..~0.3. */
  readonly chroma: number;
}

export function thumbLikeness(a: ThumbFeatures, b: ThumbFeatures): ThumbLikeness {
  let best = -1;
  for (let dy = -MAX_SHIFT; dy <= MAX_SHIFT; dy++) {
    for (let dx = -MAX_SHIFT; dx <= MAX_SHIFT; dx++) best = Math.max(best, shiftedCorrelation(a.luma, b.luma, dx, dy));
  }
  let diff = 0;
  for (let i = 0; i < a.chroma.length; i++) diff += Math.abs(a.chroma[i]! - b.chroma[i]!);
  return { correlation: best, chroma: diff / a.chroma.length };
}

function shiftedCorrelation(a: Float32Array, b: Float32Array, dx: number, dy: number): number {
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let n = 0;
  for (let y = Math.max(0, -dy); y < Math.min(GRID, GRID - dy); y++) {
    for (let x = Math.max(0, -dx); x < Math.min(GRID, GRID - dx); x++) {
      const av = a[y * GRID + x]!;
      const bv = b[(y + dy) * GRID + x + dx]!;
      sa += av;
      sb += bv;
      saa += av * av;
      sbb += bv * bv;
      sab += av * bv;
      n++;
    }
  }
  const cov = sab / n - (sa / n) * (sb / n);
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sb / n) ** 2;
  if (va < 1e-6 || vb < 1e-6) return va < 1e-6 && vb < 1e-6 ? 1 : 0;
  return cov / Math.sqrt(va * vb);
}

export interface PrefilterItem {
  /** Null when the server has no thumbhash yet: such a photo is always downloaded. */
  readonly thumb: ThumbFeatures | null;
  /** Capture wall-clock time in ms, or null. */
  readonly takenAtMs: number | null;
}

export interface PrefilterOptions {
  readonly threshold: number;
  readonly timeWindowS: number;
  readonly minGroupSize: number;
}

export interface PrefilterResult {
  /** Indices of the items worth downloading, ascending. */
  readonly candidates: readonly number[];
  /** Pairs looked at, and how many of them passed. */
  readonly pairs: number;
  readonly passed: number;
}

/**
 * How far below the real grouping's correlation floor a thumbhash pair may fall and still be
 * downloaded. Measured on the test library: pairs the real grouping accepts (-t 4..10) never
 * came within 0.2 of this on their thumbhashes; the blur of a thumbhash raises correlations more
 * often than it lowers them.
 */
const CORRELATION_MARGIN = 0.25;
/** Thumbhash colours are coarse: the real grouping refuses any pair above 0.06, this allows 0.10. */
const MAX_CHROMA = 0.1;
/** A pair outside the time window can only be a copy: then it must look near-identical. */
const COPY_CORRELATION = 0.85;
const COPY_CHROMA = 0.05;
/** Past -t 10 the real grouping accepts pairs the thumbhash cannot vouch for: look checks stop. */
const LOOSEST_CHECKED_THRESHOLD = 10;
/** Extra thumbhash-dHash bits over the real radius: a blurred picture's dHash moves more. */
const HASH_SLACK = 5;
const MAX_HASH_RADIUS = 10;

/** The items that could end up in a group of at least `minGroupSize` (see the module comment). */
export function selectCandidates(items: readonly PrefilterItem[], options: PrefilterOptions): PrefilterResult {
  const profile = profileFor(options.threshold);
  const loose = relaxed(profile);
  const windowMs = options.timeWindowS > 0 ? options.timeWindowS * 1000 : 0;
  const checkLooks = options.threshold <= LOOSEST_CHECKED_THRESHOLD;
  const minCorrelation = profile.maxClass === 'duplicate' ? COPY_CORRELATION : loose.minCorrelation - CORRELATION_MARGIN;

  const links = new UnionFind(items.length);
  const pairs = candidatePairs(
    items,
    windowMs,
    Math.min(MAX_HASH_RADIUS, profile.hashRadius + HASH_SLACK),
    profile.maxClass !== 'duplicate',
  );
  let passed = 0;
  for (const [i, j, byDescriptor] of pairs) {
    const a = items[i]!.thumb;
    const b = items[j]!.thumb;
    const ti = items[i]!.takenAtMs;
    const tj = items[j]!.takenAtMs;
    const outsideWindow = windowMs > 0 && ti !== null && tj !== null && Math.abs(ti - tj) > windowMs;
    let ok = true;
    // A photo without a thumbhash cannot be judged: it keeps every pair it is part of.
    if (a !== null && b !== null && (checkLooks || outsideWindow)) {
      const like = thumbLikeness(a, b);
      ok = outsideWindow
        ? like.correlation >= COPY_CORRELATION && like.chroma <= COPY_CHROMA
        : byDescriptor
          ? like.correlation >= loose.minCorrelation && like.chroma <= DESCRIPTOR_PAIR_CHROMA
          : like.correlation >= minCorrelation && like.chroma <= MAX_CHROMA;
    }
    if (ok) {
      passed++;
      links.union(i, j);
    }
  }
  // A group lies inside one connected component of the passing pairs: smaller components cannot
  // make a group, whatever the real pixels say.
  const minSize = Math.max(2, options.minGroupSize);
  const sizes = new Map<number, number>();
  for (let i = 0; i < items.length; i++) sizes.set(links.find(i), (sizes.get(links.find(i)) ?? 0) + 1);
  const chosen: number[] = [];
  for (let i = 0; i < items.length; i++) {
    if (items[i]!.thumb === null || sizes.get(links.find(i))! >= minSize) chosen.push(i);
  }
  return { candidates: chosen, pairs: pairs.length, passed };
}

/**
 * Thumbhash-dHash neighbours and descriptor neighbours (items with a thumbhash; the latter unless
 * only copies are wanted) and capture-time neighbours (all items).
 */
function candidatePairs(
  items: readonly PrefilterItem[],
  windowMs: number,
  radius: number,
  descriptors: boolean,
): [number, number, boolean][] {
  const withThumb = items.map((item, i) => (item.thumb === null ? -1 : i)).filter((i) => i >= 0);
  const hi = new Uint32Array(withThumb.length);
  const lo = new Uint32Array(withThumb.length);
  withThumb.forEach((i, k) => {
    [hi[k], lo[k]] = splitHash(items[i]!.thumb!.dhash);
  });
  const seen = new Set<number>();
  const out: [number, number, boolean][] = [];
  const add = (x: number, y: number, byDescriptor = false): void => {
    const [i, j] = x < y ? [x, y] : [y, x];
    const key = i * items.length + j;
    if (seen.has(key)) return;
    seen.add(key);
    out.push([i, j, byDescriptor]);
  };
  const near = hashPairsWithin(hi, lo, radius);
  for (let k = 0; k < near.a.length; k++) add(withThumb[near.a[k]!]!, withThumb[near.b[k]!]!);
  // The same neighbourhood the real grouping uses (core/grouping.ts), so no pair it would
  // examine is skipped here.
  const timed = items.map((_, i) => i).filter((i) => items[i]!.takenAtMs !== null);
  timed.sort((x, y) => items[x]!.takenAtMs! - items[y]!.takenAtMs! || x - y);
  for (let p = 0; p < timed.length; p++) {
    for (let q = p + 1; q < timed.length && q - p <= TIME_NEIGHBOURS; q++) {
      const x = timed[p]!;
      const y = timed[q]!;
      if (windowMs > 0 && items[y]!.takenAtMs! - items[x]!.takenAtMs! > windowMs) break;
      add(x, y);
    }
  }
  // The real grouping also pairs each photo with its nearest neighbours on a global descriptor:
  // that is how a burst without capture times is found. The thumbhash's own descriptor finds
  // such pairs here, between photos without a time only: photos with one have their neighbours
  // in time (above), and a thumbhash is too blurred to tell a timed landscape from an untimed
  // one (a ridge and a lake shore correlate at 0.82), so wider pairing only downloads look-alikes.
  const untimed = withThumb.filter((i) => items[i]!.takenAtMs === null);
  if (descriptors && untimed.length >= 2) {
    const vectors = new Float32Array(untimed.length * DESCRIPTOR_SIZE);
    for (const [k, i] of untimed.entries()) thumbDescriptor(items[i]!.thumb!, vectors, k * DESCRIPTOR_SIZE);
    for (const [x, y] of nearestPairs(vectors, Int32Array.from(untimed), { k: THUMB_NEIGHBOURS, maxDistance: THUMB_RADIUS })) {
      add(x, y, true);
    }
  }
  return out.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/** Descriptor neighbours per photo and their largest distance, as in the real grouping. */
const THUMB_NEIGHBOURS = 5;
const THUMB_RADIUS = 1.3;
/**
 * A pair found only by the descriptor must look alike by the real grouping's own floor (without
 * CORRELATION_MARGIN) and colour limit: in a small library a photo's five nearest neighbours are half of it, and the usual
 * margin would have every look-alike downloaded.
 */
const DESCRIPTOR_PAIR_CHROMA = 0.06;

/** The descriptor of core/neighbours.ts on a thumbhash: its 16x16 luma shrunk to 8x8, its 4x4 colours. */
function thumbDescriptor(t: ThumbFeatures, out: Float32Array, offset: number): void {
  const layout = resizeArea(t.luma, GRID, GRID, 8, 8);
  let sum = 0;
  for (const v of layout) sum += v;
  const mean = sum / layout.length;
  let sq = 0;
  for (const v of layout) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / layout.length) || 1;
  writeDescriptorParts(
    layout.map((v) => (v - mean) / std),
    t.chroma,
    out,
    offset,
  );
}

/** Distance in bits between two thumbhash dHashes (exported for diagnostics and tests). */
export function thumbHashDistance(a: ThumbFeatures, b: ThumbFeatures): number {
  return hamming(a.dhash, b.dhash);
}
