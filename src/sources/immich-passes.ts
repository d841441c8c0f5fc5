/**
 * The grouping passes of an Immich source, each grouped on its own: the server's duplicate groups,
 * one pass per combination of favourite people (--immich-group-by-people), one per named person
 * (--immich-group-by-person, --immich-person), or the whole listing. --excluded-people leaves
 * those people out of every pass by person. In each pass the thumbhash prefilter picks the
 * candidates: only they are downloaded and grouped.
 */
import type { PhotoId } from '../core/types.js';
import { selectClipCandidates } from '../core/clip-candidates.js';
import { isVideoAsset, type StoredAsset } from '../core/immich.js';
import { combinations, withoutExcluded } from '../core/people.js';
import { type PrefilterItem, selectCandidates, thumbFeatures } from '../core/prefilter.js';
import type { ImmichClient } from '../immich/client.js';
import { assetsOfPerson, listPeople, serverDuplicates } from './immich.js';
import type { Pass, PassOptions, SourceSink } from './source.js';

/** Which passes the run's flags ask for. */
export interface PassChoice {
  readonly useDuplicates: boolean;
  readonly byPeople: boolean;
  readonly byPerson: boolean;
  /** --immich-person, any letter case. */
  readonly person: string | null;
  readonly excludedPeople: readonly string[];
}

export interface PassContext {
  readonly client: ImmichClient;
  readonly choice: PassChoice;
  readonly options: PassOptions;
  readonly sink: SourceSink;
}

/** The photos one pass looks at, before the prefilter. */
interface Subset {
  readonly person: string | null;
  readonly assets: readonly StoredAsset[];
  readonly fixedGroups: readonly (readonly PhotoId[])[] | null;
}

/** A pass of a server's items; `keyFrames`: its candidate clips to read in full (see core/clip-candidates.ts). */
export interface ImmichPass extends Pass {
  readonly keyFrames: ReadonlySet<PhotoId>;
}

export async function passesOf(ctx: PassContext, assets: readonly StoredAsset[]): Promise<ImmichPass[]> {
  return (await subsetsOf(ctx, assets)).map((s) => {
    const clips = s.fixedGroups === null ? clipCandidatesOf(s, ctx.options) : { candidates: [], keyFrames: [] };
    return {
      person: s.person,
      ids: s.assets.map((a) => a.id),
      candidates: new Set([...candidatesOf(s, ctx.options), ...clips.candidates]),
      fixedGroups: s.fixedGroups,
      keyFrames: new Set(clips.keyFrames),
    };
  });
}

/** The subset's clips worth a look (and those to read in full), from thumbhash, length and time alone. */
function clipCandidatesOf(subset: Subset, options: PassOptions): { candidates: PhotoId[]; keyFrames: PhotoId[] } {
  const clips = subset.assets.filter((a) => isVideoAsset(a.facts));
  const found = selectClipCandidates(
    clips.map((a) => ({ thumb: thumbOf(a), takenAtMs: a.facts.takenAt?.wallClockMs ?? null, durationS: a.facts.durationS ?? 0 })),
    { timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize },
  );
  return { candidates: found.candidates.map((i) => clips[i]!.id), keyFrames: found.keyFrames.map((i) => clips[i]!.id) };
}

async function subsetsOf(ctx: PassContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { choice } = ctx;
  if (choice.useDuplicates) return [await duplicates(ctx, assets)];
  if (choice.byPeople) return byCombination(ctx, assets);
  if (choice.byPerson || choice.person !== null) return byPerson(ctx, assets);
  return [{ person: null, assets, fixedGroups: null }];
}

/** Item ids worth downloading in a subset: thumbhash candidates, or every duplicate-group member. */
function candidatesOf(subset: Subset, options: PassOptions): Set<PhotoId> {
  if (subset.fixedGroups !== null) return new Set(subset.fixedGroups.flat());
  // Clips are never grouped with stills: they have a prefilter of their own.
  const stills = subset.assets.filter((a) => !isVideoAsset(a.facts));
  const items: PrefilterItem[] = stills.map((a) => ({ thumb: thumbOf(a), takenAtMs: a.facts.takenAt?.wallClockMs ?? null }));
  const result = selectCandidates(items, {
    threshold: options.threshold,
    timeWindowS: options.timeWindow,
    minGroupSize: options.minGroupSize,
  });
  return new Set(result.candidates.map((i) => stills[i]!.id));
}

function thumbOf(a: StoredAsset): ReturnType<typeof thumbFeatures> | null {
  if (a.facts.thumbhash === null) return null;
  try {
    return thumbFeatures(new Uint8Array(Buffer.from(a.facts.thumbhash, 'base64')));
  } catch {
    // A thumbhash we cannot read is as good as none: the photo is downloaded and judged for real.
    return null;
  }
}

async function duplicates(ctx: PassContext, assets: readonly StoredAsset[]): Promise<Subset> {
  const byAsset = new Map(assets.map((a) => [a.assetId, a.id]));
  const groups = (await serverDuplicates(ctx.client))
    .map((ids) => ids.map((id) => byAsset.get(id)).filter((id): id is PhotoId => id !== undefined))
    .filter((ids) => ids.length >= Math.max(2, ctx.options.minGroupSize));
  ctx.sink.note('notice', `Immich knows ${groups.length} duplicate group${groups.length === 1 ? '' : 's'} among these photos.`);
  return { person: null, assets, fixedGroups: groups };
}

async function byPerson(ctx: PassContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { client, choice, options, sink } = ctx;
  const wanted = choice.person?.toLowerCase() ?? null;
  const named = await listPeople(client);
  const kept = new Set(
    withoutExcluded(
      named.map((p) => p.name),
      choice.excludedPeople,
    ),
  );
  if (kept.size < new Set(named.map((p) => p.name)).size)
    sink.note('notice', `Left out ${named.filter((p) => !kept.has(p.name)).length} excluded people (--excluded-people).`);
  const everyone = named.filter((p) => kept.has(p.name) && (wanted === null || p.name.toLowerCase() === wanted));
  if (everyone.length === 0)
    sink.note(
      'notice',
      wanted === null ? 'Immich has no named people: nothing to group by person.' : `Immich has no person named "${choice.person}".`,
    );
  const out: Subset[] = [];
  for (const person of everyone.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const theirs = await assetsOfPerson(client, person.id);
    const subset = assets.filter((a) => theirs.has(a.assetId));
    if (subset.length >= Math.max(2, options.minGroupSize)) out.push({ person: person.name, assets: subset, fixedGroups: null });
  }
  return out;
}

/** One pass per exact set of favourite people in the photos: "Anna, Ben" apart from "Anna". */
async function byCombination(ctx: PassContext, assets: readonly StoredAsset[]): Promise<Subset[]> {
  const { client, choice, options, sink } = ctx;
  const favourites = (await listPeople(client)).filter((p) => p.isFavorite === true);
  const kept = new Set(
    withoutExcluded(
      favourites.map((p) => p.name),
      choice.excludedPeople,
    ),
  );
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
  sink.note(
    'notice',
    `${people.length} favourite people; ${found.length} combination${found.length === 1 ? '' : 's'} of them with enough photos to group.`,
  );
  return found.map((c) => ({ person: c.label, assets: c.items, fixedGroups: null }));
}
