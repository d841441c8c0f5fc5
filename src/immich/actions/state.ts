/**
 * The two views every action plan starts from: what the server holds now (read fresh each run)
 * and what this tool owns there (folded from the journal). Planning compares them with what the
 * groups call for, so a re-run, a resumed run and an undo each do exactly what is missing. Pure.
 */
import type { JournalEntry } from '../../core/immich.js';

/** Root of every tag this tool makes. */
export const TAG_ROOT = 'photo-organizer';

export interface TagState {
  readonly id: string;
  /** Assets carrying the tag (read only for the tags a plan looks at). */
  readonly assets: ReadonlySet<string>;
}

export interface AlbumState {
  readonly id: string;
  readonly name: string;
  readonly assets: ReadonlySet<string>;
}

export interface StackState {
  readonly id: string;
  readonly primary: string;
  readonly assets: readonly string[];
}

export interface ServerState {
  /** By full value (`photo-organizer/best`): every tag of our root, with assets for those read. */
  readonly tags: ReadonlyMap<string, TagState>;
  /** By id, the albums read. */
  readonly albums: ReadonlyMap<string, AlbumState>;
  /** Favourite and archived assets among those whose flags were read. */
  readonly favorites: ReadonlySet<string>;
  readonly archived: ReadonlySet<string>;
  /** Every stack of the user (empty when stacks were not read). */
  readonly stacks: readonly StackState[];
}

/** What earlier runs changed and nobody undid: the only things a reconcile or an undo may remove. */
export interface Owned {
  /** Tag value → id of tags this tool created. */
  readonly createdTags: ReadonlyMap<string, string>;
  /** Tag value → assets this tool tagged with it. */
  readonly tagged: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Values of tags this tool created and later deleted: one that exists again was brought back
   * by a metadata extraction from a sidecar that still listed it (Immich v3.1.0), so it is ours.
   */
  readonly deletedTags: ReadonlySet<string>;
  /** Album id → name of albums this tool created. */
  readonly createdAlbums: ReadonlyMap<string, string>;
  /** Album id → assets this tool added to it. */
  readonly albumAdds: ReadonlyMap<string, ReadonlySet<string>>;
  readonly favorited: ReadonlySet<string>;
  readonly archived: ReadonlySet<string>;
  /** Stack id → the stack this tool made. */
  readonly stacks: ReadonlyMap<string, { readonly primary: string; readonly assets: readonly string[] }>;
}

/** Folds the settled (`done`) entries of a journal, oldest first, into what is owned now. */
export function ownedFromJournal(entries: readonly JournalEntry[]): Owned {
  const createdTags = new Map<string, string>();
  const tagged = new Map<string, Set<string>>();
  const deletedTags = new Set<string>();
  const createdAlbums = new Map<string, string>();
  const albumAdds = new Map<string, Set<string>>();
  const favorited = new Set<string>();
  const archived = new Set<string>();
  const stacks = new Map<string, { primary: string; assets: readonly string[] }>();
  const setOf = (map: Map<string, Set<string>>, key: string): Set<string> => {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    return set;
  };
  for (const e of entries) {
    if (e.state !== 'done') continue;
    switch (e.op) {
      case 'create-tag':
        if (e.entityId !== null) createdTags.set(e.target, e.entityId);
        deletedTags.delete(e.target);
        break;
      case 'delete-tag':
        if (createdTags.delete(e.target)) deletedTags.add(e.target);
        tagged.delete(e.target);
        break;
      case 'add-tag':
        for (const a of e.assets) setOf(tagged, e.target).add(a);
        break;
      case 'remove-tag':
        for (const a of e.assets) tagged.get(e.target)?.delete(a);
        break;
      case 'create-album':
        if (e.entityId !== null) {
          createdAlbums.set(e.entityId, e.target);
          for (const a of e.assets) setOf(albumAdds, e.entityId).add(a);
        }
        break;
      case 'delete-album':
        if (e.entityId !== null) {
          createdAlbums.delete(e.entityId);
          albumAdds.delete(e.entityId);
        }
        break;
      case 'add-album':
        if (e.entityId !== null) for (const a of e.assets) setOf(albumAdds, e.entityId).add(a);
        break;
      case 'remove-album':
        if (e.entityId !== null) for (const a of e.assets) albumAdds.get(e.entityId)?.delete(a);
        break;
      case 'favorite':
        for (const a of e.assets) favorited.add(a);
        break;
      case 'unfavorite':
        for (const a of e.assets) favorited.delete(a);
        break;
      case 'archive':
        for (const a of e.assets) archived.add(a);
        break;
      case 'unarchive':
        for (const a of e.assets) archived.delete(a);
        break;
      case 'create-stack':
        if (e.entityId !== null) stacks.set(e.entityId, { primary: e.assets[0] ?? e.target, assets: e.assets });
        break;
      case 'delete-stack':
        if (e.entityId !== null) stacks.delete(e.entityId);
        break;
    }
  }
  return { createdTags, tagged, deletedTags, createdAlbums, albumAdds, favorited, archived, stacks };
}

/** How a pending entry (its run died between request and answer) turned out, judged on the server. */
export interface PendingVerdict {
  readonly entryId: number;
  readonly state: 'done' | 'failed';
  readonly entityId: string | null;
  /** The assets the change is visible on (a subset when it only partly happened). */
  readonly assets: readonly string[];
}

/**
 * Settles pending entries against the server: a change that is visible now happened (and is
 * ours); one that is not, did not. A pending album creation counts as ours only when the album
 * exists, since the plan only creates an album after finding none of that name.
 */
export function resolvePending(entries: readonly JournalEntry[], server: ServerState): PendingVerdict[] {
  const albumByName = (name: string): AlbumState | undefined => [...server.albums.values()].find((a) => a.name === name);
  const out: PendingVerdict[] = [];
  for (const e of entries) {
    if (e.state !== 'pending') continue;
    const verdict = (visible: readonly string[], entityId: string | null, happened: boolean): void => {
      out.push({ entryId: e.id, state: happened ? 'done' : 'failed', entityId, assets: visible });
    };
    switch (e.op) {
      case 'create-tag': {
        const tag = server.tags.get(e.target);
        verdict([], tag?.id ?? null, tag !== undefined);
        break;
      }
      case 'delete-tag':
        verdict([], e.entityId, !server.tags.has(e.target));
        break;
      case 'add-tag':
      case 'remove-tag': {
        const has = server.tags.get(e.target)?.assets ?? new Set<string>();
        const visible = e.assets.filter((a) => (e.op === 'add-tag' ? has.has(a) : !has.has(a)));
        verdict(visible, e.entityId, visible.length > 0);
        break;
      }
      case 'create-album': {
        const album = albumByName(e.target);
        verdict(album ? e.assets.filter((a) => album.assets.has(a)) : [], album?.id ?? null, album !== undefined);
        break;
      }
      case 'delete-album':
        verdict([], e.entityId, e.entityId !== null && !server.albums.has(e.entityId));
        break;
      case 'add-album':
      case 'remove-album': {
        const has = (e.entityId !== null ? server.albums.get(e.entityId)?.assets : undefined) ?? new Set<string>();
        const visible = e.assets.filter((a) => (e.op === 'add-album' ? has.has(a) : !has.has(a)));
        verdict(visible, e.entityId, visible.length > 0);
        break;
      }
      case 'favorite':
      case 'unfavorite':
      case 'archive':
      case 'unarchive': {
        const set = e.op === 'favorite' || e.op === 'unfavorite' ? server.favorites : server.archived;
        const on = e.op === 'favorite' || e.op === 'archive';
        const visible = e.assets.filter((a) => set.has(a) === on);
        verdict(visible, null, visible.length > 0);
        break;
      }
      case 'create-stack': {
        const stack = server.stacks.find((s) => s.primary === e.assets[0] && sameMembers(s.assets, e.assets));
        verdict(stack ? e.assets : [], stack?.id ?? null, stack !== undefined);
        break;
      }
      case 'delete-stack':
        verdict([], e.entityId, !server.stacks.some((s) => s.id === e.entityId));
        break;
    }
  }
  return out;
}

export function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
