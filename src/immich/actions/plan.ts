/**
 * Plans the changes on the server for a run's groups: what the groups call for, minus what the
 * server already has, plus the removal of what earlier runs of this tool put on photos of this
 * run that no longer call for it (a photo that stopped being the best loses `best`). Only the
 * action kinds enabled in this run are touched; only changes this tool made are ever removed.
 * Pure: the same inputs give the same list, which --dry-run prints and the applier carries out.
 */
import { type Hold, holdDesired } from './hold.js';
import { type Owned, type ServerState, sameMembers, TAG_ROOT } from './state.js';
import { asHold, userChanges } from './user-changes.js';

/** A group as the actions see it: asset ids, best first among equals of nothing else. */
export interface ActionGroup {
  /** 1-based, as in the report. */
  readonly number: number;
  readonly best: string;
  /** Members kept besides the best (keepers marked in review): favourited, never archived. */
  readonly keepers?: readonly string[];
  /** Every member, the best included, in report order. */
  readonly members: readonly string[];
  /** The album for it (see album-name.ts), or null without --create-albums. */
  readonly albumName: string | null;
  /** Person mode: the person the group is about. */
  readonly person: string | null;
  /** The group's folder in the local tree holds an HDR merge of its bracket. */
  readonly hdrMerged?: boolean;
  /** The group's folder in the local tree holds face_swapped.jpg, made from its best photo. */
  readonly faceSwapped?: boolean;
}

export interface ActionFlags {
  /** Structured tags (--tag-only or --create-albums). */
  readonly tags: boolean;
  readonly albums: boolean;
  readonly favorite: boolean;
  readonly archive: boolean;
  readonly stack: boolean;
}

export type Operation =
  | { readonly kind: 'create-tags'; readonly values: readonly string[] }
  | { readonly kind: 'add-tag' | 'remove-tag'; readonly value: string; readonly tagId: string | null; readonly assets: readonly string[] }
  | { readonly kind: 'delete-tag'; readonly value: string; readonly tagId: string }
  | { readonly kind: 'create-album'; readonly name: string; readonly assets: readonly string[] }
  | { readonly kind: 'add-album' | 'remove-album'; readonly name: string; readonly albumId: string; readonly assets: readonly string[] }
  | { readonly kind: 'delete-album'; readonly name: string; readonly albumId: string }
  | { readonly kind: 'favorite' | 'unfavorite' | 'archive' | 'unarchive'; readonly assets: readonly string[] }
  | { readonly kind: 'create-stack'; readonly assets: readonly string[] }
  | { readonly kind: 'delete-stack'; readonly stackId: string; readonly assets: readonly string[] };

export interface ActionPlan {
  readonly operations: readonly Operation[];
  /** Things deliberately not done, one line each (a photo already in someone else's stack…). */
  readonly notices: readonly string[];
}

/** Tag values for a run's groups. */
export const BEST_TAG = `${TAG_ROOT}/best`;
export const NON_BEST_TAG = `${TAG_ROOT}/non-best`;
/** On the best photo of a group whose bracket was merged into hdr_merged.jpg (the seed's tag). */
export const HDR_TAG = `${TAG_ROOT}/modified/hdr-merged`;
/** On the best photo of a group whose folder holds face_swapped.jpg (the seed's tag). */
export const FACE_SWAP_TAG = `${TAG_ROOT}/modified/face-swapped`;

export function groupTag(n: number): string {
  return `${TAG_ROOT}/group-${String(n).padStart(4, '0')}`;
}

/** `photo-organizer/person-<name>`; a `/` in a name would start a new tag level, so it becomes `-`. */
export function personTag(name: string): string {
  return `${TAG_ROOT}/person-${name.replace(/\//g, '-').trim()}`;
}

/** What the groups call for, per action kind. */
export interface Desired {
  readonly tags: ReadonlyMap<string, readonly string[]>;
  readonly albums: ReadonlyMap<string, readonly string[]>;
  readonly favorites: readonly string[];
  readonly archive: readonly string[];
  /** Cover first. */
  readonly stacks: readonly (readonly string[])[];
}

export function desiredState(groups: readonly ActionGroup[], flags: ActionFlags): Desired {
  const bests = unique(groups.map((g) => g.best));
  const bestSet = new Set(bests);
  // In person mode a photo can be in several groups: the best of any of them is never "non-best".
  const nonBests = unique(groups.flatMap((g) => g.members.filter((m) => !bestSet.has(m))));
  const keepers = new Set(groups.flatMap((g) => g.keepers ?? []).filter((m) => !bestSet.has(m)));
  const tags = new Map<string, string[]>();
  const albums = new Map<string, string[]>();
  if (flags.tags) {
    for (const g of groups) tags.set(groupTag(g.number), unique(g.members));
    if (bests.length > 0) tags.set(BEST_TAG, bests);
    if (nonBests.length > 0) tags.set(NON_BEST_TAG, nonBests);
    const merged = unique(groups.filter((g) => g.hdrMerged === true).map((g) => g.best));
    if (merged.length > 0) tags.set(HDR_TAG, merged);
    const swapped = unique(groups.filter((g) => g.faceSwapped === true).map((g) => g.best));
    if (swapped.length > 0) tags.set(FACE_SWAP_TAG, swapped);
    for (const g of groups) {
      if (g.person === null) continue;
      const value = personTag(g.person);
      tags.set(value, unique([...(tags.get(value) ?? []), ...g.members]));
    }
  }
  if (flags.albums) {
    for (const g of groups) if (g.albumName !== null) albums.set(g.albumName, unique([...(albums.get(g.albumName) ?? []), ...g.members]));
  }
  const stacks: string[][] = [];
  if (flags.stack) {
    const taken = new Set<string>();
    for (const g of groups) {
      // An asset can be in one stack only: a group overlapping an earlier one gets none.
      if (g.members.length < 2 || g.members.some((m) => taken.has(m))) continue;
      for (const m of g.members) taken.add(m);
      stacks.push([g.best, ...g.members.filter((m) => m !== g.best)]);
    }
  }
  return {
    tags,
    albums,
    favorites: flags.favorite ? [...bests, ...keepers] : [],
    archive: flags.archive ? nonBests.filter((m) => !keepers.has(m)) : [],
    stacks,
  };
}

export interface PlanInput {
  readonly groups: readonly ActionGroup[];
  readonly flags: ActionFlags;
  /** Assets this run looked at: stale changes are removed from these only. */
  readonly scope: ReadonlySet<string>;
  readonly server: ServerState;
  readonly owned: Owned;
  /** The user's changes waiting for a decision (--conflict-strategy manual): left as they are. */
  readonly holds?: readonly Hold[];
  /**
   * --enable-bidir-sync without local_wins: a change the user made since this tool's last write,
   * seen in this very read, is left as it is too (the sync between watch cycles records it; a
   * cycle already under way must not undo it first), except those decided on the review page for
   * this tool's choice (`kind|asset`).
   */
  readonly keepUserChanges?: { readonly except: ReadonlySet<string> };
}

export function planActions(input: PlanInput): ActionPlan {
  const { flags, scope, server, owned } = input;
  const seen = input.keepUserChanges
    ? userChanges(input.groups, owned, server, flags)
        .map(asHold)
        .filter((h) => !input.keepUserChanges!.except.has(`${h.kind}|${h.asset}`))
    : [];
  const want = holdDesired(desiredState(input.groups, flags), [...(input.holds ?? []), ...seen]);
  const ops: Operation[] = [];
  const notices: string[] = [];
  const inScope = (a: string): boolean => scope.has(a);

  // Removals first: a stale stack must go before its photos can join a new one.
  const desiredStacks = want.stacks;
  const deletedStacks = new Set<string>();
  if (flags.stack) {
    for (const [id, mine] of owned.stacks) {
      const live = server.stacks.find((s) => s.id === id);
      if (!live?.assets.some(inScope)) continue;
      if (desiredStacks.some((d) => d[0] === live.primary && sameMembers(d, live.assets))) continue;
      ops.push({ kind: 'delete-stack', stackId: id, assets: mine.assets });
      deletedStacks.add(id);
    }
  }
  if (flags.tags) {
    for (const [value, mine] of sorted(owned.tagged)) {
      const live = server.tags.get(value);
      if (!live) continue;
      const wanted = new Set(want.tags.get(value) ?? []);
      const stale = [...mine].filter((a) => inScope(a) && live.assets.has(a) && !wanted.has(a)).sort();
      if (stale.length > 0) ops.push({ kind: 'remove-tag', value, tagId: live.id, assets: stale });
    }
  }
  const albumsByName = new Map<string, { id: string; assets: ReadonlySet<string> }>();
  for (const album of [...server.albums.values()].sort(
    (a, b) => Number(owned.createdAlbums.has(b.id)) - Number(owned.createdAlbums.has(a.id)) || cmp(a.id, b.id),
  )) {
    if (!albumsByName.has(album.name)) albumsByName.set(album.name, album);
  }
  if (flags.albums) {
    for (const [albumId, mine] of sorted(owned.albumAdds)) {
      const live = server.albums.get(albumId);
      if (!live) continue;
      const wanted = new Set(want.albums.get(live.name) ?? []);
      const stale = [...mine].filter((a) => inScope(a) && live.assets.has(a) && !wanted.has(a)).sort();
      if (stale.length === 0) continue;
      const emptied = owned.createdAlbums.has(albumId) && [...live.assets].every((a) => stale.includes(a));
      ops.push(
        emptied ? { kind: 'delete-album', name: live.name, albumId } : { kind: 'remove-album', name: live.name, albumId, assets: stale },
      );
    }
  }
  if (flags.favorite) {
    const wanted = new Set(want.favorites);
    const stale = [...owned.favorited].filter((a) => inScope(a) && server.favorites.has(a) && !wanted.has(a)).sort();
    if (stale.length > 0) ops.push({ kind: 'unfavorite', assets: stale });
  }
  if (flags.archive) {
    const wanted = new Set(want.archive);
    const stale = [...owned.archived].filter((a) => inScope(a) && server.archived.has(a) && !wanted.has(a)).sort();
    if (stale.length > 0) ops.push({ kind: 'unarchive', assets: stale });
  }

  // Then what is missing.
  if (flags.tags) {
    // Parents are created along the way by the upsert; naming them makes them journalled as ours.
    const missing = [...new Set([...want.tags.keys()].flatMap(ancestry))].filter((v) => !server.tags.has(v)).sort();
    if (missing.length > 0) ops.push({ kind: 'create-tags', values: missing });
    for (const [value, assets] of want.tags) {
      const has = server.tags.get(value)?.assets ?? new Set<string>();
      const add = assets.filter((a) => !has.has(a));
      if (add.length > 0) ops.push({ kind: 'add-tag', value, tagId: server.tags.get(value)?.id ?? null, assets: add });
    }
  }
  if (flags.albums) {
    for (const [name, assets] of want.albums) {
      const live = albumsByName.get(name);
      if (!live) {
        ops.push({ kind: 'create-album', name, assets });
        continue;
      }
      const add = assets.filter((a) => !live.assets.has(a));
      if (add.length > 0) ops.push({ kind: 'add-album', name, albumId: live.id, assets: add });
    }
  }
  if (flags.favorite) {
    const add = want.favorites.filter((a) => !server.favorites.has(a));
    if (add.length > 0) ops.push({ kind: 'favorite', assets: add });
  }
  if (flags.archive) {
    const add = want.archive.filter((a) => !server.archived.has(a));
    if (add.length > 0) ops.push({ kind: 'archive', assets: add });
  }
  if (flags.stack) {
    const stackOf = new Map<string, string>();
    for (const s of server.stacks) if (!deletedStacks.has(s.id)) for (const a of s.assets) stackOf.set(a, s.id);
    for (const d of desiredStacks) {
      const existing = server.stacks.find((s) => !deletedStacks.has(s.id) && s.primary === d[0] && sameMembers(s.assets, d));
      if (existing) continue;
      const busy = d.filter((a) => stackOf.has(a));
      if (busy.length > 0) {
        notices.push(
          `not stacking ${d.length} photos (cover ${d[0]}): ${busy.length} of them already belong to a stack this tool did not make`,
        );
        continue;
      }
      ops.push({ kind: 'create-stack', assets: d });
    }
  }
  return { operations: ops, notices };
}

/** `a/b/c` → `a`, `a/b`, `a/b/c`. */
function ancestry(value: string): string[] {
  const parts = value.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function sorted<V>(map: ReadonlyMap<string, V>): [string, V][] {
  return [...map.entries()].sort(([a], [b]) => cmp(a, b));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
