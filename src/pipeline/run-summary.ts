/** What one organizer run did (pipeline/run.ts), for the CLI's summary and the tests. */
import type { GroupKind, PhotoError, PhotoId } from '../core/types.js';
import type { ActionsSummary } from '../immich/actions/run.js';
import type { ApplyResult } from '../output/apply.js';
import type { WrittenReport } from '../report/write.js';
import type { StageName } from './progress.js';
import type { TreeResult } from './sinks/tree.js';
import type { FingerprintCounts } from './stages/fingerprint.js';
import type { SelectedGroup } from './stages/select.js';

export interface RunSummary {
  readonly sourceType: 'local' | 'immich';
  /** The folder, or the server (and album). */
  readonly source: string;
  /** The output folder; null for an Immich run without -o. */
  readonly output: string | null;
  readonly catalog: string;
  readonly dryRun: boolean;
  readonly undo: boolean;
  /** True when the signal stopped the run; it can be resumed. */
  readonly interrupted: boolean;
  /** Items found (files of the folder, assets listed), video clips included. */
  readonly photos: number;
  /** Of those, video clips (--media-type video|all). */
  readonly clips: number;
  /** Items worth a close look (an Immich thumbhash prefilter rules the others out); the rest. */
  readonly candidates: number;
  readonly ruledOut: number;
  /** False when the server's duplicate groups, not thumbhashes, decided what to look at. */
  readonly prefiltered: boolean;
  readonly pictures: FingerprintCounts;
  /** Picture bytes and files downloaded by this run, and requests made (Immich). */
  readonly downloaded: { readonly bytes: number; readonly files: number; readonly requests: number } | null;
  readonly groups: number;
  readonly byKind: Readonly<Record<GroupKind, number>>;
  readonly grouped: number;
  /** Of those, video clips. */
  readonly groupedClips: number;
  readonly errors: readonly PhotoError[];
  /** Dry run: the output tree's plan, one line per operation. */
  readonly planLines: readonly string[];
  readonly applied: ApplyResult | null;
  /** With --enable-hdr: brackets found, and merges made by this run (the others were kept from earlier runs). */
  readonly hdr: { readonly brackets: number; readonly merged: number } | null;
  /** With --enable-face-swap: groups whose best photo has closed eyes, swaps written (made now), each person's outcome. */
  readonly swap: TreeResult['swap'];
  /** Changes on the server (and --undo), when asked for. */
  readonly actions: ActionsSummary | null;
  readonly report: WrittenReport | null;
  readonly timings: Readonly<Record<string, number>>;
  /** Groups smaller than --min-group-size that were dropped: size -> count. */
  readonly leftOut: ReadonlyMap<number, number>;
  /** The stage a stop landed in (interrupted runs), else null. */
  readonly stoppedIn: StageName | null;
  /** Numbers of the groups whose best won by a small margin (core/close-calls.ts). */
  readonly closeCalls: readonly number[];
  /**
   * Faces found in the grouped photos the ranking looked at, and the clips whose key frames show
   * faces (their faces are not counted: one person shows in each key frame); null when faces were not analyzed.
   */
  readonly faces: { readonly photos: number; readonly faces: number; readonly clips: number } | null;
}

/** Photos with at least one face, and faces in all, among the analyses. */
export function countFaces(
  analyses: ReadonlyMap<PhotoId, { readonly faces: readonly unknown[] }>,
  clips: ReadonlySet<PhotoId>,
): { photos: number; faces: number; clips: number } {
  const withFaces = [...analyses].filter(([, a]) => a.faces.length > 0);
  const photos = withFaces.filter(([id]) => !clips.has(id));
  return { photos: photos.length, faces: photos.reduce((n, [, a]) => n + a.faces.length, 0), clips: withFaces.length - photos.length };
}

/** The grouped items that are video clips. */
export function clipIds(groups: readonly SelectedGroup[]): Set<PhotoId> {
  return new Set(groups.flatMap((g) => g.members.filter((m) => m.photo.meta.format === 'video').map((m) => m.photo.id)));
}
