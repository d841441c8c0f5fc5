/**
 * The groups of a run in the actions' terms: asset ids, the best one, the person, whether the
 * local tree holds an HDR merge of it, and its album name.
 */
import type { StoredAsset } from '../../core/immich.js';
import { withoutExcluded } from '../../core/people.js';
import type { Decision } from '../../core/types.js';
import { albumName } from '../album-name.js';
import type { ImmichClient } from '../client.js';
import { listPeople } from '../read.js';
import type { ActionFlags, ActionGroup } from './plan.js';

/** A ranked, numbered group of assets, as a run or a review ends up with. */
export interface AssetGroup {
  /** group_0001 is 1; a part split off in review is numbered after the run's groups. */
  readonly number: number;
  readonly person: string | null;
  readonly members: readonly { readonly asset: StoredAsset; readonly decision: Decision }[];
}

/** Options that shape the actions. */
export interface ActionOptions {
  readonly tagOnly: boolean;
  readonly createAlbums: boolean;
  readonly markBestFavorite: boolean;
  readonly archiveNonBest: boolean;
  readonly stack: boolean;
  readonly albumPrefix: string;
  readonly immichGroupByPeople: boolean;
  readonly excludedPeople: readonly string[];
}

/** The action kinds a run's flags ask for. */
export function actionFlags(
  o: Pick<ActionOptions, 'tagOnly' | 'createAlbums' | 'markBestFavorite' | 'archiveNonBest' | 'stack'>,
): ActionFlags {
  return {
    tags: o.tagOnly || o.createAlbums,
    albums: o.createAlbums,
    favorite: o.markBestFavorite,
    archive: o.archiveNonBest,
    stack: o.stack,
  };
}

/** The groups in the actions' terms, with their album names (favourite people first in them). */
export async function actionGroups(
  client: ImmichClient,
  options: Pick<ActionOptions, 'createAlbums' | 'albumPrefix' | 'immichGroupByPeople' | 'excludedPeople'>,
  groups: readonly AssetGroup[],
  merged: ReadonlySet<number> = new Set(),
  swapped: ReadonlySet<number> = new Set(),
): Promise<ActionGroup[]> {
  // A group's person is one name, except in combination mode, where it labels the names already
  // in every photo of the group ("Anna, Ben").
  const peopleOf = (g: AssetGroup, listed: readonly string[]): string[] =>
    withoutExcluded(
      g.person === null || options.immichGroupByPeople ? listed : [...new Set([...listed, g.person])],
      options.excludedPeople,
    );
  const anyPeople = groups.some((g) => g.person !== null || g.members.some((m) => m.asset.facts.people.length > 0));
  const favorites =
    options.createAlbums && anyPeople
      ? new Set((await listPeople(client)).filter((p) => p.isFavorite === true).map((p) => p.name))
      : new Set<string>();
  return groups.map((g) => ({
    number: g.number,
    best: g.members.find((m) => m.decision.isBest)!.asset.assetId,
    keepers: g.members.filter((m) => m.decision.keep === true && !m.decision.isBest).map((m) => m.asset.assetId),
    members: g.members.map((m) => m.asset.assetId),
    person: g.person,
    hdrMerged: merged.has(g.number),
    faceSwapped: swapped.has(g.number),
    albumName: options.createAlbums
      ? albumName({
          prefix: options.albumPrefix,
          number: g.number,
          favorites,
          photos: g.members.map((m) => ({
            takenAtMs: m.asset.facts.takenAt?.wallClockMs ?? null,
            createdAt: m.asset.facts.createdAt,
            people: peopleOf(g, m.asset.facts.people),
          })),
        })
      : null,
  }));
}

/** Whether a run changes anything on the server. */
export function hasServerActions(
  o: Pick<ActionOptions, 'tagOnly' | 'createAlbums' | 'markBestFavorite' | 'archiveNonBest' | 'stack'>,
): boolean {
  return o.tagOnly || o.createAlbums || o.markBestFavorite || o.archiveNonBest || o.stack;
}
