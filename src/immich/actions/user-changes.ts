/**
 * What the user changed on the server in what this tool set (--enable-bidir-sync): a stack's
 * cover or the favourite moved to another photo of the group, a photo taken out of our stack or
 * out of our album. Found by comparing the server now with what the journal says we made, for
 * the groups as they stand (review decisions applied), so a change already kept as a decision is
 * not found again. Pure.
 */
import type { Hold } from './hold.js';
import type { Owned, ServerState } from './state.js';

export interface OrganizedGroup {
  /** Asset ids of the group's photos, in group order. */
  readonly members: readonly string[];
  /** The group's best photo (its stack cover, its favourite). */
  readonly best: string;
}

export interface SyncFlags {
  readonly stack: boolean;
  readonly favorite: boolean;
  readonly albums: boolean;
}

/** A change of the user's, on the group at `group` (an index into the groups given). */
export type UserChange =
  | { readonly kind: 'cover' | 'favorite'; readonly group: number; readonly asset: string; readonly was: string }
  | { readonly kind: 'unstacked'; readonly group: number; readonly asset: string }
  | { readonly kind: 'unalbumed'; readonly group: number; readonly asset: string; readonly album: string };

export function userChanges(groups: readonly OrganizedGroup[], owned: Owned, server: ServerState, flags: SyncFlags): UserChange[] {
  const out: UserChange[] = [];
  groups.forEach((g, index) => {
    const inGroup = new Set(g.members);
    if (flags.stack) {
      // Our stack of this group: made with the group's photos (its cover may have moved since).
      for (const [id, mine] of owned.stacks) {
        if (!mine.assets.every((a) => inGroup.has(a))) continue;
        const live = server.stacks.find((s) => s.id === id);
        // A stack deleted as a whole is no pick among the photos: the next cycle stacks them again.
        if (live === undefined) continue;
        if (live.primary !== g.best && live.primary !== mine.primary && inGroup.has(live.primary)) {
          out.push({ kind: 'cover', group: index, asset: live.primary, was: g.best });
        }
        const kept = new Set(live.assets);
        for (const a of mine.assets) if (!kept.has(a)) out.push({ kind: 'unstacked', group: index, asset: a });
      }
    }
    if (flags.favorite && owned.favorited.has(g.best) && !server.favorites.has(g.best)) {
      const moved = g.members.find((a) => a !== g.best && server.favorites.has(a) && !owned.favorited.has(a));
      if (moved !== undefined) out.push({ kind: 'favorite', group: index, asset: moved, was: g.best });
    }
    if (flags.albums) {
      for (const [album, added] of owned.albumAdds) {
        const live = server.albums.get(album);
        if (live === undefined) continue;
        for (const a of g.members) if (added.has(a) && !live.assets.has(a)) out.push({ kind: 'unalbumed', group: index, asset: a, album });
      }
    }
  });
  // A photo taken out of both our stack and our album is one change.
  const seen = new Set<string>();
  return out.filter((c) => {
    const key = c.kind === 'unstacked' || c.kind === 'unalbumed' ? `out|${c.group}|${c.asset}` : `${c.kind}|${c.group}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A change as the plan leaves it (hold.ts). */
export function asHold(c: UserChange): Hold {
  return c.kind === 'cover' || c.kind === 'favorite' ? { kind: c.kind, asset: c.asset, was: c.was } : { kind: c.kind, asset: c.asset };
}

/**
 * The user's stack changes still waiting for a decision (--conflict-strategy manual) that
 * `userChanges` no longer sees: once a cycle planned around them (a new frame stacked under the
 * user's cover, the photo left out of the new stack), the journal says this tool made the stack
 * that way, so the server is looked at instead. A held favourite or album change stays visible in
 * the journal (this tool does not redo it), so `userChanges` keeps finding those.
 */
export function waitingStackChanges(
  groups: readonly OrganizedGroup[],
  waiting: readonly Hold[],
  server: ServerState,
  flags: SyncFlags,
): UserChange[] {
  if (!flags.stack) return [];
  return waiting.flatMap((h): UserChange[] => {
    if (h.kind === 'cover') {
      // The user's cover stays contested while this tool picks another photo (a better frame that
      // arrived since included) and the user has not moved it back.
      const group = groups.findIndex((g) => g.members.includes(h.asset) && g.best !== h.asset);
      const still = server.stacks.some((s) => s.primary === h.asset);
      return group >= 0 && still ? [{ kind: 'cover', group, asset: h.asset, was: groups[group]!.best }] : [];
    }
    if (h.kind === 'unstacked') {
      const group = groups.findIndex((g) => g.members.includes(h.asset));
      const still = !server.stacks.some((s) => s.assets.includes(h.asset));
      return group >= 0 && still ? [{ kind: 'unstacked', group, asset: h.asset }] : [];
    }
    return [];
  });
}
