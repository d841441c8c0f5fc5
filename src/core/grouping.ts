/**
 * Groups photos: candidates from a dHash index (whole library), from capture-time neighbours
 * (within the time window) and from nearest neighbours on a global descriptor (whole library, no
 * clock needed), each candidate verified on the sketches, then clustered so that
 * every pair inside a group is compatible — no chaining of unrelated photos through
 * intermediate links. Pure and deterministic: the result depends only on the items' order.
 */
import { popcount32, splitHash } from './dhash.js';
import { hashPairsWithin } from './hash-index.js';
import { DESCRIPTOR_SIZE, nearestPairs, writeDescriptor } from './neighbours.js';
import { CLASS_RANK, type PairClass, type PairVerdict, type PreparedSketch, comparePair } from './similarity.js';
import { type Profile, profileFor, relaxed } from './threshold.js';
import { UnionFind } from './union-find.js';
import type { GroupKind } from './types.js';

export interface GroupingItem {
  readonly dhash: bigint;
  /** Capture wall-clock time in ms, or null when the photo has none. */
  readonly takenAtMs: number | null;
}

export interface GroupingOptions {
  /** Seed-compatible -t, 0..64. */
  readonly threshold: number;
  /** Seconds; 0 ignores time. */
  readonly timeWindowS: number;
  readonly minGroupSize: number;
}

/** Prepared sketch of item `index`, or null when it has none (then dHash alone decides). */
export type SketchLookup = (index: number) => PreparedSketch | null;

export interface IndexGroup {
  readonly kind: GroupKind;
  /** Item indices, ascending. */
  readonly members: readonly number[];
}

export interface GroupingStats {
  readonly hashCandidates: number;
  readonly timeCandidates: number;
  /** Pairs found by the descriptor search that neither the hash index nor the clock proposed. */
  readonly neighbourCandidates: number;
  readonly verified: number;
  readonly edges: number;
  /** Groups found but smaller than --min-group-size, by size (size -> count). */
  readonly leftOut: ReadonlyMap<number, number>;
}

export interface GroupingResult {
  readonly groups: readonly IndexGroup[];
  readonly stats: GroupingStats;
}

/** How many capture-time successors each photo is compared with inside the window. */
export const TIME_NEIGHBOURS = 12;

/**
 * Descriptor neighbours verified per photo, and how far apart (descriptor units) a pair may be.
 * Calibrated on the quality library: handheld burst frames sit within 1 of each other and
 * re-framings find one of their group within 1.3 (the layout part alone puts two unrelated
 * pictures ~1.4 apart); what decides is the verification, this only bounds its cost.
 */
export const DESCRIPTOR_NEIGHBOURS = 5;
export const DESCRIPTOR_RADIUS = 1.3;

export function groupPhotos(
  items: readonly GroupingItem[],
  options: GroupingOptions,
  sketches: SketchLookup,
  onProgress?: (done: number, total: number) => void,
): GroupingResult {
  const { profile, windowMs, hi, lo, judge } = pairJudging(items, options, sketches);
  const hashPairs = hashPairsWithin(hi, lo, profile.hashRadius);
  const timePairs = timeNeighbourPairs(items, windowMs);
  const nearPairs = profile.maxClass === 'duplicate' ? [] : descriptorPairs(items.length, sketches);
  // Each unordered pair once; the set is only needed when time or descriptors add pairs of their own.
  const seen = new Set<number>();
  const key = (i: number, j: number): number => i * items.length + j;
  if (timePairs.length + nearPairs.length > 0) for (let k = 0; k < hashPairs.a.length; k++) seen.add(key(hashPairs.a[k]!, hashPairs.b[k]!));
  const extra: [number, number][] = [];
  let neighbourCandidates = 0;
  for (const [source, pairs] of [
    ['time', timePairs],
    ['descriptor', nearPairs],
  ] as const) {
    for (const [i, j] of pairs) {
      if (seen.has(key(i, j))) continue;
      seen.add(key(i, j));
      extra.push([i, j]);
      if (source === 'descriptor') neighbourCandidates++;
    }
  }
  const total = hashPairs.a.length + extra.length;

  const edges: { i: number; j: number; verdict: PairVerdict }[] = [];
  const consider = (i: number, j: number, n: number): void => {
    const verdict = judge.verdict(i, j, profile);
    if (judge.accepts(i, j, verdict, profile)) edges.push({ i, j, verdict });
    if (onProgress && (n % 256 === 0 || n === total - 1)) onProgress(n + 1, total);
  };
  for (let k = 0; k < hashPairs.a.length; k++) consider(hashPairs.a[k]!, hashPairs.b[k]!, k);
  extra.forEach(([i, j], k) => {
    consider(i, j, hashPairs.a.length + k);
  });
  // Strongest evidence first; index order breaks ties so the result never depends on timing.
  edges.sort(
    (p, q) => CLASS_RANK[p.verdict.cls] - CLASS_RANK[q.verdict.cls] || strength(q.verdict) - strength(p.verdict) || p.i - q.i || p.j - q.j,
  );

  const clusters = new Clusters(items.length);
  const mergeClass = new Map<number, PairClass>();
  const loose = relaxed(profile);
  for (const { i, j, verdict } of edges) {
    const ri = clusters.find(i);
    const rj = clusters.find(j);
    if (ri === rj) continue;
    if (!judge.mergeable(clusters.members(ri), clusters.members(rj), profile, loose)) continue;
    const worst = [mergeClass.get(ri), mergeClass.get(rj), verdict.cls]
      .filter((c): c is PairClass => c !== undefined)
      .reduce((w, c) => (CLASS_RANK[c] > CLASS_RANK[w] ? c : w));
    const root = clusters.union(ri, rj);
    mergeClass.set(root, worst);
  }

  const groups: (IndexGroup & { firstTime: number })[] = [];
  const leftOut = new Map<number, number>();
  for (const root of clusters.roots()) {
    const members = clusters
      .members(root)
      .slice()
      .sort((x, y) => x - y);
    if (members.length < Math.max(2, options.minGroupSize)) {
      if (members.length >= 2) leftOut.set(members.length, (leftOut.get(members.length) ?? 0) + 1);
      continue;
    }
    const allDuplicates = members.every((x, a) => members.slice(a + 1).every((y) => judge.verdict(x, y, profile).cls === 'duplicate'));
    const kind: GroupKind = allDuplicates ? 'duplicate' : mergeClass.get(root) === 'similar' ? 'similar' : 'burst';
    const times = members.map((m) => items[m]!.takenAtMs).filter((t): t is number => t !== null);
    groups.push({ kind, members, firstTime: times.length > 0 ? Math.min(...times) : Number.POSITIVE_INFINITY });
  }
  // Chronological numbering (undated groups last), then by first member.
  groups.sort((p, q) => p.firstTime - q.firstTime || p.members[0]! - q.members[0]!);
  return {
    groups: groups.map(({ kind, members }) => ({ kind, members })),
    stats: {
      hashCandidates: hashPairs.a.length,
      timeCandidates: extra.length - neighbourCandidates,
      neighbourCandidates,
      verified: judge.verifiedCount,
      edges: edges.length,
      leftOut,
    },
  };
}

/**
 * Whether a verified non-copy pair shows the same scene under `profile`: the whole picture agrees
 * (light layout and structure), or, when part of the frame changed (a moving subject, a moved
 * viewpoint), most of its regions still agree and so do its light layout and colours.
 */
/** What judging pairs of `items` needs: the threshold's profile, the time window, split hashes and a judge. */
export function pairJudging(items: readonly GroupingItem[], options: GroupingOptions, sketches: SketchLookup) {
  const profile = profileFor(options.threshold);
  const windowMs = options.timeWindowS > 0 ? options.timeWindowS * 1000 : 0;
  const hi = new Uint32Array(items.length);
  const lo = new Uint32Array(items.length);
  items.forEach((item, i) => {
    [hi[i], lo[i]] = splitHash(item.dhash);
  });
  return { profile, windowMs, hi, lo, judge: new PairJudge(items, hi, lo, sketches, windowMs) };
}

function agrees(v: PairVerdict, profile: Profile): boolean {
  if (v.correlation >= profile.minCorrelation && v.detail >= profile.minDetail) return true;
  return (
    v.local.trimmed >= profile.minLocal &&
    v.local.agreeing >= LOCAL_MIN_AGREEING &&
    v.correlation >= profile.minLocalCorrelation &&
    v.chroma <= profile.maxLocalChroma
  );
}

/** Share of regions that must agree for the region-by-region way in. */
const LOCAL_MIN_AGREEING = 0.6;

/** Share of cross pairs that must pass the relaxed test for two groups to merge. */
const MERGE_MAJORITY = 0.8;
/**
 * The rest must not look like two scenes: colours this far apart, or regions agreeing this little
 * with a light layout this different, are what look-alike scenes show (mountain ridges ~0.36).
 */
const TOLERATED_CHROMA = 0.08;
const TOLERATED_LOCAL = 0.4;
const TOLERATED_CORRELATION = 0.8;

/**
 * Whether two capture times can be one exposure. A copy keeps its original's EXIF, so equal
 * times (or a missing one) allow it; frames of a burst or a session differ by a fraction of a
 * second to minutes, and are never copies however alike. Identical pictures more than an hour
 * apart are one picture re-dated (an export that rewrote the date, a camera clock reset), not
 * two exposures: nothing but a copy looks the same after that long.
 */
function sameInstant(a: number | null, b: number | null): boolean {
  return a === null || b === null || a === b || Math.abs(a - b) > REDATED_COPY_MS;
}

const REDATED_COPY_MS = 3_600_000;

/** Pairs of nearest neighbours on the global descriptor, for the photos that have sketches. */
function descriptorPairs(n: number, sketches: SketchLookup): [number, number][] {
  const ids: number[] = [];
  let vectors = new Float32Array(Math.min(n, 1024) * DESCRIPTOR_SIZE);
  for (let i = 0; i < n; i++) {
    const s = sketches(i);
    if (!s) continue;
    if ((ids.length + 1) * DESCRIPTOR_SIZE > vectors.length) {
      const grown = new Float32Array(vectors.length * 2);
      grown.set(vectors);
      vectors = grown;
    }
    writeDescriptor(s, vectors, ids.length * DESCRIPTOR_SIZE);
    ids.push(i);
  }
  if (ids.length < 2) return [];
  return nearestPairs(vectors.subarray(0, ids.length * DESCRIPTOR_SIZE), Int32Array.from(ids), {
    k: DESCRIPTOR_NEIGHBOURS,
    maxDistance: DESCRIPTOR_RADIUS,
  });
}

function strength(v: PairVerdict): number {
  return Math.min(v.correlation, v.detail);
}

/** Verdicts on pairs, computed once each (also core/regroup.ts, on a new photo's candidates). */
export class PairJudge {
  private readonly cache = new Map<number, PairVerdict>();
  verifiedCount = 0;

  constructor(
    private readonly items: readonly GroupingItem[],
    private readonly hi: Uint32Array,
    private readonly lo: Uint32Array,
    private readonly sketches: SketchLookup,
    private readonly windowMs: number,
  ) {}

  verdict(i: number, j: number, profile: Profile): PairVerdict {
    const [x, y] = i < j ? [i, j] : [j, i];
    const k = x * this.items.length + y;
    const hit = this.cache.get(k);
    if (hit) return hit;
    const a = this.sketches(x);
    const b = this.sketches(y);
    this.verifiedCount++;
    // Hash-only verdicts are cheaper to recompute than to cache (a million of them in the bench).
    const distinct = !sameInstant(this.items[x]!.takenAtMs, this.items[y]!.takenAtMs);
    if (!a || !b) {
      const v = HASH_ONLY_VERDICTS[popcount32((this.hi[x]! ^ this.hi[y]!) >>> 0) + popcount32((this.lo[x]! ^ this.lo[y]!) >>> 0)]!;
      return distinct && v.cls === 'duplicate' ? HASH_ONLY_BURST[v.hashDistance!]! : v;
    }
    const found = comparePair(a, b, profile.range);
    // A copy is one exposure: two frames with their own capture instants are a burst however alike.
    const v: PairVerdict = distinct && found.cls === 'duplicate' ? { ...found, cls: 'burst' } : found;
    this.cache.set(k, v);
    return v;
  }

  /**
   * Whether two groups may merge: at least MERGE_MAJORITY of the pairs across them pass the
   * relaxed test and none is plainly two different scenes (or outside the time window). A strict
   * every-pair rule splits a person photographed over a minute, whose leaning-in and sitting-back
   * frames differ more than either differs from the rest; one strong link still never chains an
   * unrelated photo in, since that photo would fail against most of the group.
   */
  mergeable(a: readonly number[], b: readonly number[], profile: Profile, loose: Profile): boolean {
    let passed = 0;
    for (const x of a) {
      for (const y of b) {
        const v = this.verdict(x, y, profile);
        if (this.accepts(x, y, v, loose)) passed++;
        else if (!this.tolerates(x, y, v)) return false;
      }
    }
    return passed >= MERGE_MAJORITY * a.length * b.length;
  }

  /** Whether a pair that failed the relaxed test may still sit in one group (see `mergeable`). */
  private tolerates(i: number, j: number, v: PairVerdict): boolean {
    if (v.hashDistance !== undefined || v.cls === 'different' || v.chroma > TOLERATED_CHROMA) return false;
    if (v.local.trimmed < TOLERATED_LOCAL && v.correlation < TOLERATED_CORRELATION) return false;
    return this.withinWindow(i, j);
  }

  private withinWindow(i: number, j: number): boolean {
    const ti = this.items[i]!.takenAtMs;
    const tj = this.items[j]!.takenAtMs;
    return !(this.windowMs > 0 && ti !== null && tj !== null && Math.abs(ti - tj) > this.windowMs);
  }

  /** Whether the pair may share a group under `profile`, time window included. */
  accepts(i: number, j: number, v: PairVerdict, profile: Profile): boolean {
    if (v.hashDistance !== undefined) {
      // Hash-only records: the seed's rule, with the relaxed profile's slack inside a group.
      if (v.hashDistance > profile.hashRadius + profile.hashSlack) return false;
    } else if (CLASS_RANK[v.cls] > CLASS_RANK[profile.maxClass]) {
      return false;
    }
    // A duplicate is the same picture: a copy with a wrong or missing clock is still a copy.
    if (v.cls !== 'duplicate') {
      if (v.hashDistance === undefined && !agrees(v, profile)) return false;
      if (!this.withinWindow(i, j)) return false;
    }
    return true;
  }
}

/**
 * Without sketches (hash-only records) the dHash distance is all there is; the class follows the
 * seed's threshold bands so group kinds still mean something. One shared, frozen verdict per distance.
 */
const HASH_ONLY_VERDICTS: readonly PairVerdict[] = Array.from({ length: 65 }, (_, distance) => {
  const cls: PairClass = distance <= 3 ? 'duplicate' : distance <= 6 ? 'burst' : 'similar';
  const score = 1 - distance / 64;
  return Object.freeze({
    cls,
    correlation: score,
    detail: score,
    alignment: { scale: 1, dx: 0, dy: 0 },
    brightness: 0,
    chroma: 0,
    local: { blocks: 0, trimmed: score, agreeing: score },
    hashDistance: distance,
  });
});

/** The same for two hash-only photos whose capture times show two exposures: never copies. */
const HASH_ONLY_BURST: readonly PairVerdict[] = HASH_ONLY_VERDICTS.map((v) =>
  v.cls === 'duplicate' ? Object.freeze({ ...v, cls: 'burst' as const }) : v,
);

/** Pairs of photos next to each other in capture time: each with its next few, within the window (if any). */
function timeNeighbourPairs(items: readonly GroupingItem[], windowMs: number): [number, number][] {
  const timed = items.map((_, i) => i).filter((i) => items[i]!.takenAtMs !== null);
  timed.sort((x, y) => items[x]!.takenAtMs! - items[y]!.takenAtMs! || x - y);
  const pairs: [number, number][] = [];
  for (let p = 0; p < timed.length; p++) {
    for (let q = p + 1; q < timed.length && q - p <= TIME_NEIGHBOURS; q++) {
      const x = timed[p]!;
      const y = timed[q]!;
      if (windowMs > 0 && items[y]!.takenAtMs! - items[x]!.takenAtMs! > windowMs) break;
      pairs.push(x < y ? [x, y] : [y, x]);
    }
  }
  return pairs;
}

/** Union-find that also keeps each cluster's member list. */
class Clusters {
  private readonly sets: UnionFind;
  private readonly lists = new Map<number, number[]>();

  constructor(n: number) {
    this.sets = new UnionFind(n);
  }

  find(i: number): number {
    return this.sets.find(i);
  }

  members(root: number): number[] {
    return this.lists.get(root) ?? [root];
  }

  /** Merges two roots (the smaller index stays the root) and their member lists. */
  union(a: number, b: number): number {
    const root = this.sets.union(a, b);
    const child = root === a ? b : a;
    this.lists.set(root, [...this.members(root), ...this.members(child)]);
    this.lists.delete(child);
    return root;
  }

  roots(): number[] {
    return [...this.lists.keys()].sort((x, y) => x - y);
  }
}
