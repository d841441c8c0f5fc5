/**
 * --conflict-strategy manual: a change the user made on the server to what this tool set, waiting
 * for a decision on the review page, is held — the plan leaves the contested thing as the user
 * left it (the stack cover, the favourite, that photo's stack or album membership), while the rest
 * of the group and every other group is still planned as usual (a new frame joining the burst is
 * tagged, stacked under the user's cover, added to the album). Pure.
 */
import type { Desired } from './plan.js';

/** A held change, in asset ids. */
export type Hold =
  /** `asset` made the stack cover or the favourite in place of this tool's pick `was` (null when unknown). */
  | { readonly kind: 'cover' | 'favorite'; readonly asset: string; readonly was: string | null }
  /** `asset` taken out of this tool's stack or album. */
  | { readonly kind: 'unstacked' | 'unalbumed'; readonly asset: string };

/** What the groups call for, with the held changes left as the user made them. */
export function holdDesired(want: Desired, holds: readonly Hold[]): Desired {
  if (holds.length === 0) return want;
  const covers = new Set(holds.flatMap((h) => (h.kind === 'cover' ? [h.asset] : [])));
  const unstacked = new Set(holds.flatMap((h) => (h.kind === 'unstacked' ? [h.asset] : [])));
  const unalbumed = new Set(holds.flatMap((h) => (h.kind === 'unalbumed' ? [h.asset] : [])));
  // This tool's pick is not made the favourite again; the user's favourite is theirs, not ours to add.
  const notFavorite = new Set(holds.flatMap((h) => (h.kind === 'favorite' && h.was !== null ? [h.was] : [])));
  const stacks = want.stacks.flatMap((stack) => {
    const cover = stack.find((a) => covers.has(a));
    const ordered = cover === undefined ? stack : [cover, ...stack.filter((a) => a !== cover)];
    const kept = ordered.filter((a) => !unstacked.has(a));
    // A stack of one photo is no stack: the group is left unstacked, as the user left it.
    return kept.length >= 2 ? [kept] : [];
  });
  const albums = new Map(
    [...want.albums]
      .map(([name, assets]) => [name, assets.filter((a) => !unalbumed.has(a))] as const)
      .filter(([, assets]) => assets.length > 0),
  );
  return { ...want, stacks, albums, favorites: want.favorites.filter((a) => !notFavorite.has(a)) };
}

/** A conflict as the catalog keeps it (by photo) as a hold (by asset); null when its photo has no asset any more. */
export function holdOf<P>(
  c: { readonly kind: Hold['kind']; readonly photo: P; readonly was: P | null },
  assetOf: (photo: P) => string | undefined,
): Hold | null {
  const asset = assetOf(c.photo);
  if (asset === undefined) return null;
  if (c.kind === 'unstacked' || c.kind === 'unalbumed') return { kind: c.kind, asset };
  return { kind: c.kind, asset, was: c.was === null ? null : (assetOf(c.was) ?? null) };
}
