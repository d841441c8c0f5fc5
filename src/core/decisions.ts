/**
 * The user's review decisions and how they adjust a run's groups. Pure: ranked groups and the
 * decision log in, adjusted groups out. The same function serves the select stage of a re-run
 * and the review page, so both always agree on what the groups are.
 *
 * A decision names the groups it was made on by their member sets (photo ids), never by group
 * numbers: numbers move when the library changes, a member set means "these photos grouped
 * exactly like this". Decisions replay in the order they were made; one whose groups no longer
 * exist (the photos are grouped differently now) is skipped as stale and kept for later.
 */
import type { GroupKind, PhotoId } from './types.js';

/** A group's member set: photo ids, ascending, no repeats. */
export type MemberSet = readonly PhotoId[];

export type UserDecision =
  /** `photo` is the best of the group. */
  | { readonly kind: 'pick'; readonly group: MemberSet; readonly photo: PhotoId }
  /** `photo` leaves the group (and joins no other). */
  | { readonly kind: 'exclude'; readonly group: MemberSet; readonly photo: PhotoId }
  /** `part` (a proper, non-empty subset of the group) becomes a group of its own. */
  | { readonly kind: 'split'; readonly group: MemberSet; readonly part: MemberSet }
  /** `other`'s photos join the group, which keeps its number. */
  | { readonly kind: 'merge'; readonly group: MemberSet; readonly other: MemberSet }
  /** `photo` is kept besides the best (`keep`), or no longer (`!keep`). */
  | { readonly kind: 'keep'; readonly group: MemberSet; readonly photo: PhotoId; readonly keep: boolean };

export interface LoggedDecision {
  /** Position in the log (the catalog row id): later decisions apply after earlier ones. */
  readonly id: number;
  readonly decision: UserDecision;
}

export interface RankedMember {
  readonly photoId: PhotoId;
  /** 0..1, comparable within the group the ranking was made for. */
  readonly score: number;
  readonly reason: string;
  readonly isBest: boolean;
  /** A keeper: kept besides the best (never set on the best itself). */
  readonly keep?: boolean;
}

export interface NumberedGroup {
  /** Folder number: group_0001 is 1. */
  readonly number: number;
  readonly kind: GroupKind;
  /** In output order (path order from the ranking). */
  readonly members: readonly RankedMember[];
}

export interface AdjustedGroup extends NumberedGroup {
  /**
   * Where the group sits in the list: the number of the automatic group it comes from, so the
   * part split off group 3 is listed right after group 3 although its number is new.
   */
  readonly order: number;
  /** Ids of the decisions that changed this group, oldest first; empty: as ranked. */
  readonly changedBy: readonly number[];
}

export interface Adjustment {
  /** Sorted by order, then number. */
  readonly groups: readonly AdjustedGroup[];
  /** Decisions that found their groups, in log order. */
  readonly applied: readonly number[];
  /** Decisions whose groups no longer exist. */
  readonly stale: readonly number[];
}

/** Reasons given to a best photo chosen by the user. */
export const PICKED_REASON = 'chosen in review';

/** `[3, 1, 2]` → `[1, 2, 3]`, duplicates dropped: the canonical member set. */
export function memberSet(ids: Iterable<PhotoId>): MemberSet {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** A map key for a member set. */
export function setKey(ids: Iterable<PhotoId>): string {
  return memberSet(ids).join(',');
}

interface Working {
  number: number;
  kind: GroupKind;
  members: RankedMember[];
  order: number;
  changedBy: number[];
}

/**
 * Replays `log` (in id order) on `groups` (numbered, e.g. 1..n from the select stage). Groups
 * left with fewer than two photos are dropped: their photos end up in no group. Parts split off
 * get numbers after every number in `groups`, in the order the splits were made.
 */
export function applyDecisions(groups: readonly NumberedGroup[], log: readonly LoggedDecision[]): Adjustment {
  // By member set. Several groups can share one (Immich person mode: two people in the same
  // photos); a decision then applies to the first of them.
  const live = new Map<string, Working[]>();
  const find = (set: MemberSet): Working | undefined => live.get(setKey(set))?.[0];
  const take = (g: Working): void => {
    const key = setKey(g.members.map((m) => m.photoId));
    const list = live.get(key)!.filter((x) => x !== g);
    if (list.length === 0) live.delete(key);
    else live.set(key, list);
  };
  const put = (g: Working): void => {
    if (g.members.length < 2) return;
    const key = setKey(g.members.map((m) => m.photoId));
    live.set(key, [...(live.get(key) ?? []), g]);
  };
  let nextNumber = 0;
  for (const g of groups) {
    put({ number: g.number, kind: g.kind, members: [...g.members], order: g.number, changedBy: [] });
    nextNumber = Math.max(nextNumber, g.number);
  }
  const applied: number[] = [];
  const stale: number[] = [];

  for (const { id, decision } of [...log].sort((a, b) => a.id - b.id)) {
    const ok = replay(decision, id);
    (ok ? applied : stale).push(id);
  }

  function replay(d: UserDecision, id: number): boolean {
    switch (d.kind) {
      case 'pick':
      case 'exclude': {
        const g = find(d.group);
        if (g === undefined || !g.members.some((m) => m.photoId === d.photo)) return false;
        take(g);
        g.changedBy.push(id);
        g.members = d.kind === 'pick' ? withBest(g.members, d.photo) : regrouped(g.members.filter((m) => m.photoId !== d.photo));
        put(g);
        return true;
      }
      case 'keep': {
        const g = find(d.group);
        const member = g?.members.find((m) => m.photoId === d.photo);
        if (g === undefined || member === undefined || member.isBest) return false;
        g.changedBy.push(id);
        g.members = g.members.map((m) => (m === member ? { ...m, keep: d.keep } : m));
        return true;
      }
      case 'split': {
        const g = find(d.group);
        const part = new Set(d.part);
        if (g === undefined || part.size === 0) return false;
        const inPart = g.members.filter((m) => part.has(m.photoId));
        if (inPart.length !== part.size || inPart.length === g.members.length) return false;
        take(g);
        nextNumber += 1;
        put({ ...g, members: regrouped(g.members.filter((m) => !part.has(m.photoId))), changedBy: [...g.changedBy, id] });
        put({ number: nextNumber, kind: g.kind, members: regrouped(inPart), order: g.order, changedBy: [id] });
        return true;
      }
      case 'merge': {
        const a = find(d.group);
        const b = find(d.other);
        if (a === undefined || b === undefined || a === b) return false;
        take(a);
        take(b);
        const members = regrouped([...a.members, ...b.members.map((m) => (m.isBest ? { ...m, isBest: false } : m))]);
        put({ ...a, kind: looser(a.kind, b.kind), members, changedBy: [...a.changedBy, ...b.changedBy, id] });
        return true;
      }
    }
  }

  const out = [...live.values()]
    .flat()
    .map((g): AdjustedGroup => ({ number: g.number, kind: g.kind, members: g.members, order: g.order, changedBy: g.changedBy }))
    .sort((p, q) => p.order - q.order || p.number - q.number);
  return { groups: out, applied, stale };
}

/** Makes `photo` the only best; the old best's reason loses its comparison with the runner-up. */
function withBest(members: readonly RankedMember[], photo: PhotoId): RankedMember[] {
  return members.map((m) => {
    // A keeper picked as the best is the best now (the cover), no longer a keeper beside it.
    if (m.photoId === photo) return m.isBest ? m : { ...m, isBest: true, keep: false, reason: `${PICKED_REASON}; ${m.reason}` };
    return m.isBest ? { ...m, isBest: false, reason: withoutComparison(m.reason) } : m;
  });
}

/**
 * The members of a group whose membership changed: a best is ensured, and no reason compares
 * with a runner-up any more (it may have left; the page states the new margin, view.ts).
 */
function regrouped(members: readonly RankedMember[]): RankedMember[] {
  return ensureBest(members.map((m) => ({ ...m, reason: withoutComparison(m.reason) })));
}

/**
 * A group that lost its best photo takes the highest score among the rest (scores are
 * comparable within the group they were ranked in); the first in order on a tie.
 */
function ensureBest(members: readonly RankedMember[]): RankedMember[] {
  if (members.length === 0 || members.some((m) => m.isBest)) return [...members];
  let top = members[0]!;
  for (const m of members) if (m.score > top.score) top = m;
  return members.map((m) => (m === top ? { ...m, isBest: true, keep: false } : m));
}

/** "sharpest, …, beats IMG_2.JPG on sharpness" → "sharpest, …": the runner-up may have changed. */
export function withoutComparison(reason: string): string {
  return reason.replace(/(, (beats|ties) .*| — beats .*)$/, '');
}

const LOOSENESS: Readonly<Record<GroupKind, number>> = { duplicate: 0, burst: 1, similar: 2 };

/** Copies and a burst together are a burst; anything with similar shots is similar. */
function looser(a: GroupKind, b: GroupKind): GroupKind {
  return LOOSENESS[a] >= LOOSENESS[b] ? a : b;
}
