/**
 * Reading from the server: paged searches (v3 pages with a `nextPage` token, null on the last
 * page) and the server state an action plan compares against (actions/state.ts).
 */
import { AssetVisibility, type MetadataSearchDto } from '@immich/sdk';
import type { ServerState, StackState, TagState, AlbumState } from './actions/state.js';
import { TAG_ROOT } from './actions/state.js';
import { mapLimit } from '../core/concurrency.js';
import type { ImmichClient } from './client.js';
import type { AssetDto, PersonDto } from './schemas.js';

/** Largest page Immich serves. */
export const PAGE_SIZE = 1000;

/**
 * Every asset matching `dto`, page by page, stopping after `max` when given. Type and visibility
 * are the caller's business: an empty filter also returns archived assets.
 */
export async function searchAll(client: ImmichClient, dto: MetadataSearchDto, max = Number.POSITIVE_INFINITY): Promise<AssetDto[]> {
  const out: AssetDto[] = [];
  let page = 1;
  // One page size throughout: the server counts pages in units of it.
  const size = Math.min(PAGE_SIZE, Math.max(1, max));
  for (;;) {
    const answer = await client.searchMetadata({ ...dto, page, size });
    out.push(...answer.assets.items);
    const next = answer.assets.nextPage;
    if (next === null || out.length >= max || answer.assets.items.length === 0) break;
    const n = Number.parseInt(next, 10);
    // The token is the next page number in v3; anything else would loop forever, so stop.
    if (!Number.isInteger(n) || n <= page) break;
    page = n;
  }
  return out.slice(0, Number.isFinite(max) ? max : undefined);
}

/** Ids of every asset matching `dto`. */
export async function searchIds(client: ImmichClient, dto: MetadataSearchDto): Promise<Set<string>> {
  return new Set((await searchAll(client, { ...dto, withExif: false })).map((a) => a.id));
}

export interface StateNeeds {
  /** Tags whose assets to read; every tag under our root is listed (ids only) regardless. */
  readonly tagValues: ReadonlySet<string>;
  /** Albums whose contents to read, by name or by id. */
  readonly albumNames: ReadonlySet<string>;
  readonly albumIds: ReadonlySet<string>;
  readonly stacks: boolean;
  /** Assets whose favourite and archive flags are needed… */
  readonly flagsOf: ReadonlySet<string>;
  /** …and those the listing already told (asset id → flags). */
  readonly knownFlags: ReadonlyMap<string, { readonly isFavorite: boolean; readonly archived: boolean }>;
}

/** Parallel reads at once while gathering the state. */
const READ_CONCURRENCY = 4;

export async function readServerState(client: ImmichClient, needs: StateNeeds): Promise<ServerState> {
  const allTags = await client.allTags();
  const ours = allTags.filter((t) => t.value === TAG_ROOT || t.value.startsWith(`${TAG_ROOT}/`));
  const tagAssets = await mapLimit(ours, READ_CONCURRENCY, async (t) =>
    needs.tagValues.has(t.value) ? searchIds(client, { tagIds: [t.id] }) : new Set<string>(),
  );
  const tags = new Map<string, TagState>(ours.map((t, i) => [t.value, { id: t.id, assets: tagAssets[i]! }]));

  const albums = new Map<string, AlbumState>();
  if (needs.albumNames.size > 0 || needs.albumIds.size > 0) {
    const wanted = (await client.albums()).filter((a) => needs.albumNames.has(a.albumName) || needs.albumIds.has(a.id));
    const contents = await mapLimit(wanted, READ_CONCURRENCY, (a) =>
      a.assetCount === 0 ? Promise.resolve(new Set<string>()) : searchIds(client, { albumIds: [a.id] }),
    );
    wanted.forEach((a, i) => {
      albums.set(a.id, { id: a.id, name: a.albumName, assets: contents[i]! });
    });
  }

  const stacks: StackState[] = needs.stacks
    ? (await client.stacks()).map((s) => ({ id: s.id, primary: s.primaryAssetId, assets: s.assets.map((a) => a.id) }))
    : [];

  const favorites = new Set<string>();
  const archived = new Set<string>();
  const unknown = [...needs.flagsOf].filter((id) => !needs.knownFlags.has(id));
  // Flags of assets outside the listing: two paged searches beat one request per asset.
  const favoriteIds = unknown.length > 0 ? await searchIds(client, { isFavorite: true }) : new Set<string>();
  const archivedIds = unknown.length > 0 ? await searchIds(client, { visibility: AssetVisibility.Archive }) : new Set<string>();
  for (const id of needs.flagsOf) {
    const known = needs.knownFlags.get(id);
    if (known ? known.isFavorite : favoriteIds.has(id)) favorites.add(id);
    if (known ? known.archived : archivedIds.has(id)) archived.add(id);
  }
  return { tags, albums, favorites, archived, stacks };
}

/** Named, visible people, every page of them (the seed stopped after the first 500). */
export async function listPeople(client: ImmichClient): Promise<PersonDto[]> {
  const out: PersonDto[] = [];
  for (let page = 1; ; page++) {
    const answer = await client.people(page, 500);
    out.push(...answer.people);
    if (answer.hasNextPage !== true || answer.people.length === 0) break;
  }
  return out.filter((p) => p.name.trim() !== '' && p.isHidden !== true);
}
