/**
 * The server actions sink (an Immich source with --tag-only, --create-albums, --mark-best-favorite,
 * --archive-non-best or --stack): the groups in the actions' terms, planned against what the
 * server holds now and applied with the catalog's journal (immich/actions/run.ts). Also --undo.
 */
import { loadConflicts, regroupConflicts } from '../catalog/conflicts.js';
import type { Db } from '../catalog/database.js';
import { journalBegin, journalFinish, loadJournal } from '../catalog/immich-journal.js';
import { assetFileNames, loadItems, type StoredItem } from '../catalog/items.js';
import { assetOf } from '../core/immich.js';
import { actionFlags, type ActionOptions, actionGroups } from '../immich/actions/groups.js';
import { type Hold, holdOf } from '../immich/actions/hold.js';
import { type ActionsSummary, type JournalStore, type RunActionsInput, runActions, runUndo } from '../immich/actions/run.js';
import { ownedFromJournal } from '../immich/actions/state.js';
import { HDR_FILE_NAME } from '../output/enhanced.js';
import { FACE_SWAP_FILE_NAME } from '../output/face-swapped.js';
import type { OutputPlan } from '../output/plan.js';
import type { ImmichSource } from './immich-source.js';
import type { ConflictStrategy } from '../pipeline/option-row.js';
import type { ProgressSink } from '../pipeline/progress.js';
import type { SelectedGroup } from '../pipeline/stages/select.js';

export interface ActionsContext {
  readonly db: Db;
  readonly runId: number;
  readonly source: ImmichSource;
  readonly dryRun: boolean;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

/** The catalog's journal of the source's server. */
export function journalOf(db: Db, server: string, runId: number): JournalStore {
  return {
    load: () => loadJournal(db, server),
    begin: (start) => journalBegin(db, server, runId, start, new Date()),
    finish: (id, state, details) => journalFinish(db, id, state, details, new Date()),
  };
}

/** Assets this tool archived (listed although archived, so a re-run sees the same groups). */
export function archivedByUs(db: Db, server: string): Set<string> {
  const journal = loadJournal(db, server);
  return new Set([
    ...ownedFromJournal(journal).archived,
    ...journal.filter((e) => e.state === 'pending' && e.op === 'archive').flatMap((e) => e.assets),
  ]);
}

/** Numbers of the groups whose folder in `plan` holds `extra` (an HDR merge, a face swap). */
function groupsWith(plan: OutputPlan | null, extra: string): ReadonlySet<number> {
  return new Set((plan?.groups ?? []).filter((g) => g.extras.includes(extra)).map((g) => Number(g.folder.slice('group_'.length))));
}

export interface ActionsInput {
  readonly groups: readonly SelectedGroup[];
  /** Every item the run judged: changes this tool made earlier on others are left alone. */
  readonly judged: readonly StoredItem[];
  /** The local tree's plan (HDR merges are tagged), null without one. */
  readonly plan: OutputPlan | null;
  /** Whether the items' favourite and archive flags are the server's (a run's fresh listing), or must be read. */
  readonly flagsFromListing: boolean;
}

/**
 * What the plan leaves as the user made it: with --conflict-strategy manual, the changes still
 * waiting for a decision on the review page (immich/actions/hold.ts); with --enable-bidir-sync and
 * remote_wins or manual, also those the plan's own read of the server shows (not yet recorded by
 * the sync between watch cycles), but for those decided in review for this tool's choice.
 */
function heldChanges(db: Db, source: ImmichSource, options: SyncOptions, groups: readonly SelectedGroup[]): HeldChanges {
  const manual = options.conflictStrategy === 'manual';
  const keepSeen = options.enableBidirSync && options.conflictStrategy !== 'local_wins';
  if (!manual && !keepSeen) return { holds: [] };
  if (manual) {
    regroupConflicts(
      db,
      source.scope,
      groups.map((g) => g.members.map((m) => m.photo.id)),
    );
  }
  const conflicts = loadConflicts(db, source.scope);
  const assets = new Map(
    loadItems(db, [...new Set(conflicts.flatMap((c) => (c.was === null ? [c.photo] : [c.photo, c.was])))]).map((i) => [
      i.id,
      assetOf(i).assetId,
    ]),
  );
  const holds = (toolWins: boolean): Hold[] =>
    conflicts.filter((c) => c.toolWins === toolWins).flatMap((c) => holdOf(c, (p) => assets.get(p)) ?? []);
  const waiting = manual ? holds(false) : [];
  if (!keepSeen) return { holds: waiting };
  return { holds: waiting, keepUserChanges: { except: new Set(holds(true).map((h) => `${h.kind}|${h.asset}`)) } };
}

interface SyncOptions {
  readonly enableBidirSync: boolean;
  readonly conflictStrategy: ConflictStrategy;
}

type HeldChanges = Pick<RunActionsInput, 'holds' | 'keepUserChanges'>;

export async function applyActions(
  ctx: ActionsContext,
  options: ActionOptions & SyncOptions,
  input: ActionsInput,
): Promise<ActionsSummary> {
  const { source } = ctx;
  const groups = input.groups.map((g) => ({
    number: g.number,
    person: g.person,
    members: g.members.map((m) => ({ asset: assetOf(m.photo), decision: m.decision })),
  }));
  const judged = input.judged.map(assetOf);
  const wanted = await actionGroups(
    source.client,
    options,
    groups,
    groupsWith(input.plan, HDR_FILE_NAME),
    groupsWith(input.plan, FACE_SWAP_FILE_NAME),
  );
  return runActions(
    {
      journal: journalOf(ctx.db, source.id, ctx.runId),
      client: source.client,
      dryRun: ctx.dryRun,
      namer: (id) => source.nameOfAsset(id),
      sink: ctx.sink,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    {
      groups: wanted,
      flags: actionFlags(options),
      scope: new Set(judged.map((a) => a.assetId)),
      knownFlags: input.flagsFromListing
        ? new Map(judged.map((a) => [a.assetId, { isFavorite: a.facts.isFavorite, archived: a.facts.visibility === 'archive' }]))
        : new Map(),
      ...heldChanges(ctx.db, source, options, input.groups),
    },
  );
}

/** --undo: what this catalog's runs changed on the server, taken back. */
export async function undoActions(ctx: ActionsContext): Promise<ActionsSummary> {
  const names = assetFileNames(ctx.db, ctx.source.id);
  return runUndo({
    journal: journalOf(ctx.db, ctx.source.id, ctx.runId),
    client: ctx.source.client,
    dryRun: ctx.dryRun,
    namer: (id) => names.get(id) ?? id,
    sink: ctx.sink,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}
