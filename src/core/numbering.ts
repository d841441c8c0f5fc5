/**
 * Stable group numbers across runs. A re-run (and every cycle of --watch) finds its groups afresh;
 * numbering them 1..n in capture-time order again would move every folder, tag and album after
 * the first new group. Instead each group keeps the number of the earlier group it shares the
 * most photos with (a frame joining a burst keeps the burst's number), and groups with no
 * earlier counterpart take the numbers after every number used before. Pure.
 */
import type { PhotoId } from './types.js';

export interface NumberedMembers {
  readonly number: number;
  /** Immich person mode: whose group it is; groups of different people never share a number. */
  readonly person: string | null;
  readonly members: readonly PhotoId[];
}

export interface UnnumberedMembers {
  readonly person: string | null;
  readonly members: readonly PhotoId[];
}

/**
 * Numbers for `current` (in its order), keeping those of `previous` where groups overlap. With no
 * previous groups this is 1..n in the order given. Each previous number goes to at most one
 * group: the pairs sharing the most photos are matched first; ties go to the lower previous
 * number, then to the earlier current group, so the result never depends on hash order.
 */
export function keepNumbers(previous: readonly NumberedMembers[], current: readonly UnnumberedMembers[]): number[] {
  const owners = new Map<string, number[]>(); // "person|photo" -> indexes into previous
  previous.forEach((g, j) => {
    for (const id of g.members) {
      const key = `${g.person ?? ''}|${id}`;
      owners.set(key, [...(owners.get(key) ?? []), j]);
    }
  });
  const pairs: { i: number; j: number; shared: number }[] = [];
  current.forEach((g, i) => {
    const shared = new Map<number, number>();
    for (const id of new Set(g.members)) {
      for (const j of owners.get(`${g.person ?? ''}|${id}`) ?? []) shared.set(j, (shared.get(j) ?? 0) + 1);
    }
    for (const [j, n] of shared) pairs.push({ i, j, shared: n });
  });
  pairs.sort((a, b) => b.shared - a.shared || previous[a.j]!.number - previous[b.j]!.number || a.i - b.i);

  const numbers: (number | null)[] = current.map(() => null);
  const taken = new Set<number>();
  for (const { i, j } of pairs) {
    const n = previous[j]!.number;
    if (numbers[i] !== null || taken.has(n)) continue;
    numbers[i] = n;
    taken.add(n);
  }
  let next = previous.reduce((max, g) => Math.max(max, g.number), 0);
  return numbers.map((n) => n ?? ++next);
}

export interface GroupChanges {
  /** Numbers new in `after`, numbers in both whose photos or best pick differ, numbers gone. */
  readonly added: readonly number[];
  readonly changed: readonly number[];
  readonly removed: readonly number[];
}

/** What a run changed in the groups, by number; each map holds a group's members and best pick as one key. */
export function groupChanges(before: ReadonlyMap<number, string>, after: ReadonlyMap<number, string>): GroupChanges {
  const sorted = (ns: Iterable<number>): number[] => [...ns].sort((a, b) => a - b);
  return {
    added: sorted([...after.keys()].filter((n) => !before.has(n))),
    changed: sorted([...after.keys()].filter((n) => before.has(n) && before.get(n) !== after.get(n))),
    removed: sorted([...before.keys()].filter((n) => !after.has(n))),
  };
}
