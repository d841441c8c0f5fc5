/**
 * What a user's library looks like on the real server, in library paths: tags (and the tag list
 * itself), albums, favourites, archived photos, stacks, and each photo's XMP sidecar as the
 * server wrote it to disk. `settled` reads it until it stops changing: the server finishes tag
 * changes in background jobs, so a single read right after a run proves nothing.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Uploaded } from './library.js';
import { type ImmichUser, readLibraryFile } from './server.js';

export interface Observed {
  /** Tag value → paths carrying it (tags under photo-organizer/ only, and those given). */
  readonly tags: Record<string, string[]>;
  /** Every tag value the user has, sorted. */
  readonly tagValues: string[];
  readonly albums: Record<string, string[]>;
  readonly favorites: string[];
  readonly archived: string[];
  /** Cover and members of each stack, sorted by cover. */
  readonly stacks: { cover: string; members: string[] }[];
  /** Path → the tags in its sidecar (`digiKam:TagsList`), for photos that have one. */
  readonly sidecars: Record<string, string[]>;
}

interface Asset {
  readonly id: string;
  readonly originalPath: string;
  readonly isFavorite: boolean;
  readonly visibility: string;
  readonly tags?: { value: string }[];
}

export async function observe(user: ImmichUser, lib: Pick<Uploaded, 'ids' | 'paths'>): Promise<Observed> {
  const name = (id: string): string => lib.paths.get(id) ?? `?${id}`;
  const assets = await Promise.all([...lib.ids.values()].map((id) => user.get<Asset>(`/assets/${id}`)));
  const tags: Record<string, string[]> = {};
  const sidecars: Record<string, string[]> = {};
  for (const a of assets) {
    for (const t of a.tags ?? []) {
      tags[t.value] ??= [];
      tags[t.value]!.push(name(a.id));
    }
    const xmp = readLibraryFile(`${a.originalPath}.xmp`);
    if (xmp !== null) sidecars[name(a.id)] = sidecarTags(xmp);
  }
  for (const list of Object.values(tags)) list.sort();
  const tagValues = (await user.get<{ value: string }[]>('/tags')).map((t) => t.value).sort();
  const albums: Record<string, string[]> = {};
  for (const album of await user.get<{ id: string; albumName: string }[]>('/albums')) {
    const found = await user.post<{ assets: { items: { id: string }[] } }>('/search/metadata', { albumIds: [album.id], size: 1000 });
    albums[album.albumName] = found.assets.items.map((a) => name(a.id)).sort();
  }
  const stacks = (await user.get<{ primaryAssetId: string; assets: { id: string }[] }[]>('/stacks'))
    .map((s) => ({ cover: name(s.primaryAssetId), members: s.assets.map((a) => name(a.id)).sort() }))
    .sort((x, y) => (x.cover < y.cover ? -1 : 1));
  return {
    tags,
    tagValues,
    albums,
    favorites: assets
      .filter((a) => a.isFavorite)
      .map((a) => name(a.id))
      .sort(),
    archived: assets
      .filter((a) => a.visibility === 'archive')
      .map((a) => name(a.id))
      .sort(),
    stacks,
    sidecars,
  };
}

/** The `digiKam:TagsList` entries of an XMP sidecar. */
export function sidecarTags(xmp: string): string[] {
  const list = /<digiKam:TagsList>([\s\S]*?)<\/digiKam:TagsList>/.exec(xmp);
  if (!list) return [];
  return [...list[1]!.matchAll(/<rdf:li>([^<]*)<\/rdf:li>/g)].map((m) => unescapeXml(m[1]!)).sort();
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Observes until two reads `quietMs` apart are equal (the background jobs are done), at most
 * `timeoutMs`; throws when the state never stops changing.
 */
export async function settled(
  user: ImmichUser,
  lib: Pick<Uploaded, 'ids' | 'paths'>,
  quietMs = 2_000,
  timeoutMs = 90_000,
): Promise<Observed> {
  const started = Date.now();
  let last = await observe(user, lib);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const next = await observe(user, lib);
    if (isDeepStrictEqual(last, next)) return next;
    if (Date.now() - started > timeoutMs) throw new Error(`The server's state was still changing after ${timeoutMs / 1000} s`);
    last = next;
  }
}

/** The photo-organizer tags of a state: tag → paths. */
export function ourTags(state: Observed): Record<string, string[]> {
  return Object.fromEntries(Object.entries(state.tags).filter(([v]) => v === 'photo-organizer' || v.startsWith('photo-organizer/')));
}

/** Path → its sidecar's photo-organizer tags, for photos whose sidecar has any. */
export function ourSidecarTags(state: Observed): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, values] of Object.entries(state.sidecars)) {
    const ours = values.filter((v) => v.startsWith('photo-organizer'));
    if (ours.length > 0) out[path] = ours;
  }
  return out;
}

/** Path → its photo-organizer tags (from the tag → paths view), sorted. */
export function tagsByPath(state: Observed): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [value, paths] of Object.entries(ourTags(state))) {
    for (const p of paths) {
      out[p] ??= [];
      out[p]!.push(value);
    }
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}
