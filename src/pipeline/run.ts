/**
 * One organizer run, whatever the source: discover → fingerprint → group → analyze (faces) →
 * select → sinks (the output tree, the server's actions, the report). Each stage reads what the
 * one before stored in the catalog, so a run killed anywhere resumes from there. A folder run and
 * an Immich run differ only in their source (sources/) and which sinks they have. Never prints:
 * progress and notices go through the ProgressSink, results into the summary.
 */
import { join, resolve } from 'node:path';
import { type Db, openDatabase, openScratchCopy, removeDatabase } from '../catalog/database.js';
import { loadJournal } from '../catalog/immich-journal.js';
import { countClips, forgetFingerprints, LOCAL_SOURCE, loadErrors, loadItems, loadPhotoKeys, syncItems } from '../catalog/items.js';
import { loadConflicts } from '../catalog/conflicts.js';
import { loadFaceAnalyses } from '../catalog/faces.js';
import { beginRun, finishRun, latestRun, setStage } from '../catalog/runs.js';
import { closeCalls } from '../core/close-calls.js';
import { checkWritable } from '../output/preflight.js';
import type { GroupKind, PhotoError, PhotoId } from '../core/types.js';
import type { ActionsSummary } from '../immich/actions/run.js';
import { hasServerActions } from '../immich/actions/groups.js';
import type { WrittenReport } from '../report/write.js';
import { ImmichSource } from '../sources/immich-source.js';
import { NO_KINDS } from '../sources/immich-fallback.js';
import type { PhotoSource } from '../sources/source.js';
import { asSetupError, checkSetup, openSource, type Secrets } from './open-source.js';
import { clipLoading, type RunOptions } from './options.js';
import type { ProgressSink, StageName } from './progress.js';
import { applyActions, undoActions } from '../sources/immich-sink.js';
import { writeRunReport } from './sinks/report.js';
import { type StageTimer, type TreeResult, writeTree } from './sinks/tree.js';
import { analyzeStage, resolveFaceBackend } from './stages/analyze.js';
import { analyzerFor } from '../faces/backend.js';
import { addCounts, fingerprintStage, pendingFingerprints } from './stages/fingerprint.js';
import { groupsForSwap } from './stages/face-swap.js';
import { earlierRun, type FoundGroup, groupStage, itemsSeenBefore } from './stages/group.js';
import type { WorkerPools } from './shared-pools.js';
import { qualityStage } from './stages/quality.js';
import { selectStage } from './stages/select.js';
import { clipIds, countFaces, type RunSummary } from './run-summary.js';

export { RunSetupError, type Secrets } from './open-source.js';

export type { RunSummary } from './run-summary.js';

/** Where the catalog lives: --state-file, else under -o, else (Immich without -o) under the cache folder. */
export function catalogPath(options: Pick<RunOptions, 'stateFile' | 'output' | 'immichCacheDir'>): string {
  if (options.stateFile) return resolve(options.stateFile);
  if (options.output) return join(resolve(options.output), '.photo-organizer', 'catalog.db');
  return join(resolve(options.immichCacheDir), 'catalog.db');
}

/** `pools`: worker pools kept between runs (--watch); absent, the stages start and end their own. */
export async function organize(
  options: RunOptions,
  secrets: Secrets,
  sink: ProgressSink,
  signal?: AbortSignal,
  pools?: WorkerPools,
): Promise<RunSummary> {
  checkSetup(options, secrets);
  const catalog = catalogPath(options);
  const local = options.sourceType === 'local';
  // Read-only disk, permission: said in one line before any work, not as a raw errno later.
  if (!options.dryRun && options.output !== null) checkWritable(resolve(options.output));
  if (options.forceFresh && !options.dryRun && local) removeDatabase(catalog);
  const db = options.dryRun ? openScratchCopy(options.forceFresh && local ? null : catalog) : openDatabase(catalog);
  let source: PhotoSource | null = null;
  try {
    source = await openSource(options, secrets, { db, catalog, sink, ...(signal ? { signal } : {}) });
    const ctx: RunContext = {
      db,
      runId: startRun(db, source, options, sink),
      source,
      options,
      catalog,
      sink,
      timings: {},
      ...(signal ? { signal } : {}),
      ...(pools ? { pools } : {}),
    };
    if (options.undo && source instanceof ImmichSource) return await undo(ctx, source);
    return await stages(ctx);
  } catch (error) {
    // Ctrl+C cancels a request in flight: that is an interruption, not a failure.
    if (signal?.aborted === true && source !== null)
      return emptySummary({ db, runId: 0, source, options, catalog, sink, timings: {} }, true);
    throw asSetupError(error);
  } finally {
    await source?.close();
    db.close();
  }
}

function startRun(db: Db, source: PhotoSource, options: RunOptions, sink: ProgressSink): number {
  if (options.forceFresh && source.id !== LOCAL_SOURCE) {
    // The journal is the only record of what this tool changed on the server (--undo needs
    // it): a fresh start forgets the fingerprints, never that.
    forgetFingerprints(db, source.id);
    sink.note(
      'notice',
      'Forgot the cached fingerprints; kept the record of changes made on the server (for --undo) and your review decisions.',
    );
  }
  const previous = latestRun(db);
  if (previous && previous.stage !== 'done' && !options.resume && !options.forceFresh && !options.undo) {
    sink.note('notice', `The previous run (started ${previous.startedAt}) did not finish; its finished work is reused.`);
  }
  if (options.resume && (!previous || previous.stage === 'done')) {
    sink.note('notice', 'Nothing to resume: the last run finished. Running it again (cached work is reused).');
  }
  return beginRun(db, JSON.stringify(options), new Date()).id;
}

interface RunContext {
  readonly db: Db;
  readonly runId: number;
  readonly source: PhotoSource;
  readonly options: RunOptions;
  readonly catalog: string;
  readonly sink: ProgressSink;
  readonly timings: Record<string, number>;
  readonly signal?: AbortSignal;
  readonly pools?: WorkerPools;
}

function timer(ctx: RunContext): StageTimer {
  return async <T>(stage: StageName, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    setStage(ctx.db, ctx.runId, stage);
    try {
      return await work();
    } finally {
      ctx.timings[stage] = Math.round(performance.now() - t0) / 1000;
    }
  };
}

async function stages(ctx: RunContext): Promise<RunSummary> {
  const { db, source, options, sink } = ctx;
  const timed = timer(ctx);
  const stopped = (): boolean => ctx.signal?.aborted === true;
  const withSignal = ctx.signal ? { signal: ctx.signal } : {};

  const discovered = await timed('discover', () => source.discover(sink));
  const problems: PhotoError[] = [...discovered.problems.map((p) => ({ path: p.path, stage: 'discover' as const, message: p.message }))];
  // A watch cycle regroups only around items new to it or fingerprinted now (stages/group.ts); what
  // the run before saw is read before this run's listing marks items seen.
  const seenBefore = options.watch ? itemsSeenBefore(db, ctx.runId, source.id) : new Set<PhotoId>();
  const listed = loadItems(db, syncItems(db, source.id, ctx.runId, discovered.entries).ids);
  const byId = new Map(listed.map((i) => [i.id, i]));
  const passOptions = { threshold: options.threshold, timeWindow: options.timeWindow, minGroupSize: options.minGroupSize };
  const passes = await source.passes(listed, passOptions, sink);
  const candidates = [...new Set(passes.flatMap((p) => p.ids.filter((id) => p.candidates.has(id))))];
  const pending = options.watch ? pendingFingerprints({ db, source, clips: clipLoading(options) }, candidates) : [];
  const earlier = earlierRun(db, ctx.runId, options, [...pending, ...candidates.filter((id) => !seenBefore.has(id))]);
  const faceAnalyzer = faceCheckAnalyzer(options);
  const fingerprints = {
    db,
    source,
    threads: options.threads,
    faceAnalyzer,
    clips: clipLoading(options),
    sink,
    ...withSignal,
    ...(ctx.pools ? { pool: ctx.pools.inspect() } : {}),
  };
  const pictures = await timed('inspect', async () => {
    const first = await fingerprintStage(fingerprints, candidates);
    // Some clips deserve a closer look once the first fingerprints are in (Immich clips whose posters cannot decide).
    const look = stopped() ? undefined : source.secondLook?.bind(source);
    const clips = look === undefined ? [] : loadPhotoKeys(db, candidates).flatMap((k) => (k.clip ? [k.id] : []));
    const closer = look === undefined || clips.length === 0 ? [] : look(loadItems(db, clips), passOptions, sink);
    return closer.length === 0 ? first : addCounts(first, await fingerprintStage(fingerprints, closer));
  });
  const base = {
    photos: listed.length,
    clips: countClips(db, source.id, ctx.runId),
    candidates: candidates.length,
    ruledOut: listed.length - candidates.length,
    prefiltered: !options.immichUseDuplicates,
    pictures,
  };
  if (stopped()) return { ...emptySummary(ctx, true), ...base };

  const { groups: unmeasured, leftOut } = await timed('group', () => groupStage(db, passes, passOptions, sink, earlier));
  // Ranking needs the grouped photos' sharpness at full size; the fingerprints measured it coarse.
  const { groups: found } = await timed('quality', () =>
    qualityStage({ db, source, threads: options.threads, faceAnalyzer, sink, ...withSignal }, unmeasured),
  );
  if (stopped()) return { ...emptySummary(ctx, true), ...base };
  // What the passes looked at, as listed (the actions need only their ids and listing facts).
  const judged = [...new Set(passes.flatMap((p) => p.ids))].map((id) => byId.get(id)!);
  const serverFaces = await source.serverFaces([...new Map(found.flatMap((g) => g.members.map((m) => [m.id, m] as const))).values()]);
  // Ranking waits for the face analysis of the grouped photos (cached ones come from the catalog).
  const analyze = (of: readonly FoundGroup[]) =>
    timed('analyze', () =>
      analyzeStage({ db, source, options, sink, ...withSignal, ...(ctx.pools ? { startPool: ctx.pools.faces } : {}) }, of),
    );
  const faces = serverFaces === null ? await analyze(found) : null;
  if (stopped()) return { ...emptySummary(ctx, true), ...base };
  const groups = await timed('select', () =>
    selectStage({ db, runId: ctx.runId, source, analyzer: faces?.analyzer ?? null, serverFaces, sink }, found),
  );

  // Sinks: the local tree, the server's actions, the report.
  let tree: TreeResult | null = null;
  if (options.output && !(options.tagOnly && source instanceof ImmichSource) && groups.length > 0) {
    const hdr = options.enableHdr ? { catalog: ctx.catalog, gamma: options.hdrGamma, threads: options.threads } : null;
    // Server faces carry no landmarks nor eye states: the groups a swap may touch are analysed here.
    const swapping = options.enableFaceSwap && options.swapClosedEyes;
    const ownFaces = swapping && serverFaces !== null ? await analyze(groupsForSwap(groups, serverFaces)) : faces;
    if (stopped()) return { ...emptySummary(ctx, true), ...base };
    const swap = swapping ? { catalog: ctx.catalog, analyzer: ownFaces?.analyzer ?? null } : null;
    tree = await writeTree(
      {
        db,
        runId: ctx.runId,
        source,
        root: resolve(options.output),
        dryRun: options.dryRun,
        verbose: options.verbose,
        hdr,
        swap,
        timed,
        sink,
        ...withSignal,
      },
      groups,
    );
    if (tree.applied?.aborted === true) return { ...emptySummary(ctx, true), ...base };
  }
  let actions: ActionsSummary | null = null;
  if (source instanceof ImmichSource && hasServerActions(options)) {
    actions = await timed('act', () =>
      applyActions({ db, runId: ctx.runId, source, dryRun: options.dryRun, sink, ...withSignal }, options, {
        groups,
        judged,
        plan: tree?.plan ?? null,
        flagsFromListing: true,
      }),
    );
    if (actions.aborted) return { ...emptySummary(ctx, true), ...base, actions };
  }

  const failed = loadErrors(db, source.id, ctx.runId);
  const failedIds = new Set(failed.map((e) => e.id));
  const errors: PhotoError[] = [
    ...problems,
    ...failed.map((e) => ({ path: source.name(byId.get(e.id)!), stage: stageOf(e.stage), message: e.message })),
    ...(tree?.problems ?? []),
  ];
  const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.photo.id)));
  const byKind: Record<GroupKind, number> = { duplicate: 0, burst: 0, similar: 0 };
  for (const g of groups) byKind[g.kind]++;
  let report: WrittenReport | null = null;
  if (!options.dryRun) {
    report = await timed('report', () =>
      writeRunReport({
        source,
        root: options.output ? resolve(options.output) : resolve(ctx.catalog, '..'),
        options: { ...options },
        groups,
        plan: tree?.plan ?? null,
        ungrouped: listed.filter((i) => !grouped.has(i.id) && !failedIds.has(i.id)).map((i) => source.name(i)),
        errors,
        timings: ctx.timings,
        faceSwaps: tree?.swap?.people ?? [],
        conflicts: loadConflicts(db, source.scope).filter((c) => !c.toolWins),
      }),
    );
    finishRun(db, ctx.runId, new Date());
  }
  return {
    ...emptySummary(ctx, false),
    ...base,
    groups: groups.length,
    byKind,
    grouped: grouped.size,
    groupedClips: groups.reduce((n, g) => n + g.members.filter((m) => m.photo.meta.format === 'video').length, 0),
    errors,
    planLines: tree?.lines ?? [],
    applied: tree?.applied ?? null,
    hdr: tree?.hdr ?? null,
    swap: tree?.swap ?? null,
    actions,
    report,
    leftOut,
    closeCalls: closeCalls(groups),
    faces: faces?.analyzer == null ? null : countFaces(loadFaceAnalyses(db, [...grouped], faces.analyzer), clipIds(groups)),
  };
}

function stageOf(stage: string): PhotoError['stage'] {
  return stage === 'fingerprint' ? 'fingerprint' : 'inspect';
}

async function undo(ctx: RunContext, source: ImmichSource): Promise<RunSummary> {
  const timed = timer(ctx);
  if (loadJournal(ctx.db, source.id).length === 0) {
    ctx.sink.note(
      'notice',
      `Nothing to undo: the catalog ${ctx.catalog} records no change on ${source.id} (use the same -o, --state-file or --immich-cache-dir as the runs you want to undo)`,
    );
  }
  const actions = await timed('act', () =>
    undoActions({
      db: ctx.db,
      runId: ctx.runId,
      source,
      dryRun: ctx.options.dryRun,
      sink: ctx.sink,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    }),
  );
  if (!ctx.options.dryRun && !actions.aborted) finishRun(ctx.db, ctx.runId, new Date());
  return { ...emptySummary(ctx, actions.aborted), actions };
}

function emptySummary(ctx: Omit<RunContext, 'signal'>, interrupted: boolean): RunSummary {
  const { options, source } = ctx;
  return {
    sourceType: options.sourceType === 'local' ? 'local' : 'immich',
    source: source.label,
    output: options.output ? resolve(options.output) : null,
    catalog: ctx.catalog,
    dryRun: options.dryRun,
    undo: options.undo,
    interrupted,
    photos: 0,
    clips: 0,
    candidates: 0,
    ruledOut: 0,
    prefiltered: !options.immichUseDuplicates,
    pictures: { fingerprinted: 0, failed: 0, cached: 0, fromCache: 0, fromLibrary: 0, downloadedAs: NO_KINDS, wholeClips: 0 },
    downloaded: source instanceof ImmichSource ? source.client.downloaded : null,
    groups: 0,
    byKind: { duplicate: 0, burst: 0, similar: 0 },
    grouped: 0,
    groupedClips: 0,
    errors: [],
    planLines: [],
    applied: null,
    hdr: null,
    swap: null,
    actions: null,
    report: null,
    timings: ctx.timings,
    leftOut: new Map(),
    // The stage that was running: each stage adds its timing as it ends, stopped or not.
    stoppedIn: interrupted ? ((Object.keys(ctx.timings).at(-1) as StageName | undefined) ?? null) : null,
    closeCalls: [],
    faces: null,
  };
}

/**
 * The analyzer whose analyses the ranking decodes may settle (photos that surely show no face);
 * null when no face will be analyzed here: faces off, or the server's faces stand in for them.
 */
function faceCheckAnalyzer(options: RunOptions): string | null {
  const backend = resolveFaceBackend(options.faceBackend);
  return backend === null || options.immichUseServerFaces ? null : analyzerFor(backend.kind);
}
