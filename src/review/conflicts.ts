/**
 * The review page's side of --conflict-strategy manual: the user's changes on the server waiting
 * in a group (catalog/conflicts.ts), in words, and what deciding for them means — the review
 * decisions that keep the user's change (a pick for a moved cover or favourite, the photo taken
 * out for one taken out of the stack or album). Pure.
 */
import type { SyncConflict } from '../catalog/conflicts.js';
import { type AdjustedGroup, setKey } from '../core/decisions.js';
import type { PhotoId } from '../core/types.js';
import type { ReviewPhoto } from './view.js';

export interface ConflictView {
  readonly kind: SyncConflict['kind'];
  readonly photo: PhotoId;
  /** What the user did, in words. */
  readonly text: string;
}

/** The conflicts waiting in `g` (found on its photos as they stand), undecided ones only. */
export function conflictsIn(conflicts: readonly SyncConflict[], g: AdjustedGroup): SyncConflict[] {
  const key = setKey(g.members.map((m) => m.photoId));
  return conflicts.filter((c) => !c.toolWins && setKey(c.members) === key);
}

export function conflictViews(conflicts: readonly SyncConflict[], photos: ReadonlyMap<PhotoId, ReviewPhoto>): ConflictView[] {
  const name = (id: PhotoId | null): string => (id === null ? 'another photo' : (photos.get(id)?.name ?? `photo ${id}`));
  return conflicts.map((c) => ({
    kind: c.kind,
    photo: c.photo,
    text:
      c.kind === 'cover' || c.kind === 'favorite'
        ? `On the server you made ${name(c.photo)} the ${c.kind === 'cover' ? 'stack cover' : 'favourite'} (this tool picked ${name(c.was)})`
        : `On the server you took ${name(c.photo)} out of the group's ${c.kind === 'unstacked' ? 'stack' : 'album'}`,
  }));
}

/** The decisions that keep the user's changes in `g`: one pick at most (the newest moved cover or favourite), then the photos taken out. */
export function keepingServer(
  conflicts: readonly SyncConflict[],
  g: AdjustedGroup,
): { readonly kind: 'pick' | 'exclude'; readonly photo: PhotoId }[] {
  const inGroup = new Set(g.members.map((m) => m.photoId));
  const best = g.members.find((m) => m.isBest)?.photoId ?? null;
  const picked = conflicts.filter((c) => c.kind === 'cover' || c.kind === 'favorite').at(-1);
  const out = [...new Set(conflicts.filter((c) => c.kind === 'unstacked' || c.kind === 'unalbumed').map((c) => c.photo))];
  return [
    ...(picked !== undefined && picked.photo !== best && inGroup.has(picked.photo) && !out.includes(picked.photo)
      ? [{ kind: 'pick' as const, photo: picked.photo }]
      : []),
    ...out.filter((p) => inGroup.has(p)).map((photo) => ({ kind: 'exclude' as const, photo })),
  ];
}
