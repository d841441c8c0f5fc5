/**
 * Multi-index hashing: finds every pair of 64-bit hashes within a Hamming radius without
 * comparing all pairs. The hash is cut into m chunks; by the pigeonhole principle two hashes
 * within radius R agree to within floor(R/m) bits on at least one chunk, so each hash only
 * probes the buckets of its chunks' near values. m is picked from a cost model for the library
 * size, so 1,000 photos and 1,000,000 hashes both stay fast.
 */
import { popcount32 } from './dhash.js';

/** Pairs (a[k] < b[k]) of item indices whose distance d[k] is within the radius. */
export interface HashPairs {
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly d: Uint8Array;
}

interface Chunking {
  readonly starts: number[];
  readonly lengths: number[];
  readonly chunkRadius: number;
}

/** All pairs with Hamming distance <= radius, each reported once, in (a, b) order. */
export function hashPairsWithin(hi: Uint32Array, lo: Uint32Array, radius: number): HashPairs {
  const n = hi.length;
  if (lo.length !== n) throw new Error('Expected hi and lo halves of equal length');
  if (!Number.isInteger(radius) || radius < 0 || radius > 64) {
    throw new Error(`Expected an integer between 0 and 64 for the radius but received ${radius}`);
  }
  const out = new PairBuffer();
  if (n < 2) return out.finish();
  const chunking = chooseChunking(n, radius);
  const m = chunking.starts.length;
  const values: Int32Array[] = [];
  const tables: BucketTable[] = [];
  for (let c = 0; c < m; c++) {
    const v = new Int32Array(n);
    for (let i = 0; i < n; i++) v[i] = extractBits(hi[i]!, lo[i]!, chunking.starts[c]!, chunking.lengths[c]!);
    values.push(v);
    tables.push(new BucketTable(v, chunking.lengths[c]!));
  }
  const probes = chunking.lengths.map((len) => Int32Array.from(flipMasks(len, chunking.chunkRadius)));
  for (let i = 0; i < n; i++) {
    const hiI = hi[i]!;
    const loI = lo[i]!;
    for (let c = 0; c < m; c++) {
      const own = values[c]![i]!;
      const table = tables[c]!;
      const masks = probes[c]!;
      for (let p = 0; p < masks.length; p++) {
        const bucket = table.lookup(own ^ masks[p]!);
        if (bucket < 0) continue;
        const to = table.starts[bucket + 1]!;
        for (let k = table.starts[bucket]!; k < to; k++) {
          const j = table.members[k]!;
          if (j <= i) continue;
          const d = popcount32((hiI ^ hi[j]!) >>> 0) + popcount32((loI ^ lo[j]!) >>> 0);
          if (d > radius) continue;
          // Report the pair only from the first chunk that can see it, so it appears once.
          if (firstMatchingChunk(values, chunking.chunkRadius, i, j) !== c) continue;
          out.push(i, j, d);
        }
      }
    }
  }
  return out.finish();
}

function firstMatchingChunk(values: Int32Array[], chunkRadius: number, i: number, j: number): number {
  for (let c = 0; c < values.length; c++) {
    if (popcount32((values[c]![i]! ^ values[c]![j]!) >>> 0) <= chunkRadius) return c;
  }
  return -1;
}

/** Bits [start, start+length) of the 64-bit value hi:lo, bit 0 being the most significant. */
function extractBits(hi: number, lo: number, start: number, length: number): number {
  let v = 0;
  for (let b = start; b < start + length; b++) {
    const bit = b < 32 ? (hi >>> (31 - b)) & 1 : (lo >>> (63 - b)) & 1;
    v = (v << 1) | bit;
  }
  return v;
}

/** Every mask of `length` bits with at most `radius` bits set. */
function flipMasks(length: number, radius: number): number[] {
  const masks: number[] = [0];
  const extend = (mask: number, from: number, left: number): void => {
    for (let b = from; b < length; b++) {
      const next = mask | (1 << b);
      masks.push(next);
      if (left > 1) extend(next, b + 1, left - 1);
    }
  };
  if (radius > 0) extend(0, 0, radius);
  return masks;
}

/**
 * Picks the number of chunks: fewer, longer chunks mean small buckets but many probe masks;
 * more chunks mean fewer probes but crowded buckets. Estimated cost = probes + candidates,
 * assuming roughly uniform hashes; chunks stay <= 24 bits so tables stay small.
 */
export function chooseChunking(n: number, radius: number): Chunking {
  let best: { cost: number; m: number } | null = null;
  // At least 3 chunks keeps chunks <= 22 bits; more than radius+1 chunks is still correct (each
  // then needs an exact match) and wins when the library is small.
  for (let m = 3; m <= Math.max(3, Math.min(64, radius + 1)); m++) {
    const bits = 64 / m;
    const r = Math.floor(radius / m);
    let probes = 0;
    for (let k = 0; k <= r; k++) probes += binomial(Math.ceil(bits), k);
    if (probes > 50_000) continue;
    const cost = m * probes * (2 + n / 2 ** bits);
    if (best === null || cost < best.cost) best = { cost, m };
  }
  const m = best?.m ?? Math.max(3, Math.min(64, radius + 1));
  const starts: number[] = [];
  const lengths: number[] = [];
  for (let c = 0, pos = 0; c < m; c++) {
    const len = Math.floor(64 / m) + (c < 64 % m ? 1 : 0);
    starts.push(pos);
    lengths.push(len);
    pos += len;
  }
  return { starts, lengths, chunkRadius: Math.floor(radius / m) };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - i + 1)) / i;
  return r;
}

/**
 * Chunk value → the run of item indices holding it. A dense library (a million hashes) gets a
 * direct table indexed by the value — one read per probe instead of a hashed search, which is
 * most of the time of a big grouping — and a sparse one an open-addressing table, so a few
 * photos never allocate megabytes.
 */
class BucketTable {
  readonly members: Int32Array;
  /** Bucket b's members are members[starts[b] .. starts[b + 1]). */
  readonly starts: Int32Array;
  /** Direct table: bucket + 1 per chunk value, 0 when empty. */
  private readonly direct: Int32Array | null = null;
  private readonly keys: Int32Array = new Int32Array(0);
  private readonly slots: Int32Array = new Int32Array(0);
  private readonly mask: number = 0;

  constructor(values: Int32Array, bits: number) {
    const n = values.length;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Stable sort by value keeps members of a bucket in index order.
    order.sort((x, y) => values[x]! - values[y]! || x - y);
    this.members = order;
    const bucketStarts: number[] = [];
    const bucketKeys: number[] = [];
    for (let k = 0; k < n; k++) {
      const v = values[order[k]!]!;
      if (k === 0 || v !== values[order[k - 1]!]!) {
        bucketStarts.push(k);
        bucketKeys.push(v);
      }
    }
    bucketStarts.push(n);
    this.starts = Int32Array.from(bucketStarts);
    if (bits <= MAX_DIRECT_BITS && 2 ** bits <= DIRECT_SLOTS_PER_ITEM * n) {
      const direct = new Int32Array(2 ** bits);
      bucketKeys.forEach((key, b) => {
        direct[key] = b + 1;
      });
      this.direct = direct;
      return;
    }
    let cap = 1;
    while (cap < bucketKeys.length * 2) cap <<= 1;
    this.mask = cap - 1;
    this.keys = new Int32Array(cap).fill(-1);
    this.slots = new Int32Array(cap);
    bucketKeys.forEach((key, b) => {
      let s = slotOf(key) & this.mask;
      while (this.keys[s] !== -1) s = (s + 1) & this.mask;
      this.keys[s] = key;
      this.slots[s] = b;
    });
  }

  lookup(key: number): number {
    if (this.direct !== null) return this.direct[key]! - 1;
    let s = slotOf(key) & this.mask;
    for (;;) {
      const k = this.keys[s]!;
      if (k === key) return this.slots[s]!;
      if (k === -1) return -1;
      s = (s + 1) & this.mask;
    }
  }
}

/** A direct table is used up to 2^22 values (16 MB) and 8 slots per item. */
const MAX_DIRECT_BITS = 22;
const DIRECT_SLOTS_PER_ITEM = 8;

function slotOf(key: number): number {
  return Math.imul(key, 0x9e3779b1) >>> 7;
}

/** Growable typed-array triple for pair output. */
class PairBuffer {
  private a = new Int32Array(1024);
  private b = new Int32Array(1024);
  private d = new Uint8Array(1024);
  private size = 0;

  push(a: number, b: number, d: number): void {
    if (this.size === this.a.length) {
      const grow = <T extends Int32Array | Uint8Array>(arr: T, make: (n: number) => T): T => {
        const next = make(arr.length * 2);
        next.set(arr);
        return next;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.d = grow(this.d, (n) => new Uint8Array(n));
    }
    this.a[this.size] = a;
    this.b[this.size] = b;
    this.d[this.size] = d;
    this.size++;
  }

  finish(): HashPairs {
    return { a: this.a.slice(0, this.size), b: this.b.slice(0, this.size), d: this.d.slice(0, this.size) };
  }
}
