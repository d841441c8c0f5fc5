/** Review decisions replayed on ranked groups (core/decisions.ts): pure, so every rule is checked on hand-built groups. */
import { describe, expect, it } from 'vitest';
import {
  type AdjustedGroup,
  type LoggedDecision,
  type NumberedGroup,
  type RankedMember,
  applyDecisions,
  memberSet,
  PICKED_REASON,
  type UserDecision,
  withoutComparison,
} from '../../src/core/decisions.js';
import { asPhotoId } from '../../src/core/types.js';
import { decision, ids as idList, type WithNumberIds } from '../support/ids.js';

/** A member with a score; the best is marked with `best`. */
const m = (photoId: number, score: number, best = false): RankedMember => ({
  photoId: asPhotoId(photoId),
  score,
  isBest: best,
  reason: best ? `sharpest, beats IMG_${photoId + 1}.JPG on sharpness` : 'slightly blurred',
});

const burst: NumberedGroup = { number: 1, kind: 'burst', members: [m(1, 0.5), m(2, 0.9, true), m(3, 0.7), m(4, 0.6), m(5, 0.2)] };
const copies: NumberedGroup = { number: 2, kind: 'duplicate', members: [m(10, 0.8, true), m(11, 0.4)] };
const similar: NumberedGroup = { number: 3, kind: 'similar', members: [m(20, 0.9, true), m(21, 0.3), m(22, 0.1)] };
const groups = [burst, copies, similar];

let nextId = 1;
const log = (...decisions: WithNumberIds<UserDecision>[]): LoggedDecision[] =>
  decisions.map((d) => ({ id: nextId++, decision: decision(d) }));
const ids = (g: NumberedGroup): number[] => g.members.map((x) => x.photoId);
const bestOf = (g: NumberedGroup | undefined): number | undefined => g?.members.find((x) => x.isBest)?.photoId;
const byNumber = (gs: readonly AdjustedGroup[], n: number): AdjustedGroup | undefined => gs.find((g) => g.number === n);

describe('applyDecisions', () => {
  it('leaves the groups as ranked when there is no decision', () => {
    const out = applyDecisions(groups, []);
    expect(out.groups.map((g) => [g.number, ids(g), g.changedBy])).toEqual([
      [1, [1, 2, 3, 4, 5], []],
      [2, [10, 11], []],
      [3, [20, 21, 22], []],
    ]);
  });

  it('makes the picked photo the only best of a group with the same members', () => {
    const [pick] = log({ kind: 'pick', group: [5, 4, 3, 2, 1], photo: 4 });
    const out = applyDecisions(groups, [pick!]);
    const g = byNumber(out.groups, 1)!;
    expect(g.members.filter((x) => x.isBest).map((x) => x.photoId)).toEqual([4]);
    expect(g.members.find((x) => x.photoId === 4)!.reason).toBe(`${PICKED_REASON}; slightly blurred`);
    // The old best no longer claims to beat a runner-up.
    expect(g.members.find((x) => x.photoId === 2)!.reason).toBe('sharpest');
    expect(g.changedBy).toEqual([pick!.id]);
    expect(out.applied).toEqual([pick!.id]);
  });

  it('skips a pick as stale when the group has other members now, and keeps the automatic best', () => {
    const [pick] = log({ kind: 'pick', group: [1, 2, 3, 4, 5, 6], photo: 4 });
    const out = applyDecisions(groups, [pick!]);
    expect(bestOf(byNumber(out.groups, 1))).toBe(2);
    expect(out.stale).toEqual([pick!.id]);
    expect(out.applied).toEqual([]);
  });

  it('takes an excluded photo out; a group that loses its best takes the highest score left', () => {
    const out = applyDecisions(groups, log({ kind: 'exclude', group: [1, 2, 3, 4, 5], photo: 2 }));
    const g = byNumber(out.groups, 1)!;
    expect(ids(g)).toEqual([1, 3, 4, 5]);
    expect(bestOf(g)).toBe(3);
  });

  it('drops a group left with one photo', () => {
    const out = applyDecisions(groups, log({ kind: 'exclude', group: [10, 11], photo: 11 }));
    expect(out.groups.map((g) => g.number)).toEqual([1, 3]);
  });

  it('splits the part off into a new group numbered after every group, listed right after its origin', () => {
    const [split] = log({ kind: 'split', group: [1, 2, 3, 4, 5], part: [3, 4, 5] });
    const out = applyDecisions(groups, [split!]);
    expect(out.groups.map((g) => [g.number, ids(g), bestOf(g)])).toEqual([
      [1, [1, 2], 2],
      [4, [3, 4, 5], 3],
      [2, [10, 11], 10],
      [3, [20, 21, 22], 20],
    ]);
    expect(byNumber(out.groups, 4)!.kind).toBe('burst');
    expect(byNumber(out.groups, 4)!.changedBy).toEqual([split!.id]);
  });

  it('refuses a split that takes every photo or names a photo outside the group', () => {
    const out = applyDecisions(
      groups,
      log({ kind: 'split', group: [10, 11], part: [10, 11] }, { kind: 'split', group: [20, 21, 22], part: [22, 99] }),
    );
    expect(out.stale).toHaveLength(2);
    expect(out.groups).toHaveLength(3);
  });

  it('merges the other group in: the first keeps its number and best, the kind becomes the looser one', () => {
    const out = applyDecisions(groups, log({ kind: 'merge', group: [10, 11], other: [20, 21, 22] }));
    expect(out.groups.map((g) => [g.number, g.kind, ids(g), bestOf(g)])).toEqual([
      [1, 'burst', [1, 2, 3, 4, 5], 2],
      [2, 'similar', [10, 11, 20, 21, 22], 10],
    ]);
    expect(byNumber(out.groups, 2)!.members.filter((x) => x.isBest)).toHaveLength(1);
  });

  it('replays decisions in log order, each on the groups the earlier ones left', () => {
    // Split, then pick in the split-off part, then merge the part back into the copies.
    const out = applyDecisions(
      groups,
      log(
        { kind: 'split', group: [1, 2, 3, 4, 5], part: [4, 5] },
        { kind: 'pick', group: [4, 5], photo: 5 },
        { kind: 'merge', group: [10, 11], other: [4, 5] },
      ),
    );
    expect(out.stale).toEqual([]);
    expect(out.groups.map((g) => [g.number, ids(g), bestOf(g)])).toEqual([
      [1, [1, 2, 3], 2],
      [2, [10, 11, 4, 5], 10],
      [3, [20, 21, 22], 20],
    ]);
  });

  it('keeps groups that share a member set (person mode) and changes only the first', () => {
    const twin: NumberedGroup = { number: 4, kind: 'similar', members: [m(20, 0.9, true), m(21, 0.3), m(22, 0.1)] };
    const out = applyDecisions([...groups, twin], log({ kind: 'pick', group: [20, 21, 22], photo: 22 }));
    expect(out.groups.map((g) => [g.number, bestOf(g)])).toEqual([
      [1, 2],
      [2, 10],
      [3, 22],
      [4, 20],
    ]);
  });

  it('gives the same result whatever order the log is handed over in', () => {
    const decisions = log({ kind: 'exclude', group: [1, 2, 3, 4, 5], photo: 1 }, { kind: 'pick', group: [2, 3, 4, 5], photo: 5 });
    const forward = applyDecisions(groups, decisions);
    const reversed = applyDecisions(groups, [...decisions].reverse());
    expect(reversed).toEqual(forward);
    expect(bestOf(byNumber(forward.groups, 1))).toBe(5);
  });

  it('picks again on a re-run of an unchanged library, and not when the group changed', () => {
    const decisions = log({ kind: 'pick', group: [1, 2, 3, 4, 5], photo: 1 });
    const rerun: NumberedGroup[] = groups.map((g) => ({ ...g, members: g.members.map((x) => ({ ...x })) }));
    expect(bestOf(byNumber(applyDecisions(rerun, decisions).groups, 1))).toBe(1);
    const grown: NumberedGroup[] = [{ ...burst, members: [...burst.members, m(6, 0.1)] }, copies, similar];
    expect(bestOf(byNumber(applyDecisions(grown, decisions).groups, 1))).toBe(2);
  });
});

describe('memberSet and withoutComparison', () => {
  it('sorts ids and drops repeats', () => {
    expect(memberSet(idList(3, 1, 3, 2))).toEqual([1, 2, 3]);
  });

  it('strips the comparison with the runner-up from both reason styles', () => {
    expect(withoutComparison('sharpest, well exposed, 4.0 MP, beats IMG_2.JPG on sharpness')).toBe('sharpest, well exposed, 4.0 MP');
    expect(withoutComparison('sharpest, 4.0 MP, ties IMG_2.JPG (kept the larger or first file)')).toBe('sharpest, 4.0 MP');
    expect(withoutComparison('2 faces, all eyes open — beats IMG_3.JPG: sharper faces')).toBe('2 faces, all eyes open');
    expect(withoutComparison('slightly blurred')).toBe('slightly blurred');
  });

  it('keeps photos besides the best, undoes a keep, and a keeper picked as the best is just the best', () => {
    const all = [1, 2, 3, 4, 5];
    const kept = (g: AdjustedGroup | undefined): number[] => g?.members.filter((x) => x.keep === true).map((x) => x.photoId) ?? [];
    const keep = (photo: number, on = true): WithNumberIds<UserDecision> => ({ kind: 'keep', group: all, photo, keep: on });
    let out = applyDecisions(groups, log(keep(3), keep(4)));
    expect(kept(byNumber(out.groups, 1))).toEqual([3, 4]);
    expect(bestOf(byNumber(out.groups, 1))).toBe(2);
    expect(byNumber(out.groups, 1)!.changedBy).toHaveLength(2);
    out = applyDecisions(groups, log(keep(3), keep(4), keep(3, false)));
    expect(kept(byNumber(out.groups, 1))).toEqual([4]);
    out = applyDecisions(groups, log(keep(3), { kind: 'pick', group: all, photo: 3 }));
    expect(bestOf(byNumber(out.groups, 1))).toBe(3);
    expect(kept(byNumber(out.groups, 1))).toEqual([]);
    // The best itself is never a keeper; a keep on a group that changed waits as stale.
    out = applyDecisions(groups, log(keep(2), { kind: 'keep', group: [1, 2], photo: 1, keep: true }));
    expect(out.applied).toEqual([]);
    expect(out.stale).toHaveLength(2);
  });
});
