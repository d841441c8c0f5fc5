/**
 * One review of a catalog: the latest finished run's groups and the decision log, held in memory
 * and recomputed after each change (applying the log to 5,000 groups takes a few milliseconds).
 * Pictures and "apply" are the source's (source.ts): a folder run's, or an Immich run's. A newer
 * run finishing while the page is open is picked up on the next request.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Db, openDatabase } from '../catalog/database.js';
import { loadDecisions, removeLastDecision, saveDecision, type StoredDecision } from '../catalog/decisions.js';
import { latestRun, loadGroups, type RunRecord, type StoredGroup } from '../catalog/runs.js';
import { dropConflicts, keepToolChoice, loadConflicts } from '../catalog/conflicts.js';
import { markReviewed, reviewedGroups } from '../catalog/review.js';
import { type Adjustment, type AdjustedGroup, applyDecisions, setKey, type UserDecision } from '../core/decisions.js';
import type { GroupKind, PhotoId } from '../core/types.js';
import { pictureSize } from '../media/decode.js';
import { HDR_FILE_NAME } from '../output/enhanced.js';
import { FACE_SWAP_FILE_NAME } from '../output/face-swapped.js';
import { conflictsIn, conflictViews, keepingServer } from './conflicts.js';
import type { ImageSource } from './images.js';
import {
  type ApplyOutcome,
  type ApplyPreview,
  type SourceOpener,
  ReviewRequestError,
  type ReviewSource,
  ReviewSetupError,
  type RunInfo,
} from './source.js';
import {
  captureOrder,
  describeDecision,
  faceMarks,
  filterGroups,
  folderName,
  type GroupDetail,
  type GroupFilter,
  type GroupMarks,
  groupDetail,
  type GroupPage,
  groupPage,
  type MadeFileView,
  type MadeKind,
} from './view.js';

/** The files a run makes for a group folder, as the page names them. */
const MADE: Readonly<Record<MadeKind, { readonly name: string; readonly label: string }>> = {
  hdr: { name: HDR_FILE_NAME, label: 'HDR merge of the exposure bracket' },
  swap: { name: FACE_SWAP_FILE_NAME, label: 'the best photo with open eyes from another frame' },
};

export { ReviewRequestError, ReviewSetupError } from './source.js';
export type { ApplyOutcome, ApplyPreview, RunInfo } from './source.js';

export interface Summary {
  readonly run: RunInfo;
  readonly groups: number;
  readonly byKind: Readonly<Record<GroupKind, number>>;
  /** Grouped items, clips included; `clips` of them are video clips. */
  readonly photos: number;
  readonly clips: number;
  readonly changed: number;
  /** Groups marked reviewed (looked at and left). */
  readonly reviewed: number;
  readonly decisions: number;
  /** Decisions whose photos are grouped differently now. */
  readonly stale: number;
  /** The newest decision in words, for the undo button; null when there is nothing to undo. */
  readonly lastDecision: string | null;
}

/** What the page asks for, by group number and photo id (turned into member sets here). */
export type ChangeRequest =
  | { readonly kind: 'pick' | 'exclude' | 'split'; readonly group: number; readonly photo: PhotoId }
  | { readonly kind: 'keep'; readonly group: number; readonly photo: PhotoId; readonly keep: boolean }
  | { readonly kind: 'merge'; readonly group: number; readonly with: number };

export interface ChangeOutcome {
  /** The change in words. */
  readonly message: string;
  /** The group to show next (the one changed, or its neighbour when it is gone). */
  readonly focus: number | null;
}

export interface SessionOptions {
  /** The -o given to review, for runs started with a relative -o. */
  readonly output?: string | null;
  /** Makes the source of a run (its pictures, and how "apply" redoes its output). */
  readonly open: SourceOpener;
}

interface Loaded {
  readonly run: RunRecord;
  readonly source: ReviewSource;
  readonly automatic: readonly StoredGroup[];
}

export class ReviewSession {
  private data: Loaded;
  private log: StoredDecision[] = [];
  private adjustment: Adjustment = { groups: [], applied: [], stale: [] };
  private applying = false;
  private reviewed = new Set<string>();
  /** Whether someone blinks in a group, by member set (faces do not change within a run). */
  private blinking = new Map<string, boolean>();

  private constructor(
    private readonly db: Db,
    readonly catalog: string,
    private readonly options: SessionOptions,
    data: Loaded,
  ) {
    this.data = data;
    this.recompute();
  }

  /** Opens the catalog file and loads its latest run; ReviewSetupError when there is nothing to review. */
  static async open(catalog: string, options: SessionOptions): Promise<ReviewSession> {
    if (!existsSync(catalog)) {
      throw new ReviewSetupError(
        `no catalog at ${catalog}: run the organizer first (photo-organizer -s PHOTOS -o OUT), then review with the same -o or --state-file`,
      );
    }
    const db = openDatabase(catalog);
    try {
      return new ReviewSession(db, catalog, options, await load(db, catalog, options));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.data.source.close();
    this.db.close();
  }

  get run(): RunInfo {
    return this.data.source.info;
  }

  /** Reloads when a newer run has finished since; true when it did. */
  async refresh(): Promise<boolean> {
    const latest = latestRun(this.db);
    if (latest === null || latest.id === this.data.run.id || latest.stage !== 'done') return false;
    const next = await load(this.db, this.catalog, this.options);
    const old = this.data.source;
    this.data = next;
    this.blinking = new Map();
    await old.close();
    this.recompute();
    return true;
  }

  summary(): Summary {
    const byKind: Record<GroupKind, number> = { duplicate: 0, burst: 0, similar: 0 };
    for (const g of this.groups) byKind[g.kind]++;
    const last = this.log.at(-1);
    return {
      run: this.data.source.info,
      groups: this.groups.length,
      byKind,
      photos: this.groups.reduce((n, g) => n + g.members.length, 0),
      clips: this.groups.reduce((n, g) => n + g.members.filter((m) => this.data.source.photos.get(m.photoId)?.durationS != null).length, 0),
      changed: this.groups.filter((g) => g.changedBy.length > 0).length,
      reviewed: this.groups.filter((g) => this.marks.reviewed(g)).length,
      decisions: this.log.length,
      stale: this.adjustment.stale.length,
      lastDecision: last === undefined ? null : describeDecision(last, this.data.source.photos),
    };
  }

  page(filter: GroupFilter, offset: number, limit: number): GroupPage {
    return groupPage(this.groups, this.data.source.photos, filter, this.marks, offset, limit);
  }

  /** The group view; null when no group has that number (any more). */
  async detail(number: number, filter: GroupFilter): Promise<GroupDetail | null> {
    const g = this.groups.find((x) => x.number === number);
    if (g === undefined) return null;
    const list = filterGroups(this.groups, this.data.source.photos, filter, this.marks);
    // A group the filter hides (changed just now, say) is still shown, among the full list.
    const within = list.some((x) => x.number === number) ? list : this.groups;
    const faces = this.data.source.faces(g.members.map((m) => m.photoId));
    const view: MadeFileView[] = [];
    for (const kind of ['hdr', 'swap'] as const) {
      const made = this.madeFile(number, kind);
      if (made === null) continue;
      view.push({ kind, name: MADE[kind].name, label: MADE[kind].label, ...(await pictureSize(made.file)), version: made.version });
    }
    const conflicts = conflictViews(conflictsIn(loadConflicts(this.db, this.data.source.scope), g), this.data.source.photos);
    return { ...groupDetail(g, within, this.data.source.photos, faces, this.log), reviewed: this.marks.reviewed(g), made: view, conflicts };
  }

  /** Marks a group reviewed (the page does when the user leaves a group they looked at). */
  markReviewed(number: number): void {
    markReviewed(
      this.db,
      this.data.source.scope,
      this.group(number).members.map((m) => m.photoId),
      new Date(),
    );
    this.reviewed = reviewedGroups(this.db, this.data.source.scope);
  }

  /** The first group not reviewed yet after group `after` in the filtered list (from the top past the end); null when all are. */
  nextUnreviewed(after: number | null, filter: GroupFilter): number | null {
    const list = filterGroups(this.groups, this.data.source.photos, filter, this.marks);
    const from = after === null ? 0 : list.findIndex((g) => g.number === after) + 1;
    const order = [...list.slice(from), ...list.slice(0, from)];
    return order.find((g) => g.number !== after && !this.marks.reviewed(g))?.number ?? null;
  }

  /** The HDR merge or face swap in a group's output folder, as an image; null when there is none. */
  madeImage(number: number, kind: MadeKind): ImageSource | null {
    const made = this.madeFile(number, kind);
    if (made === null) return null;
    return {
      identity: made.file,
      format: 'jpeg',
      version: made.version,
      open: async () => ({ file: made.file, release: () => undefined }),
    };
  }

  private madeFile(number: number, kind: MadeKind): { readonly file: string; readonly version: string } | null {
    const output = this.data.source.info.output;
    if (output === null) return null;
    const file = join(output, folderName(number), MADE[kind].name);
    const st = statSync(file, { throwIfNoEntry: false });
    return st?.isFile() === true ? { file, version: `${st.size.toString(36)}-${Math.round(st.mtimeMs).toString(36)}` } : null;
  }

  /** Stores the change as a decision and applies it; ReviewRequestError when it does not fit the groups. */
  change(request: ChangeRequest): ChangeOutcome {
    const g = this.group(request.group);
    // Capture order, as the page shows them: a split takes the chosen photo and the later ones.
    const ids = captureOrder(g.members, this.data.source.photos).map((m) => m.photoId);
    let decision: UserDecision;
    if (request.kind === 'merge') {
      const other = this.group(request.with);
      if (other.number === g.number) throw new ReviewRequestError('A group cannot be merged with itself');
      decision = { kind: 'merge', group: ids, other: other.members.map((m) => m.photoId) };
    } else {
      const at = ids.indexOf(request.photo);
      if (at < 0) throw new ReviewRequestError(`Photo ${request.photo} is not in ${label(g)}`);
      const member = g.members.find((m) => m.photoId === request.photo)!;
      if (request.kind === 'keep') {
        if (member.isBest) throw new ReviewRequestError('The best photo is kept anyway: mark another one to keep');
        if ((member.keep === true) === request.keep)
          throw new ReviewRequestError(request.keep ? 'This photo is kept already' : 'This photo is not kept');
        decision = { kind: 'keep', group: ids, photo: request.photo, keep: request.keep };
      } else if (request.kind === 'split') {
        if (at === 0) throw new ReviewRequestError('Splitting at the first photo would leave nothing behind: select a later photo');
        decision = { kind: 'split', group: ids, part: ids.slice(at) };
      } else {
        if (request.kind === 'pick' && member.isBest) throw new ReviewRequestError('This photo is already the best of the group');
        decision = { kind: request.kind, group: ids, photo: request.photo };
      }
    }
    const id = saveDecision(this.db, this.data.source.scope, decision, new Date());
    const before = this.groups.findIndex((x) => x.number === g.number);
    this.recompute();
    const message = describeDecision({ id, decision }, this.data.source.photos);
    return { message: message[0]!.toUpperCase() + message.slice(1), focus: this.focusAfter(g.number, before) };
  }

  /**
   * Decides the user's changes on the server waiting in a group (--conflict-strategy manual):
   * `server` keeps them as review decisions; `tool` marks them so the watch's next poll puts this
   * tool's choice back on the server.
   */
  settleConflicts(number: number, keep: 'server' | 'tool'): ChangeOutcome {
    const g = this.group(number);
    const scope = this.data.source.scope;
    const waiting = conflictsIn(loadConflicts(this.db, scope), g);
    if (waiting.length === 0) throw new ReviewRequestError(`Nothing waits for a decision in ${label(g)}`);
    const members = g.members.map((m) => m.photoId);
    if (keep === 'tool') {
      keepToolChoice(this.db, scope, members);
      return { message: `Kept this tool's choice in ${label(g)}: the watch puts it back on the server at its next poll`, focus: number };
    }
    const said = keepingServer(waiting, g).map((d) => this.change({ ...d, group: number }).message);
    dropConflicts(this.db, scope, members);
    return { message: said.length > 0 ? said.join('; ') : `Kept your change in ${label(g)}`, focus: this.focusAfter(number, 0) };
  }

  /** Takes back the newest decision; null when there is none. */
  undo(): ChangeOutcome | null {
    const removed = removeLastDecision(this.db, this.data.source.scope);
    if (removed === null) return null;
    this.recompute();
    const first = removed.decision.group[0]!;
    const home = this.groups.find((g) => g.members.some((m) => m.photoId === first));
    return { message: `Undone: ${describeDecision(removed, this.data.source.photos)}`, focus: home?.number ?? null };
  }

  /** What "apply" would change. */
  async previewApply(): Promise<ApplyPreview> {
    this.assertLatest();
    return this.data.source.preview(this.groups);
  }

  /** Applies the changes; one apply at a time (a second click while one runs is refused). */
  async apply(): Promise<ApplyOutcome> {
    if (this.applying) throw new ReviewRequestError('Already applying: wait for it to finish');
    this.assertLatest();
    this.applying = true;
    try {
      return await this.data.source.apply(this.groups);
    } finally {
      this.applying = false;
    }
  }

  /** Where a photo's pixels are; null for a photo that is not in this run. */
  imageSource(id: PhotoId): ImageSource | null {
    return this.data.source.image(id);
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
    this.log = loadDecisions(this.db, this.data.source.scope);
    this.adjustment = applyDecisions(this.data.automatic, this.log);
    this.reviewed = reviewedGroups(this.db, this.data.source.scope);
  }

  /** Reviewed from the catalog; blinks worked out from the faces once per member set and run. */
  private readonly marks: GroupMarks = {
    reviewed: (g) => this.reviewed.has(setKey(g.members.map((m) => m.photoId))),
    blinks: (g) => {
      const key = setKey(g.members.map((m) => m.photoId));
      let known = this.blinking.get(key);
      if (known === undefined) {
        const faces = this.data.source.faces(g.members.map((m) => m.photoId));
        known = faceMarks(g.members.map((m) => faces.get(m.photoId) ?? null)).some((frame) => frame.some((f) => f.eyes === 'closed'));
        this.blinking.set(key, known);
      }
      return known;
    },
  };

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
}

const label = (g: { readonly number: number }): string => `group_${String(g.number).padStart(4, '0')}`;

async function load(db: Db, catalog: string, options: SessionOptions): Promise<Loaded> {
  const run = latestRun(db);
  if (run === null) throw new ReviewSetupError(`the catalog ${catalog} has no run yet: run the organizer first, then review`);
  if (run.stage !== 'done') {
    throw new ReviewSetupError(
      `the latest run (started ${run.startedAt}) did not finish (it stopped at "${run.stage}"): finish it with --resume, then review`,
    );
  }
  let runOptions: Record<string, unknown>;
  try {
    runOptions = JSON.parse(run.options) as Record<string, unknown>;
  } catch {
    throw new ReviewSetupError(`the catalog ${catalog} holds unreadable options for run ${run.id}`);
  }
  if (runOptions.undo === true) throw new ReviewSetupError('the latest run was an --undo run: it made no groups to review');
  const automatic = loadGroups(db, run.id);
  const ctx = { db, catalog, run, options: runOptions, automatic, outputHint: options.output ?? null };
  return { run, automatic, source: await options.open(ctx) };
}
