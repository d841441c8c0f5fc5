/**
 * People in grouping, pure: the exclusion list (pets, strangers, people a user does not want
 * albums named after) and the people-combination buckets of --immich-group-by-people, where
 * photos are grouped apart by exactly who is in them ("Anna, Ben" apart from "Anna").
 */

/** Names minus the excluded ones: compared case-insensitively, whole names only (the seed's rule). */
export function withoutExcluded(names: readonly string[], excluded: readonly string[]): string[] {
  if (excluded.length === 0) return [...names];
  const out = new Set(excluded.map((n) => n.trim().toLowerCase()));
  return names.filter((n) => !out.has(n.trim().toLowerCase()));
}

/** Most names spelled out in a combination's label; more read "7 people". */
const MAX_NAMED = 5;

/** A combination's label: the names sorted and joined with ", ", or "N people" past five. */
export function combinationLabel(names: readonly string[]): string {
  const sorted = [...new Set(names)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.length > MAX_NAMED ? `${sorted.length} people` : sorted.join(', ');
}

export interface Combination<T> {
  readonly label: string;
  /** Sorted. */
  readonly names: readonly string[];
  /** In the order given. */
  readonly items: readonly T[];
}

/**
 * Items bucketed by the exact set of people in them (items with nobody are left out), buckets
 * smaller than `minSize` dropped, ordered by label. Unlike the seed, no bucket is dropped for
 * being large: grouping inside a bucket is as fast as anywhere else.
 */
export function combinations<T>(items: readonly T[], namesOf: (item: T) => readonly string[], minSize: number): Combination<T>[] {
  const buckets = new Map<string, { names: string[]; items: T[] }>();
  for (const item of items) {
    const names = [...new Set(namesOf(item))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (names.length === 0) continue;
    const key = JSON.stringify(names);
    const bucket = buckets.get(key) ?? { names, items: [] };
    bucket.items.push(item);
    buckets.set(key, bucket);
  }
  return [...buckets.values()]
    .filter((b) => b.items.length >= minSize)
    .map((b) => ({ label: combinationLabel(b.names), names: b.names, items: b.items }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0) || a.names.length - b.names.length);
}
