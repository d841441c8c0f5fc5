/**
 * Incremental regrouping for a re-run over a library grouped before (each --watch cycle). Grouping
 * the whole library again lets one new photo reshuffle groups it has nothing to do with: the
 * descriptor search and the merge order depend on every photo present. Here only the part a
 * change can reach is grouped again: the new or changed photos, the photos they verifiably pair
 * with (hash neighbours, capture-time neighbours, descriptor neighbours), and the earlier groups
 * those belong to. Every other earlier group keeps exactly its members and kind; one that lost
 * photos (deleted, changed) keeps the rest, or dissolves under the minimum size. Pure.
 */
import { popcount32 } from './dhash.js';
import {
  DESCRIPTOR_NEIGHBOURS,
  DESCRIPTOR_RADIUS,
  type GroupingItem,
  type GroupingOptions,
  type GroupingResult,
  type IndexGroup,
  pairJudging,
  type SketchLookup,
  TIME_NEIGHBOURS,
  groupPhotos,
} from './grouping.js';
import { DESCRIPTOR_SIZE, writeDescriptor } from './neighbours.js';
import type { Profile } from './threshold.js';

/** The earlier grouping, in the current items' indices. */
export interface EarlierGrouping {
  /** Earlier groups (their members still present); a member listed twice counts for the first group. */
  readonly groups: readonly IndexGroup[];
  /** Items new since, or whose picture changed: they leave any earlier group and are placed afresh. */
  readonly changed: ReadonlySet<number>;
}

export interface RegroupResult extends GroupingResult {
  /** Earlier groups kept as they were (members and kind), and items grouped again. */
  readonly kept: number;
  readonly regrouped: number;
  /** Whether the whole library was grouped again (too much changed for the partial way to pay). */
  readonly full: boolean;
}

/** Above this share of changed items, grouping everything again costs less than the candidate search. */
const FULL_REGROUP_SHARE = 0.25;

export function regroupPhotos(
  items: readonly GroupingItem[],
  options: GroupingOptions,
  sketches: SketchLookup,
  earlier: EarlierGrouping,
  onProgress?: (done: number, total: number) => void,
): RegroupResult {
  if (earlier.changed.size > FULL_REGROUP_SHARE * items.length) {
    const result = groupPhotos(items, options, sketches, onProgress);
    return { ...result, kept: 0, regrouped: items.length, full: true };
  }
  const minSize = Math.max(2, options.minGroupSize);
  const owner = new Int32Array(items.length).fill(-1);
  const remaining = earlier.groups.map((g, k) =>
    g.members.filter((i) => {
      if (earlier.changed.has(i) || owner[i] !== -1) return false;
      owner[i] = k;
      return true;
    }),
  );

  // Which earlier groups and loose photos the changed ones pair with.
  const { profile, windowMs, hi, lo, judge } = pairJudging(items, options, sketches);
  const affected = new Set<number>(earlier.changed);
  const touched = new Set<number>();
  const partners = candidatePartners(items, [...earlier.changed], { hi, lo, profile, windowMs, sketches });
  for (const [i, j] of partners) {
    if (!judge.accepts(i, j, judge.verdict(i, j, profile), profile)) continue;
    affected.add(j);
    const k = owner[j]!;
    if (k !== -1) touched.add(k);
  }
  for (const k of touched) for (const i of remaining[k]!) affected.add(i);

  // The affected part grouped on its own; its groups come after the kept ones.
  const part = [...affected].sort((a, b) => a - b);
  const sub = groupPhotos(
    part.map((i) => items[i]!),
    options,
    (s) => sketches(part[s]!),
    onProgress,
  );
  const leftOut = new Map(sub.stats.leftOut);
  const groups: IndexGroup[] = [];
  remaining.forEach((members, k) => {
    if (touched.has(k)) return;
    if (members.length >= minSize) groups.push({ kind: earlier.groups[k]!.kind, members });
    else if (members.length >= 2) leftOut.set(members.length, (leftOut.get(members.length) ?? 0) + 1);
  });
  const kept = groups.length;
  for (const g of sub.groups) groups.push({ kind: g.kind, members: g.members.map((s) => part[s]!) });
  return {
    groups,
    stats: { ...sub.stats, verified: sub.stats.verified + judge.verifiedCount, leftOut },
    kept,
    regrouped: part.length,
    full: false,
  };
}

interface SearchSpace {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly profile: Profile;
  readonly windowMs: number;
  readonly sketches: SketchLookup;
}

/**
 * Candidate pairs (changed item, any other item), each once, found the way the full grouping finds
 * them: dHash within the profile's radius, the nearest few in capture time within the window, and
 * the nearest few on the global descriptor. One pass over the library per changed item.
 */
function candidatePartners(items: readonly GroupingItem[], changed: readonly number[], space: SearchSpace): [number, number][] {
  const found = new Set<string>();
  const pairs: [number, number][] = [];
  const add = (i: number, j: number): void => {
    const key = i < j ? `${i}:${j}` : `${j}:${i}`;
    if (i === j || found.has(key)) return;
    found.add(key);
    pairs.push([i, j]);
  };
  const { hi, lo } = space;
  for (const i of changed) {
    for (let j = 0; j < items.length; j++) {
      if (popcount32((hi[i]! ^ hi[j]!) >>> 0) + popcount32((lo[i]! ^ lo[j]!) >>> 0) <= space.profile.hashRadius) add(i, j);
    }
  }
  for (const [i, j] of timePartners(items, changed, space.windowMs)) add(i, j);
  if (space.profile.maxClass !== 'duplicate') for (const [i, j] of descriptorPartners(items.length, changed, space.sketches)) add(i, j);
  return pairs;
}

/** Each changed item's TIME_NEIGHBOURS predecessors and successors in capture time, within the window. */
function timePartners(items: readonly GroupingItem[], changed: readonly number[], windowMs: number): [number, number][] {
  const timed = items.map((_, i) => i).filter((i) => items[i]!.takenAtMs !== null);
  timed.sort((x, y) => items[x]!.takenAtMs! - items[y]!.takenAtMs! || x - y);
  const place = new Map(timed.map((i, p) => [i, p]));
  const pairs: [number, number][] = [];
  for (const i of changed) {
    const p = place.get(i);
    if (p === undefined) continue;
    const t = items[i]!.takenAtMs!;
    for (const step of [-1, 1]) {
      for (let q = p + step, n = 1; q >= 0 && q < timed.length && n <= TIME_NEIGHBOURS; q += step, n++) {
        const j = timed[q]!;
        if (windowMs > 0 && Math.abs(items[j]!.takenAtMs! - t) > windowMs) break;
        pairs.push([i, j]);
      }
    }
  }
  return pairs;
}

/** Each changed item's nearest few on the global descriptor (exhaustive: a few items against the library). */
function descriptorPartners(n: number, changed: readonly number[], sketches: SketchLookup): [number, number][] {
  const vectors = new Float32Array(n * DESCRIPTOR_SIZE);
  const has = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const s = sketches(j);
    if (!s) continue;
    writeDescriptor(s, vectors, j * DESCRIPTOR_SIZE);
    has[j] = 1;
  }
  const pairs: [number, number][] = [];
  for (const i of changed) {
    if (has[i] === 0) continue;
    const near: { j: number; d: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i || has[j] === 0) continue;
      let sum = 0;
      for (let c = 0; c < DESCRIPTOR_SIZE; c++) {
        const diff = vectors[i * DESCRIPTOR_SIZE + c]! - vectors[j * DESCRIPTOR_SIZE + c]!;
        sum += diff * diff;
      }
      const d = Math.sqrt(sum);
      if (d <= DESCRIPTOR_RADIUS) near.push({ j, d });
    }
    near.sort((a, b) => a.d - b.d || a.j - b.j);
    for (const { j } of near.slice(0, DESCRIPTOR_NEIGHBOURS)) pairs.push([i, j]);
  }
  return pairs;
}
