/**
 * Plans --undo: remove exactly what this tool's runs put on the server and nobody removed since —
 * its stacks, its photos in albums (the albums themselves when they hold nothing else), its tags
 * on photos (then the tags themselves, when it created them and they carry nothing else), and the
 * favourite and archive flags it set. Pure; the journal of the undo makes a second undo a no-op.
 */
import type { Operation } from './plan.js';
import { type Owned, type ServerState, TAG_ROOT } from './state.js';

export function planUndo(owned: Owned, server: ServerState): Operation[] {
  const ops: Operation[] = [];
  for (const [id, mine] of [...owned.stacks.entries()].sort(([a], [b]) => cmp(a, b))) {
    if (server.stacks.some((s) => s.id === id)) ops.push({ kind: 'delete-stack', stackId: id, assets: mine.assets });
  }
  for (const [albumId, mine] of [...owned.albumAdds.entries()].sort(([a], [b]) => cmp(a, b))) {
    const live = server.albums.get(albumId);
    if (!live) continue;
    const ours = [...mine].filter((a) => live.assets.has(a)).sort();
    const onlyOurs = [...live.assets].every((a) => mine.has(a));
    if (owned.createdAlbums.has(albumId) && onlyOurs) ops.push({ kind: 'delete-album', name: live.name, albumId });
    else if (ours.length > 0) ops.push({ kind: 'remove-album', name: live.name, albumId, assets: ours });
  }
  // Created albums we never added to (their creation failed half-way) go too, when empty.
  for (const [albumId, name] of owned.createdAlbums) {
    const live = server.albums.get(albumId);
    if (live && !owned.albumAdds.has(albumId) && live.assets.size === 0) ops.push({ kind: 'delete-album', name, albumId });
  }

  const deleted = new Set<string>();
  const tagValues = new Set([...owned.tagged.keys(), ...owned.createdTags.keys()]);
  // Deepest first, so a parent is judged after its children.
  for (const value of [...tagValues].sort((a, b) => depth(b) - depth(a) || cmp(a, b))) {
    const live = server.tags.get(value);
    if (!live) continue;
    const mine = owned.tagged.get(value) ?? new Set<string>();
    const onlyOurs = [...live.assets].every((a) => mine.has(a));
    const children = [...server.tags.keys()].filter((v) => v.startsWith(`${value}/`));
    const childrenGo = children.every((v) => deleted.has(v));
    // Untag first, always: that rewrites the sidecars. A tag deleted while photos carry it stays
    // in their sidecars and comes back at their next metadata extraction (Immich v3.1.0).
    const ours = [...mine].filter((a) => live.assets.has(a)).sort();
    if (ours.length > 0) ops.push({ kind: 'remove-tag', value, tagId: live.id, assets: ours });
    if (owned.createdTags.has(value) && onlyOurs && childrenGo) {
      ops.push({ kind: 'delete-tag', value, tagId: live.id });
      deleted.add(value);
    }
  }
  // A tag it deleted that exists again came back from a stale sidecar: untag it, then delete it.
  for (const value of [...owned.deletedTags].sort((a, b) => depth(b) - depth(a) || cmp(a, b))) {
    const live = server.tags.get(value);
    if (!live || tagValues.has(value)) continue;
    if (live.assets.size > 0) ops.push({ kind: 'remove-tag', value, tagId: live.id, assets: [...live.assets].sort() });
    // Deleting a tag deletes the tags under it: only when they all go too.
    if ([...server.tags.keys()].filter((v) => v.startsWith(`${value}/`)).every((v) => deleted.has(v))) {
      ops.push({ kind: 'delete-tag', value, tagId: live.id });
      deleted.add(value);
    }
  }
  const unfavorite = [...owned.favorited].filter((a) => server.favorites.has(a)).sort();
  if (unfavorite.length > 0) ops.push({ kind: 'unfavorite', assets: unfavorite });
  const unarchive = [...owned.archived].filter((a) => server.archived.has(a)).sort();
  if (unarchive.length > 0) ops.push({ kind: 'unarchive', assets: unarchive });
  return ops;
}

function depth(value: string): number {
  return value === TAG_ROOT ? 0 : value.split('/').length - 1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
