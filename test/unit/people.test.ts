/** People in grouping (core/people.ts): the exclusion list and the people-combination buckets. */
import { describe, expect, it } from 'vitest';
import { combinationLabel, combinations, withoutExcluded } from '../../src/core/people.js';

describe('excluded people', () => {
  it('drops whole names, whatever their letter case or surrounding spaces', () => {
    expect(withoutExcluded(['Anna', 'Rex', 'Rexa', ' TOM '], ['rex', 'Tom'])).toEqual(['Anna', 'Rexa']);
    expect(withoutExcluded(['Anna'], [])).toEqual(['Anna']);
  });
});

describe('people combinations', () => {
  const photos = [
    { id: 1, names: ['Ben', 'Anna'] },
    { id: 2, names: ['Anna'] },
    { id: 3, names: ['Anna', 'Ben'] },
    { id: 4, names: [] },
    { id: 5, names: ['Anna'] },
    { id: 6, names: ['Anna', 'Ben', 'Cleo'] },
    { id: 7, names: ['Anna', 'Anna'] },
  ];

  it('buckets photos by exactly who is in them, keeps buckets of the minimum size, ordered by label', () => {
    const found = combinations(photos, (p) => p.names, 2);
    expect(found.map((c) => [c.label, c.items.map((p) => p.id)])).toEqual([
      ['Anna', [2, 5, 7]],
      ['Anna, Ben', [1, 3]],
    ]);
    expect(combinations(photos, (p) => p.names, 3).map((c) => c.label)).toEqual(['Anna']);
  });

  it('spells out up to five names, then counts them', () => {
    expect(combinationLabel(['Eve', 'Bob', 'Al'])).toBe('Al, Bob, Eve');
    expect(combinationLabel(['a', 'b', 'c', 'd', 'e'])).toBe('a, b, c, d, e');
    expect(combinationLabel(['a', 'b', 'c', 'd', 'e', 'f'])).toBe('6 people');
  });
});
