/**
 * --watch put together: the catalog's lock, the source's change feed, and the loop whose cycle is
 * a normal organize() run. After each cycle the groups are compared with the cycle before (by
 * number: numbers are kept across runs) so the one line per cycle can say what changed, and the
 * older runs' groups are dropped so the catalog does not grow with the cycles.
 */
import { resolve } from 'node:path';
import { openDatabase } from '../catalog/database.js';
import { forgetGroupsBefore, latestRun, loadGroups, previousGroups, type StoredGroup } from '../catalog/runs.js';
import { LOCAL_SOURCE } from '../core/items.js';
import { type GroupChanges, groupChanges } from '../core/numbering.js';
import { apiBaseUrl } from '../immich/client.js';
import { FolderChanges } from '../sources/folder-changes.js';
import { ImmichChanges } from '../sources/immich-changes.js';
import { lockCatalog } from './lock.js';
import { immichClient } from './open-source.js';
import { syncUserChanges, withUserChanges } from './watch-sync.js';
import { clipLoading, type RunOptions } from './options.js';
import { type PoolStarters, WorkerPools } from './shared-pools.js';
import type { ProgressSink } from './progress.js';
import { catalogPath, organize, type RunSummary, type Secrets } from './run.js';
import { type ChangeFeed, type Clock, type CycleReason, type WatchResult, watchLoop } from './watch.js';

export interface CycleOutcome {
  readonly number: number;
  readonly reason: CycleReason;
  /** Changes the feed saw (files, assets); 0 for the first cycle and retries. */
  readonly changes: number;
  readonly summary: RunSummary;
  readonly groups: GroupChanges;
  readonly seconds: number;
}

export interface WatchContext {
  readonly clock: Clock;
  readonly signal: AbortSignal;
  /** Progress of the first cycle (a full run's display); later cycles report through `quiet`. */
  readonly sink: ProgressSink;
  readonly quiet: ProgressSink;
  /** Each cycle's outcome, as it ends. */
  readonly cycleDone: (outcome: CycleOutcome) => void;
  /** The watch is set up and waiting for changes (after the first cycle) of this folder or server. */
  readonly watching: (source: string) => void;
  readonly failed: (error: unknown, retryInMs: number) => void;
  /** A line between cycles (the user's changes found on the server). */
  readonly say: (line: string) => void;
  /** How the worker pools are started (tests count them); absent: the real pools. */
  readonly pools?: PoolStarters;
}

/** A folder's file must keep its size this long to count as arrived; then the folder must be quiet this long. */
const STABLE_MS = 2000;
const SETTLE_MS = 1000;
/** A folder is listed in full every this many polls (missed events). */
const RESCAN_EVERY = 10;
/** The longest wait between attempts while a server is away. */
const MAX_BACKOFF_MS = 15 * 60_000;

export async function watchOrganize(options: RunOptions, secrets: Secrets, ctx: WatchContext): Promise<WatchResult> {
  const catalog = catalogPath(options);
  // Whose items the catalog's groups are (an Immich server by its API address).
  const sourceId = options.sourceType === 'local' ? LOCAL_SOURCE : apiBaseUrl(options.immichUrl);
  const lock = lockCatalog(catalog);
  let feed: ChangeFeed | null = null;
  // Workers (and the face models they hold) outlive the cycles: one new photo costs its own work only.
  const pools = new WorkerPools(options.threads, clipLoading(options), ctx.pools);
  try {
    feed = await openFeed(options, secrets, ctx);
    let cycleNumber = 0;
    // --force-fresh and --resume are about the first cycle only.
    const later: RunOptions = { ...options, forceFresh: false, resume: false };
    const cycle = async (reason: CycleReason, changes: number): Promise<void> => {
      const t0 = ctx.clock.now();
      const first = cycleNumber === 0;
      const summary = await organize(first ? options : later, secrets, first ? ctx.sink : ctx.quiet, ctx.signal, pools);
      cycleNumber++;
      ctx.cycleDone({
        number: cycleNumber,
        reason,
        changes,
        summary,
        groups: summary.interrupted || summary.dryRun ? NO_CHANGES : settleGroups(catalog, sourceId),
        seconds: (ctx.clock.now() - t0) / 1000,
      });
      if (first && !summary.interrupted) ctx.watching(summary.source);
    };
    return await watchLoop({
      clock: ctx.clock,
      feed,
      signal: ctx.signal,
      intervalMs: options.pollInterval * 1000,
      maxBackoffMs: MAX_BACKOFF_MS,
      cycle,
      failed: ctx.failed,
    });
  } finally {
    await feed?.close();
    await pools.close();
    lock.release();
  }
}

const NO_CHANGES: GroupChanges = { added: [], changed: [], removed: [] };

async function openFeed(options: RunOptions, secrets: Secrets, ctx: WatchContext): Promise<ChangeFeed> {
  const { clock } = ctx;
  if (options.sourceType === 'immich') {
    const client = immichClient(options, secrets, ctx.quiet, ctx.signal);
    const changes = new ImmichChanges(client, clock);
    if (!options.enableBidirSync) return changes;
    return withUserChanges(changes, () => syncUserChanges(catalogPath(options), client, options), ctx.say);
  }
  const catalog = catalogPath(options);
  return FolderChanges.open({
    root: resolve(options.source),
    exclude: [resolve(options.output), resolve(catalog, '..')],
    clock,
    stableMs: STABLE_MS,
    settleMs: SETTLE_MS,
    rescanEvery: RESCAN_EVERY,
  });
}

/** The groups the latest run changed (against the run before), then only the latest run's groups kept. */
function settleGroups(catalog: string, source: string): GroupChanges {
  const db = openDatabase(catalog);
  try {
    const run = latestRun(db);
    if (run === null) return NO_CHANGES;
    const now = loadGroups(db, run.id);
    const changes = groupChanges(keyed(previousGroups(db, run.id, source)), keyed(now));
    // A cycle that found no group keeps the last groups: the numbers a later group continues from.
    if (now.length > 0) forgetGroupsBefore(db, run.id, source);
    return changes;
  } finally {
    db.close();
  }
}

/** Each group's members and best pick as one comparable key, by number. */
function keyed(groups: readonly StoredGroup[]): Map<number, string> {
  return new Map(
    groups.map((g) => [
      g.number,
      `${g.person ?? ''}|${g.members
        .map((m) => `${m.photoId}${m.isBest ? '*' : ''}`)
        .sort()
        .join(',')}`,
    ]),
  );
}
