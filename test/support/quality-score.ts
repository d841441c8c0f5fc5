/**
 * Test helper: pairwise scores of a grouping against the quality library's truth, per category
 * (test/support/quality-library.ts), and the one mistake kinds must never make: two different
 * captures (frames of a burst, re-framings) called `duplicate`.
 */
import type { GroupKind } from '../../src/core/types.js';
import type { QualityCategory, QualityPhoto } from './quality-library.js';

export interface CategoryScore {
  readonly category: QualityCategory | 'all';
  /** Pairs of this category's truth clusters found together / all its truth pairs. */
  readonly recall: number;
  /** Found pairs involving this category that are true / all found pairs involving it. */
  readonly precision: number;
  readonly truePairs: number;
  readonly foundPairs: number;
  readonly correctPairs: number;
}

export interface QualityScore {
  readonly perCategory: readonly CategoryScore[];
  readonly all: CategoryScore & { readonly f1: number };
  /** Pairs inside `duplicate` groups that are different captures (truth category other than duplicate). */
  readonly falseDuplicates: number;
  /** Wrongly paired photos, for failure messages. */
  readonly falsePairs: readonly string[];
  /** Pairs called duplicates that are different captures. */
  readonly falseDuplicatePairs: readonly string[];
  /** Truth clusters split apart: each as its found parts (photos alone in brackets). */
  readonly splits: readonly string[];
}

export function scoreGrouping(
  photos: readonly QualityPhoto[],
  groups: readonly { readonly kind: GroupKind; readonly members: readonly number[] }[],
): QualityScore {
  const groupOf = new Int32Array(photos.length).fill(-1);
  groups.forEach((g, gi) => {
    for (const m of g.members) groupOf[m] = gi;
  });
  const tally = new Map<QualityCategory | 'all', { truePairs: number; foundPairs: number; correctPairs: number }>();
  const bump = (c: QualityCategory | 'all', key: 'truePairs' | 'foundPairs' | 'correctPairs'): void => {
    const t = tally.get(c) ?? { truePairs: 0, foundPairs: 0, correctPairs: 0 };
    t[key]++;
    tally.set(c, t);
  };
  const falseDuplicatePairs: string[] = [];
  const falsePairs: string[] = [];
  for (let i = 0; i < photos.length; i++) {
    for (let j = i + 1; j < photos.length; j++) {
      const a = photos[i]!;
      const b = photos[j]!;
      const inTruth = a.cluster !== null && a.cluster === b.cluster;
      const found = groupOf[i]! >= 0 && groupOf[i] === groupOf[j];
      const cats = new Set<QualityCategory | 'all'>(['all', a.category, b.category]);
      for (const c of cats) {
        if (inTruth) bump(c, 'truePairs');
        if (found) bump(c, 'foundPairs');
        if (inTruth && found) bump(c, 'correctPairs');
      }
      if (found && !inTruth) falsePairs.push(`${a.name} + ${b.name}`);
      if (found && groups[groupOf[i]!]!.kind === 'duplicate' && (!inTruth || a.category !== 'duplicate'))
        falseDuplicatePairs.push(`${a.name} + ${b.name}`);
    }
  }
  const score = (c: QualityCategory | 'all'): CategoryScore => {
    const t = tally.get(c) ?? { truePairs: 0, foundPairs: 0, correctPairs: 0 };
    return {
      category: c,
      recall: t.truePairs === 0 ? 1 : t.correctPairs / t.truePairs,
      precision: t.foundPairs === 0 ? 1 : t.correctPairs / t.foundPairs,
      ...t,
    };
  };
  const categories: QualityCategory[] = ['burst-timed', 'burst-untimed', 'moving', 'similar', 'duplicate', 'lookalike'];
  const all = score('all');
  const f1 = all.precision + all.recall === 0 ? 0 : (2 * all.precision * all.recall) / (all.precision + all.recall);
  const splits: string[] = [];
  for (const label of new Set(photos.map((p) => p.cluster).filter((c): c is string => c !== null))) {
    const parts = new Map<number, string[]>();
    photos.forEach((p, i) => {
      if (p.cluster !== label) return;
      const key = groupOf[i]! >= 0 ? groupOf[i]! : -1 - i;
      parts.set(key, [...(parts.get(key) ?? []), p.name]);
    });
    if (parts.size > 1)
      splits.push(`${label}: ${[...parts.values()].map((names) => (names.length === 1 ? `[${names[0]}]` : names.join(' '))).join(' | ')}`);
  }
  return {
    perCategory: categories.map(score),
    all: { ...all, f1 },
    falseDuplicates: falseDuplicatePairs.length,
    falsePairs,
    falseDuplicatePairs,
    splits,
  };
}

/** The scores as a fixed-width table, for the benchmark's output. */
export function formatScore(s: QualityScore): string[] {
  const row = (c: CategoryScore): string =>
    `${c.category.padEnd(14)} recall ${c.recall.toFixed(3)} (${c.correctPairs}/${c.truePairs})  precision ${c.precision.toFixed(3)} (${c.correctPairs}/${c.foundPairs})`;
  const lines = s.perCategory.map((c) =>
    c.category === 'lookalike' ? `${c.category.padEnd(14)} singletons paired with anything: ${c.foundPairs} pairs` : row(c),
  );
  return [...lines, `${row(s.all)}  F1 ${s.all.f1.toFixed(3)}`, `different captures labelled duplicate: ${s.falseDuplicates} pairs`];
}
