/** An Immich run's groups through review decisions (pipeline/immich-groups.ts): pure, on hand-built assets. */
import { describe, expect, it } from 'vitest';
import type { StoredAsset } from '../../src/catalog/immich.js';
import { applyDecisions } from '../../src/core/decisions.js';
import { numberedGroups, type RankedGroup, storedGroups } from '../../src/pipeline/immich-groups.js';
import { assetFacts, imageQuality } from '../support/records.js';

const asset = (id: number): StoredAsset => ({
  id,
  assetId: `asset-${id}`,
  checksum: `sum-${id}`,
  facts: assetFacts({ fileName: `IMG_${id}.JPG` }),
  pixels: 'preview',
  dhash: BigInt(id),
  quality: imageQuality(),
  error: null,
});
const assets = new Map([1, 2, 3, 4, 5, 6].map((id) => [id, asset(id)]));

/** A ranked group of these asset ids, the first the best. */
const group = (person: string | null, ids: number[]): RankedGroup => ({
  kind: 'burst',
  person,
  members: ids.map((id, i) => ({ asset: assets.get(id)!, decision: { photoId: id, score: 1 - i / 10, reason: i === 0 ? 'sharpest' : 'softer', isBest: i === 0 } })),
});

describe('Immich groups and review decisions', () => {
  // Person mode: the same photo may be in Alice's group and in Bob's.
  const ranked = [group('Alice', [1, 2, 3, 4]), group('Bob', [4, 5, 6])];
  const automatic = storedGroups(ranked);

  it('stores the groups numbered in order, with their person', () => {
    expect(automatic.map((g) => [g.number, g.person, g.members.map((m) => m.photoId)])).toEqual([
      [1, 'Alice', [1, 2, 3, 4]],
      [2, 'Bob', [4, 5, 6]],
    ]);
  });

  it('gives a part split off a group that group’s person, and a new number', () => {
    const adjusted = applyDecisions(automatic, [
      { id: 1, decision: { kind: 'split', group: [1, 2, 3, 4], part: [3, 4] } },
      { id: 2, decision: { kind: 'pick', group: [4, 5, 6], photo: 6 } },
    ]).groups;
    const out = numberedGroups(adjusted, automatic, assets);
    expect(out.map((g) => [g.number, g.person, g.members.map((m) => m.asset.assetId)])).toEqual([
      [1, 'Alice', ['asset-1', 'asset-2']],
      [3, 'Alice', ['asset-3', 'asset-4']],
      [2, 'Bob', ['asset-4', 'asset-5', 'asset-6']],
    ]);
    expect(out[2]!.members.filter((m) => m.decision.isBest).map((m) => m.asset.id)).toEqual([6]);
  });

  it('refuses a group member the catalog does not hold', () => {
    const adjusted = applyDecisions(storedGroups([group(null, [1, 2])]), []).groups;
    expect(() => numberedGroups(adjusted, automatic, new Map([[1, asset(1)]]))).toThrow(/Asset 2 of group 1/);
  });
});
