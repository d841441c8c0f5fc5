/**
 * Where a reviewed run's photos live, and how its output is redone (pipeline/review-source.ts,
 * handed in by the command, since review/ does not reach into the pipeline). The session holds
 * the groups and the decisions; a source answers for pictures and "apply".
 */
import type { Db } from '../catalog/database.js';
import type { RunRecord, StoredGroup } from '../catalog/runs.js';
import type { AdjustedGroup } from '../core/decisions.js';
import type { FaceAnalysis } from '../core/faces.js';
import type { PhotoId } from '../core/types.js';
import type { ImageSource } from './images.js';
import type { ReviewPhoto } from './view.js';

export interface RunInfo {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly sourceType: 'local' | 'immich';
  /** The folder read, or the Immich server's address. */
  readonly source: string;
  /** The output folder, or null for an Immich run that only changed the server. */
  readonly output: string | null;
}

/** One block of the confirmation: what will change in one place (the folders, the server). */
export interface ApplySection {
  readonly intro: string;
  /** `label` (a folder name) is shown bold before the text; null for none. */
  readonly items: readonly { readonly label: string | null; readonly text: string }[];
}

export interface ApplyPreview {
  readonly sections: readonly ApplySection[];
}

export interface ApplyOutcome {
  /** The outcome in one line. */
  readonly message: string;
  /** One line per thing that could not be done. */
  readonly failed: readonly string[];
  /** The rewritten report (latest.json), null when none was written. */
  readonly report: string | null;
}

/** A source made for one finished run (made again when a newer run finishes). */
export interface ReviewSource {
  readonly info: RunInfo;
  /** Decisions scope in the catalog (catalog/decisions.ts). */
  readonly scope: string;
  /** Every photo of the run, by id. */
  readonly photos: ReadonlyMap<PhotoId, ReviewPhoto>;
  /** Face analyses of some photos (none known: an empty map). */
  faces(ids: readonly PhotoId[]): ReadonlyMap<PhotoId, FaceAnalysis>;
  /** Where a photo's pixels are; null for a photo that is not in this run. */
  image(id: PhotoId): ImageSource | null;
  /** What applying the adjusted groups would change. */
  preview(groups: readonly AdjustedGroup[]): Promise<ApplyPreview>;
  apply(groups: readonly AdjustedGroup[]): Promise<ApplyOutcome>;
  close(): Promise<void>;
}

/** What a source is made from: the catalog, its latest finished run and that run's stored groups. */
export interface SourceContext {
  readonly db: Db;
  readonly catalog: string;
  readonly run: RunRecord;
  /** The run's options as stored. */
  readonly options: Readonly<Record<string, unknown>>;
  readonly automatic: readonly StoredGroup[];
  /** The -o given to review, for runs started with a relative -o. */
  readonly outputHint: string | null;
}

/** Makes the source of a run; ReviewSetupError when it cannot (no API key…). */
export type SourceOpener = (ctx: SourceContext) => Promise<ReviewSource>;

/** A catalog that cannot be reviewed (none, no finished run): said to the user as it is. */
export class ReviewSetupError extends Error {
  override readonly name = 'ReviewSetupError';
}

/** A change or an apply the current state does not allow: the page shows it. */
export class ReviewRequestError extends Error {
  override readonly name = 'ReviewRequestError';
}

/** A picture that cannot be had now (the server does not answer…): the page shows the reason. */
export class PictureUnavailableError extends Error {
  override readonly name = 'PictureUnavailableError';
}
