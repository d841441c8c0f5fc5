/**
 * The grouping passes of an Immich run, each a Subset grouped on its own: the server's duplicate
 * groups, one pass per combination of favourite people (--immich-group-by-people), one per named
 * person (--immich-group-by-person, --immich-person), or the whole listing. --excluded-people
 * leaves those people out of every pass by person.
 */
import type { StoredAsset } from '../catalog/immich.js';
import { combinations, withoutExcluded } from '../core/people.js';
import type { ImmichClient } from '../immich/client.js';
import { assetsOfPerson, listPeople, serverDuplicates } from '../sources/immich.js';
import type { Subset } from './immich-groups.js';
import type { RunOptions } from './options.js';
import type { ProgressSink } from './progress.js';

export interface SubsetContext {
  readonly client: ImmichClient;
  readonly options: RunOptions;
  readonly sink: ProgressSink;
}

/** Whether the run groups by people (and so lists who is in each photo). */
export function groupsByPeople(o: Pick<RunOptions, 'immichGroupByPerson' | 'immichPerson' | 'immichGroupByPeople'>): boolean {
  return o.immichGroupByPerson || o.immichPerson !== null || o.immichGroupByPeople;
}

export async function subsetsOf(ctx: SubsetContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { options } = ctx;
  if (options.immichUseDuplicates) return [await duplicates(ctx, assets)];
  if (options.immichGroupByPeople) return byCombination(ctx, assets);
  if (options.immichGroupByPerson || options.immichPerson !== null) return byPerson(ctx, assets);
  return [{ person: null, assets, fixedGroups: null }];
}

async function duplicates(ctx: SubsetContext, assets: readonly StoredAsset[]): Promise<Subset> {
  const byAsset = new Map(assets.map((a) => [a.assetId, a.id]));
  const groups = (await serverDuplicates(ctx.client))
    .map((ids) => ids.map((id) => byAsset.get(id)).filter((id): id is number => id !== undefined))
    .filter((ids) => ids.length >= Math.max(2, ctx.options.minGroupSize));
  ctx.sink.note('notice', `Immich knows ${groups.length} duplicate group${groups.length === 1 ? '' : 's'} among these photos.`);
  return { person: null, assets, fixedGroups: groups };
}

async function byPerson(ctx: SubsetContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { client, options, sink } = ctx;
  const wanted = options.immichPerson?.toLowerCase() ?? null;
  const named = await listPeople(client);
  const kept = new Set(withoutExcluded(named.map((p) => p.name), options.excludedPeople));
  if (kept.size < new Set(named.map((p) => p.name)).size) sink.note('notice', `Left out ${named.filter((p) => !kept.has(p.name)).length} excluded people (--excluded-people).`);
  const everyone = named.filter((p) => kept.has(p.name) && (wanted === null || p.name.toLowerCase() === wanted));
  if (everyone.length === 0) sink.note('notice', wanted === null ? 'Immich has no named people: nothing to group by person.' : `Immich has no person named "${options.immichPerson}".`);
  const out: Subset[] = [];
  for (const person of everyone.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const theirs = await assetsOfPerson(client, person.id);
    const subset = assets.filter((a) => theirs.has(a.assetId));
    if (subset.length >= Math.max(2, options.minGroupSize)) out.push({ person: person.name, assets: subset, fixedGroups: null });
  }
  return out;
}

/** One pass per exact set of favourite people in the photos: "Anna, Ben" apart from "Anna". */
async function byCombination(ctx: SubsetContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { client, options, sink } = ctx;
  const favourites = (await listPeople(client)).filter((p) => p.isFavorite === true);
  const kept = new Set(withoutExcluded(favourites.map((p) => p.name), options.excludedPeople));
  const people = favourites.filter((p) => kept.has(p.name));
  if (people.length === 0) {
    sink.note('notice', 'Immich has no favourite named people: mark the people to group by as favourites in Immich (People → ♥).');
    return [];
  }
  const namesOf = new Map<string, string[]>();
  for (const person of people) {
    for (const id of await assetsOfPerson(client, person.id)) namesOf.set(id, [...(namesOf.get(id) ?? []), person.name]);
  }
  const found = combinations(assets, (a) => namesOf.get(a.assetId) ?? [], Math.max(2, options.minGroupSize));
  sink.note('notice', `${people.length} favourite people; ${found.length} combination${found.length === 1 ? '' : 's'} of them with enough photos to group.`);
  return found.map((c) => ({ person: c.label, assets: c.items, fixedGroups: null }));
}
