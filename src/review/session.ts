/**
 * One review of a catalog: the latest finished run's groups, the photos and the decision log,
 * held in memory and recomputed after each change (applying the log to 5,000 groups takes a few
 * milliseconds). A newer run finishing while the page is open is picked up on the next request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { type Db, openDatabase } from '../catalog/database.js';
import { LOCAL_SCOPE, loadDecisions, removeLastDecision, saveDecision, type StoredDecision } from '../catalog/decisions.js';
import { loadPhotos, type StoredPhoto } from '../catalog/photos.js';
import { currentFaces, photosWithFaces } from '../catalog/review.js';
import { latestRun, loadGroups, type RunRecord } from '../catalog/runs.js';
import { type Adjustment, type AdjustedGroup, applyDecisions, type UserDecision } from '../core/decisions.js';
import { baseName, displayPath, relativeDisplay } from '../core/paths.js';
import type { GroupKind, PhotoId } from '../core/types.js';
import { applyLocal, previewLocalApply } from './apply.js';
import type { FolderChange } from './changes.js';
import type { ImageSource } from './images.js';
import { describeDecision, filterGroups, type GroupDetail, type GroupFilter, groupDetail, type GroupPage, groupPage, type ReviewPhoto } from './view.js';

/** A catalog that cannot be reviewed (none, no finished run): said to the user as it is. */
export class ReviewSetupError extends Error {
  override readonly name = 'ReviewSetupError';
}

/** A change the current groups do not allow (a photo not in the group…): the page shows it. */
export class ReviewRequestError extends Error {
  override readonly name = 'ReviewRequestError';
}

export interface RunInfo {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly sourceType: 'local' | 'immich';
  readonly source: string;
  readonly output: string;
}

export interface Summary {
  readonly run: RunInfo;
  readonly groups: number;
  readonly byKind: Readonly<Record<GroupKind, number>>;
  readonly photos: number;
  readonly changed: number;
  readonly decisions: number;
  /** Decisions whose photos are grouped differently now. */
  readonly stale: number;
  /** The newest decision in words, for the undo button; null when there is nothing to undo. */
  readonly lastDecision: string | null;
}

/** What the page asks for, by group number and photo id (turned into member sets here). */
export type ChangeRequest =
  | { readonly kind: 'pick' | 'exclude' | 'split'; readonly group: number; readonly photo: PhotoId }
  | { readonly kind: 'merge'; readonly group: number; readonly with: number };

export interface ChangeOutcome {
  /** The change in words. */
  readonly message: string;
  /** The group to show next (the one changed, or its neighbour when it is gone). */
  readonly focus: number | null;
}

export interface ApplyPreview {
  readonly changes: readonly FolderChange[];
}

export interface ApplyOutcome {
  readonly changes: readonly FolderChange[];
  readonly written: number;
  readonly removed: number;
  readonly failed: readonly string[];
  readonly report: string;
}

interface Loaded {
  readonly run: RunRecord;
  readonly info: RunInfo;
  readonly options: Readonly<Record<string, unknown>>;
  readonly scope: string;
  readonly stored: ReadonlyMap<PhotoId, StoredPhoto>;
  readonly photos: ReadonlyMap<PhotoId, ReviewPhoto>;
  readonly automatic: ReturnType<typeof loadGroups>;
}

export class ReviewSession {
  private data: Loaded;
  private log: StoredDecision[] = [];
  private adjustment: Adjustment = { groups: [], applied: [], stale: [] };
  private applying = false;

  private constructor(
    private readonly db: Db,
    readonly catalog: string,
    private readonly outputHint: string | null,
  ) {
    this.data = load(db, catalog, outputHint);
    this.recompute();
  }

  /**
   * Opens the catalog file and loads its latest run; ReviewSetupError when there is nothing to
   * review. `output` is the -o given to review, for runs started with a relative -o.
   */
  static open(catalog: string, output: string | null = null): ReviewSession {
    if (!existsSync(catalog)) {
      throw new ReviewSetupError(`no catalog at ${catalog}: run the organizer first (photo-organizer -s PHOTOS -o OUT), then review with the same -o or --state-file`);
    }
    const db = openDatabase(catalog);
    try {
      return new ReviewSession(db, catalog, output);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  get run(): RunInfo {
    return this.data.info;
  }

  /** Reloads when a newer run has finished since; true when it did. */
  refresh(): boolean {
    const latest = latestRun(this.db);
    if (latest === null || latest.id === this.data.run.id || latest.stage !== 'done') return false;
    this.data = load(this.db, this.catalog, this.outputHint);
    this.recompute();
    return true;
  }

  summary(): Summary {
    const byKind: Record<GroupKind, number> = { duplicate: 0, burst: 0, similar: 0 };
    for (const g of this.groups) byKind[g.kind]++;
    const last = this.log.at(-1);
    return {
      run: this.data.info,
      groups: this.groups.length,
      byKind,
      photos: this.groups.reduce((n, g) => n + g.members.length, 0),
      changed: this.groups.filter((g) => g.changedBy.length > 0).length,
      decisions: this.log.length,
      stale: this.adjustment.stale.length,
      lastDecision: last === undefined ? null : describeDecision(last, this.data.photos),
    };
  }

  page(filter: GroupFilter, offset: number, limit: number): GroupPage {
    return groupPage(this.groups, this.data.photos, filter, offset, limit);
  }

  /** The group view; null when no group has that number (any more). */
  detail(number: number, filter: GroupFilter): GroupDetail | null {
    const g = this.groups.find((x) => x.number === number);
    if (g === undefined) return null;
    const list = filterGroups(this.groups, this.data.photos, filter);
    // A group the filter hides (changed just now, say) is still shown, among the full list.
    const within = list.some((x) => x.number === number) ? list : this.groups;
    const faces = currentFaces(this.db, g.members.map((m) => m.photoId));
    return groupDetail(g, within, this.data.photos, faces, this.log);
  }

  /** Stores the change as a decision and applies it; ReviewRequestError when it does not fit the groups. */
  change(request: ChangeRequest): ChangeOutcome {
    const g = this.group(request.group);
    const ids = g.members.map((m) => m.photoId);
    let decision: UserDecision;
    if (request.kind === 'merge') {
      const other = this.group(request.with);
      if (other.number === g.number) throw new ReviewRequestError('A group cannot be merged with itself');
      decision = { kind: 'merge', group: ids, other: other.members.map((m) => m.photoId) };
    } else {
      const at = ids.indexOf(request.photo);
      if (at < 0) throw new ReviewRequestError(`Photo ${request.photo} is not in ${label(g)}`);
      if (request.kind === 'split') {
        if (at === 0) throw new ReviewRequestError('Splitting at the first photo would leave nothing behind: select a later photo');
        decision = { kind: 'split', group: ids, part: ids.slice(at) };
      } else {
        if (request.kind === 'pick' && g.members[at]!.isBest) throw new ReviewRequestError('This photo is already the best of the group');
        decision = { kind: request.kind, group: ids, photo: request.photo };
      }
    }
    const id = saveDecision(this.db, this.data.scope, decision, new Date());
    const before = this.groups.findIndex((x) => x.number === g.number);
    this.recompute();
    const message = describeDecision({ id, decision }, this.data.photos);
    return { message: message[0]!.toUpperCase() + message.slice(1), focus: this.focusAfter(g.number, before) };
  }

  /** Takes back the newest decision; null when there is none. */
  undo(): ChangeOutcome | null {
    const removed = removeLastDecision(this.db, this.data.scope);
    if (removed === null) return null;
    this.recompute();
    const first = removed.decision.group[0]!;
    const home = this.groups.find((g) => g.members.some((m) => m.photoId === first));
    return { message: `Undone: ${describeDecision(removed, this.data.photos)}`, focus: home?.number ?? null };
  }

  /** What "apply" would change. */
  previewApply(): ApplyPreview {
    this.assertLatest();
    return { changes: previewLocalApply(this.applyInput()).diff.changes };
  }

  /** Applies the changes; one apply at a time (a second click while one runs is refused). */
  async apply(): Promise<ApplyOutcome> {
    if (this.applying) throw new ReviewRequestError('Already applying: wait for it to finish');
    this.assertLatest();
    this.applying = true;
    let outcome: Awaited<ReturnType<typeof applyLocal>>;
    try {
      outcome = await applyLocal(this.applyInput());
    } finally {
      this.applying = false;
    }
    return {
      changes: outcome.diff.changes,
      written: outcome.applied.applied,
      removed: outcome.applied.removed,
      failed: outcome.applied.failed.map((f) => `${f.target}: ${f.message}`),
      report: outcome.report.latest,
    };
  }

  /** Where a photo's pixels are; null for a photo that is not in this run. */
  imageSource(id: PhotoId): ImageSource | null {
    const p = this.data.stored.get(id);
    const shown = this.data.photos.get(id);
    if (p === undefined || shown === undefined) return null;
    return { file: p.path, format: shown.format, version: shown.version };
  }

  /** The output folder belongs to the newest run: one running now must finish first. */
  private assertLatest(): void {
    const latest = latestRun(this.db);
    if (latest !== null && latest.id !== this.data.run.id) {
      throw new ReviewRequestError('A newer run is in progress: apply once it has finished (the page then shows its groups)');
    }
  }

  private get groups(): readonly AdjustedGroup[] {
    return this.adjustment.groups;
  }

  private recompute(): void {
    this.log = loadDecisions(this.db, this.data.scope);
    this.adjustment = applyDecisions(this.data.automatic, this.log);
  }

  private group(number: number): AdjustedGroup {
    const g = this.groups.find((x) => x.number === number);
    if (g === undefined) throw new ReviewRequestError(`There is no ${label({ number })} (any more): reload the page`);
    return g;
  }

  /** The group itself when it still exists, else whatever now sits where it was in the list. */
  private focusAfter(number: number, index: number): number | null {
    if (this.groups.some((g) => g.number === number)) return number;
    return (this.groups[Math.min(index, this.groups.length - 1)] ?? null)?.number ?? null;
  }

  private applyInput(): Parameters<typeof applyLocal>[0] {
    return {
      db: this.db,
      runId: this.data.run.id,
      runOptions: this.data.options,
      source: this.data.info.source,
      output: this.data.info.output,
      groups: this.groups,
      photos: this.data.stored,
    };
  }
}

const label = (g: { readonly number: number }): string => `group_${String(g.number).padStart(4, '0')}`;

function load(db: Db, catalog: string, outputHint: string | null): Loaded {
  const run = latestRun(db);
  if (run === null) throw new ReviewSetupError(`the catalog ${catalog} has no run yet: run the organizer first, then review`);
  if (run.stage !== 'done') {
    throw new ReviewSetupError(
      `the latest run (started ${run.startedAt}) did not finish (it stopped at "${run.stage}"): finish it with --resume, then review`,
    );
  }
  let options: Record<string, unknown>;
  try {
    options = JSON.parse(run.options) as Record<string, unknown>;
  } catch {
    throw new ReviewSetupError(`the catalog ${catalog} holds unreadable options for run ${run.id}`);
  }
  if (options.sourceType === 'immich') {
    throw new ReviewSetupError('the latest run was an Immich run: reviewing Immich runs is not supported yet (review works on folder runs)');
  }
  const { source, output } = runFolders(options, catalog, outputHint);
  const withFaces = photosWithFaces(db);
  const stored = new Map(loadPhotos(db, run.id).map((p) => [p.id, p]));
  const photos = new Map<PhotoId, ReviewPhoto>();
  for (const p of stored.values()) {
    photos.set(p.id, {
      id: p.id,
      name: displayPath(baseName(p.path)),
      relativePath: relativeDisplay(source, p.path),
      takenAtMs: p.meta.takenAt?.wallClockMs ?? null,
      width: p.meta.width,
      height: p.meta.height,
      size: p.size,
      format: p.meta.format,
      version: `${p.size.toString(36)}-${Math.round(p.mtimeMs).toString(36)}`,
      hasFaces: withFaces.has(p.id),
    });
  }
  return {
    run,
    info: { id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt ?? run.startedAt, sourceType: 'local', source, output },
    options,
    scope: LOCAL_SCOPE,
    stored,
    photos,
    automatic: loadGroups(db, run.id),
  };
}

/**
 * The run's source and output folders as absolute paths. The stored options hold them as typed,
 * which may be relative to wherever that run was started: then -o of this command, the folder
 * the default catalog sits in, or the report (which records both absolute) tell.
 */
function runFolders(options: Readonly<Record<string, unknown>>, catalog: string, outputHint: string | null): { source: string; output: string } {
  const given = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  const typedOutput = given(options.output);
  const typedSource = given(options.source);
  const defaultCatalog = catalog.endsWith(`${sep}${CATALOG_TAIL}`) ? dirname(dirname(catalog)) : null;
  const output = typedOutput !== null && isAbsolute(typedOutput) ? typedOutput : outputHint !== null ? resolve(outputHint) : defaultCatalog;
  if (output === null) throw new ReviewSetupError(`cannot tell where the run wrote its groups: give the run's output folder with -o`);
  if (typedSource !== null && isAbsolute(typedSource)) return { source: typedSource, output };
  const fromReport = reportSource(output);
  if (fromReport === null) throw new ReviewSetupError(`cannot tell which folder the run read (its report ${join(output, 'reports', 'latest.json')} is missing)`);
  return { source: fromReport, output };
}

const CATALOG_TAIL = join('.photo-organizer', 'catalog.db');

function reportSource(output: string): string | null {
  try {
    const report = JSON.parse(readFileSync(join(output, 'reports', 'latest.json'), 'utf8')) as { source?: unknown };
    return typeof report.source === 'string' && isAbsolute(report.source) ? report.source : null;
  } catch {
    return null;
  }
}
