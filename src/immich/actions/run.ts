/**
 * The "act" stage for Immich, and --undo: read the server state, settle journal entries a killed
 * run left pending, plan (pure), then either print the plan (--dry-run) or apply it with the
 * journal, let the server settle and verify by planning again until nothing is left (re-applying
 * what the server's background jobs lost, a few rounds at most; immich/actions/verify.ts).
 */
import type { JournalEntry } from '../../core/immich.js';
import type { ImmichClient } from '../client.js';
import { readServerState, type StateNeeds } from '../read.js';
import { applyOperations, type ApplyContext, type Journal } from './apply.js';
import type { Hold } from './hold.js';
import { type ActionFlags, type ActionGroup, desiredState, type Operation, type PlanInput, planActions } from './plan.js';
import { type AssetNamer, operationSize, renderOperation } from './render.js';
import { type Owned, ownedFromJournal, resolvePending, type ServerState } from './state.js';
import { planUndo } from './undo.js';
import { applyAndVerify, type VerifiedResult } from './verify.js';

/** The journal of one server as the catalog keeps it: read whole, appended to ahead of each change. */
export interface JournalStore extends Journal {
  load(): JournalEntry[];
}

/** What the actions report while they work (the pipeline's ProgressSink has this shape). */
export interface ActionsSink {
  start(stage: 'act', total: number | null): void;
  update(done: number, total?: number): void;
  finish(): void;
  note(kind: 'problem' | 'notice', line: string): void;
}

export interface ActionsContext {
  readonly journal: JournalStore;
  readonly client: ImmichClient;
  readonly dryRun: boolean;
  readonly namer: AssetNamer;
  readonly sink: ActionsSink;
  readonly signal?: AbortSignal;
}

export interface ActionsSummary {
  /** The plan, one line per change (what --dry-run prints). */
  readonly planLines: readonly string[];
  readonly notices: readonly string[];
  /** Photo-level changes planned and, when applied, made. */
  readonly planned: number;
  readonly applied: number;
  /** One line per operation that failed. */
  readonly failures: readonly string[];
  /** After applying, settling and re-applying: changes the server still lacks (empty = verified). */
  readonly unverified: readonly string[];
  /** Rounds of re-applying what the server had lost while settling (0: it all stuck at once). */
  readonly reapplied?: number;
  /** Journal entries of killed runs settled at the start. */
  readonly settledPending: number;
  readonly aborted: boolean;
}

export interface RunActionsInput {
  readonly groups: readonly ActionGroup[];
  readonly flags: ActionFlags;
  /** Assets the run looked at. */
  readonly scope: ReadonlySet<string>;
  /** Favourite/archive flags the listing already gave. */
  readonly knownFlags: StateNeeds['knownFlags'];
  /** The user's changes waiting for a decision, left as they are (hold.ts). */
  readonly holds: readonly Hold[];
  /** See PlanInput.keepUserChanges. */
  readonly keepUserChanges?: PlanInput['keepUserChanges'];
}

/** The description of the albums this tool creates. */
const ALBUM_DESCRIPTION = 'Made by photo-organizer: similar photos, the best one tagged photo-organizer/best.';

export async function runActions(ctx: ActionsContext, input: RunActionsInput): Promise<ActionsSummary> {
  const want = desiredState(input.groups, input.flags);
  const flagsNeeded = input.flags.favorite || input.flags.archive;
  // `fresh`: after applying, the listing's favourite/archive flags are out of date.
  const needsFor = (owned: Owned, pendingAssets: readonly string[], pending: PendingTargets, fresh = false): StateNeeds => ({
    tagValues: new Set([...want.tags.keys(), ...owned.tagged.keys(), ...owned.createdTags.keys(), ...pending.tags]),
    albumNames: new Set([...want.albums.keys(), ...pending.albumNames]),
    albumIds: new Set([...owned.albumAdds.keys(), ...owned.createdAlbums.keys(), ...pending.albumIds]),
    stacks: input.flags.stack || pending.stacks,
    flagsOf: new Set([...(flagsNeeded ? input.scope : []), ...pendingAssets]),
    knownFlags: fresh ? new Map() : input.knownFlags,
  });
  const { owned, settled } = await settle(ctx, (o, assets, targets) => needsFor(o, assets, targets));
  const state = await readServerState(ctx.client, needsFor(owned, [], NO_PENDING));
  const plan = planActions({ groups: input.groups, flags: input.flags, scope: input.scope, server: state, owned, ...held(input) });
  const planLines = plan.operations.map((op) => renderOperation(op, ctx.namer));
  const planned = plan.operations.reduce((n, op) => n + operationSize(op), 0);
  if (ctx.dryRun || plan.operations.length === 0) {
    return { planLines, notices: plan.notices, planned, applied: 0, failures: [], unverified: [], settledPending: settled, aborted: false };
  }
  const verified = await applyAndVerify(plan.operations, {
    apply: (ops) => apply(ctx, ops, ALBUM_DESCRIPTION),
    replan: async () => {
      const ownedAfter = ownedFromJournal(ctx.journal.load());
      const after = await readServerState(ctx.client, needsFor(ownedAfter, [], NO_PENDING, true));
      return planActions({
        groups: input.groups,
        flags: input.flags,
        scope: input.scope,
        server: after,
        owned: ownedAfter,
        ...held(input),
      }).operations;
    },
    render: (op) => renderOperation(op, ctx.namer),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { ...verifiedSummary(verified, ctx), planLines, notices: plan.notices, planned, settledPending: settled };
}

function held(input: RunActionsInput): Pick<PlanInput, 'holds' | 'keepUserChanges'> {
  return { holds: input.holds, ...(input.keepUserChanges ? { keepUserChanges: input.keepUserChanges } : {}) };
}

function verifiedSummary(
  v: VerifiedResult,
  ctx: ActionsContext,
): Pick<ActionsSummary, 'applied' | 'failures' | 'aborted' | 'unverified' | 'reapplied'> {
  return {
    applied: v.applied,
    failures: v.failures,
    aborted: v.aborted,
    unverified: v.aborted ? [] : v.missing.map((op) => renderOperation(op, ctx.namer)),
    reapplied: v.reapplied,
  };
}

/** --undo: everything this catalog's runs changed on this server, taken back. */
export async function runUndo(ctx: ActionsContext): Promise<ActionsSummary> {
  const needsFor = (owned: Owned, pendingAssets: readonly string[], pending: PendingTargets): StateNeeds => ({
    tagValues: new Set([...owned.tagged.keys(), ...owned.createdTags.keys(), ...owned.deletedTags, ...pending.tags]),
    albumNames: new Set(pending.albumNames),
    albumIds: new Set([...owned.albumAdds.keys(), ...owned.createdAlbums.keys(), ...pending.albumIds]),
    stacks: owned.stacks.size > 0 || pending.stacks,
    flagsOf: new Set([...owned.favorited, ...owned.archived, ...pendingAssets]),
    knownFlags: new Map(),
  });
  const { owned, settled } = await settle(ctx, needsFor);
  const state: ServerState = await readServerState(ctx.client, needsFor(owned, [], NO_PENDING));
  const ops = planUndo(owned, state);
  const planLines = ops.map((op) => renderOperation(op, ctx.namer));
  const planned = ops.reduce((n, op) => n + operationSize(op), 0);
  if (ctx.dryRun || ops.length === 0) {
    return { planLines, notices: [], planned, applied: 0, failures: [], unverified: [], settledPending: settled, aborted: false };
  }
  const verified = await applyAndVerify(ops, {
    apply: (next) => apply(ctx, next, ''),
    replan: async () => {
      const ownedAfter = ownedFromJournal(ctx.journal.load());
      return planUndo(ownedAfter, await readServerState(ctx.client, needsFor(ownedAfter, [], NO_PENDING)));
    },
    render: (op) => renderOperation(op, ctx.namer),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  return { ...verifiedSummary(verified, ctx), planLines, notices: [], planned, settledPending: settled };
}

interface PendingTargets {
  readonly tags: readonly string[];
  readonly albumNames: readonly string[];
  readonly albumIds: readonly string[];
  readonly stacks: boolean;
}

const NO_PENDING: PendingTargets = { tags: [], albumNames: [], albumIds: [], stacks: false };

/**
 * Settles the entries a killed run left pending, by looking at the server (state.ts decides),
 * and returns what is owned afterwards. A no-op read when nothing is pending.
 */
async function settle(
  ctx: ActionsContext,
  needsFor: (owned: Owned, pendingAssets: readonly string[], pending: PendingTargets) => StateNeeds,
): Promise<{ owned: Owned; settled: number }> {
  const journal = ctx.journal.load();
  const pending = journal.filter((e) => e.state === 'pending');
  if (pending.length === 0) return { owned: ownedFromJournal(journal), settled: 0 };
  const targets: PendingTargets = {
    tags: pending.filter((e) => e.op.endsWith('-tag')).map((e) => e.target),
    albumNames: pending.filter((e) => e.op === 'create-album').map((e) => e.target),
    albumIds: pending.filter((e) => e.op.endsWith('-album') && e.entityId !== null).map((e) => e.entityId!),
    stacks: pending.some((e) => e.op.endsWith('-stack')),
  };
  const assets = pending.filter((e) => /favorite|archive/.test(e.op)).flatMap((e) => e.assets);
  const state = await readServerState(ctx.client, needsFor(ownedFromJournal(journal), assets, targets));
  for (const v of resolvePending(journal, state)) {
    ctx.journal.finish(v.entryId, v.state, {
      entityId: v.entityId,
      assets: v.assets,
      message: v.state === 'failed' ? 'interrupted before the server acted' : 'interrupted; the server had acted',
    });
  }
  ctx.sink.note(
    'notice',
    `Checked ${pending.length} change${pending.length === 1 ? '' : 's'} an interrupted run left unconfirmed against the server.`,
  );
  return { owned: ownedFromJournal(ctx.journal.load()), settled: pending.length };
}

async function apply(
  ctx: ActionsContext,
  ops: readonly Operation[],
  albumDescription: string,
): Promise<Pick<ActionsSummary, 'applied' | 'failures' | 'aborted'>> {
  const applyCtx: ApplyContext = {
    client: ctx.client,
    albumDescription,
    journal: ctx.journal,
    onProgress: (done, total) => ctx.sink.update(done, total),
    onNotice: (message) => ctx.sink.note('notice', message),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  ctx.sink.start('act', ops.length);
  try {
    const result = await applyOperations(ops, applyCtx);
    const failures = result.outcomes.filter((o) => o.error !== null).map((o) => `${renderOperation(o.op, ctx.namer)} — ${o.error}`);
    for (const f of failures) ctx.sink.note('problem', f);
    const applied = result.outcomes.filter((o) => o.error === null).reduce((n, o) => n + operationSize(o.op), 0);
    return { applied, failures, aborted: result.aborted };
  } finally {
    ctx.sink.finish();
  }
}
