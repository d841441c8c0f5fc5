/**
 * One organizer run, stage by stage: discover → inspect/fingerprint → group → analyze (faces) →
 * select → output → report. Each stage reads what the one before stored in the catalog, so a run
 * killed anywhere resumes from there. Never prints: progress and notices go through the
 * ProgressSink.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Db, openDatabase, openScratchCopy, removeDatabase } from '../catalog/database.js';
import { loadErrors, syncFiles } from '../catalog/photos.js';
import { beginRun, finishRun, latestRun, loadOutputs, setStage } from '../catalog/runs.js';
import { closeCalls } from '../core/close-calls.js';
import { displayPath, relativeDisplay } from '../core/paths.js';
import { loadFaceAnalyses } from '../catalog/faces.js';
import type { GroupKind, Photo, PhotoError } from '../core/types.js';
import { type ApplyResult, listGroupFolders } from '../output/apply.js';
import { applyJournalled } from '../output/journal.js';
import { type OutputPlan, planOutput, plannedPaths, relativeToRoot, renderPlan, renderPlanPreview, staleOutputs } from '../output/plan.js';
import { bytesToWrite, checkSpace, checkWritable } from '../output/preflight.js';
import { buildReport } from '../report/build.js';
import { type WrittenReport, writeReport } from '../report/write.js';
import { discoverPhotos } from '../sources/local.js';
import type { RunOptions } from './options.js';
import type { ProgressSink, StageName } from './progress.js';
import { analyzeStage } from './stages/analyze.js';
import { groupStage } from './stages/group.js';
import { inspectStage } from './stages/inspect.js';
import { enhanceStage } from './stages/enhance.js';
import { selectStage } from './stages/select.js';

/** A problem with the request itself (missing folder…): the CLI reports it as a usage error. */
export class RunSetupError extends Error {
  override readonly name = 'RunSetupError';
}

/** What every run reports, whatever its source. */
export interface RunResults {
  readonly groups: number;
  readonly byKind: Readonly<Record<GroupKind, number>>;
  readonly grouped: number;
  readonly errors: readonly PhotoError[];
  readonly applied: ApplyResult | null;
  readonly report: WrittenReport | null;
  readonly timings: Readonly<Record<string, number>>;
}

export interface RunSummary extends RunResults {
  readonly source: string;
  readonly output: string;
  readonly catalog: string;
  readonly dryRun: boolean;
  /** True when the signal stopped the run; it can be resumed. */
  readonly interrupted: boolean;
  readonly photos: number;
  /** Photos whose fingerprint came from the catalog (no decode). */
  readonly cached: number;
  readonly decoded: number;
  /** Dry run: the plan, one line per operation. */
  readonly planLines: readonly string[];
  /** With --enable-hdr: brackets found, and merges made by this run (the others were kept from earlier runs). */
  readonly hdr: { readonly brackets: number; readonly merged: number } | null;
  /** The stage a stop landed in (interrupted runs), else null. */
  readonly stoppedIn: StageName | null;
  /** Numbers of the groups whose best won by a small margin (core/close-calls.ts). */
  readonly closeCalls: readonly number[];
  /** Faces found in the grouped photos the ranking looked at; null when faces were not analyzed. */
  readonly faces: { readonly photos: number; readonly faces: number } | null;
}

/** Where the catalog lives for these options. */
export function catalogPath(options: RunOptions): string {
  return options.stateFile ? resolve(options.stateFile) : join(resolve(options.output ?? '.'), '.photo-organizer', 'catalog.db');
}

export async function organize(options: RunOptions, sink: ProgressSink, signal?: AbortSignal): Promise<RunSummary> {
  if (!options.source) throw new RunSetupError('--source is required for a local run');
  if (!options.output) throw new RunSetupError('--output is required for a local run');
  const source = resolve(options.source);
  const output = resolve(options.output);
  const st = statSync(source, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new RunSetupError(`--source: ${st ? 'not a folder' : 'folder not found'}: ${source}`);
  if (existsSync(output) && !statSync(output).isDirectory()) throw new RunSetupError(`--output: not a folder: ${output}`);
  // Read-only disk, permission: said in one line before any work, not as a raw errno later.
  if (!options.dryRun) checkWritable(output);
  const catalog = catalogPath(options);
  if (options.forceFresh && !options.dryRun) removeDatabase(catalog);
  const db = options.dryRun ? openScratchCopy(options.forceFresh ? null : catalog) : openDatabase(catalog);
  try {
    return await runStages(db, { options, source, output, catalog }, sink, signal);
  } finally {
    db.close();
  }
}

interface RunContext {
  readonly options: RunOptions;
  readonly source: string;
  readonly output: string;
  readonly catalog: string;
}

async function runStages(db: Db, ctx: RunContext, sink: ProgressSink, signal?: AbortSignal): Promise<RunSummary> {
  const { options, source, output } = ctx;
  const previous = latestRun(db);
  if (previous && previous.stage !== 'done' && !options.resume && !options.forceFresh) {
    sink.note('notice', `The previous run (started ${previous.startedAt}) did not finish; its finished work is reused.`);
  }
  if (options.resume && (!previous || previous.stage === 'done')) {
    sink.note('notice', 'Nothing to resume: the last run finished. Running it again (cached work is reused).');
  }
  const run = beginRun(db, JSON.stringify(options), new Date());
  const timings: Record<string, number> = {};
  const timed = async <T>(stage: StageName, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    setStage(db, run.id, stage);
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - t0) / 1000;
    }
  };

  const discovered = await timed('discover', async () => {
    sink.start('discover', null);
    const result = await discoverPhotos(source, {
      exclude: [output, dirname(ctx.catalog)],
      limit: options.limit,
      onFound: (n) => sink.update(n),
    });
    sink.finish();
    return result;
  });
  for (const dir of discovered.skippedExcluded) sink.note('notice', `Skipped ${dir}: it is the output folder`);
  for (const p of discovered.problems) sink.note('problem', `${p.path}: ${p.message}`);
  syncFiles(db, run.id, discovered.files);

  const inspected = await timed('inspect', () => inspectStage(db, run.id, discovered.files.length, options.threads, sink, signal));
  const base = {
    source,
    output,
    catalog: ctx.catalog,
    dryRun: options.dryRun,
    photos: discovered.files.length,
    cached: inspected.cached,
    decoded: inspected.inspected + inspected.failed,
  };
  if (signal?.aborted) return interruptedSummary(base, timings);

  const grouping = await timed('group', () => groupStage(db, run.id, options, sink));
  // Ranking waits for face analysis of the grouped photos (cached ones come from the catalog).
  const faces = await timed('analyze', () => analyzeStage(db, grouping.groups, options, sink, signal));
  if (signal?.aborted) return interruptedSummary(base, timings);
  const ranked = await timed('select', () => selectStage(db, run.id, grouping.groups, faces.analyzer, sink));
  const photoById = new Map<number, Photo>(grouping.groups.flatMap((g) => g.members.map((p) => [p.id, { ...p, relativePath: relativeDisplay(source, p.path) }] as const)));
  const groups = ranked.map((g) => ({
    // Review decisions can leave gaps and add numbers: folders keep theirs (core/decisions.ts).
    number: g.number,
    kind: g.kind,
    members: g.members.map((m) => ({ photo: photoById.get(m.photoId)!, decision: m })),
  }));
  const enhanced = options.enableHdr
    ? await timed('enhance', () =>
        enhanceStage({ catalog: ctx.catalog, groups, gamma: options.hdrGamma, threads: options.threads, dryRun: options.dryRun, sink, ...(signal ? { signal } : {}) }),
      )
    : null;
  if (signal?.aborted) return interruptedSummary(base, timings);
  const plan = planOutput({
    outputRoot: output,
    groups: groups.map((g) => ({ number: g.number, kind: g.kind, photos: g.members, extras: enhanced?.extras.get(g.number) ?? [] })),
  });

  const errors: PhotoError[] = [
    ...discovered.problems.map((p) => ({ path: p.path, stage: 'discover' as const, message: p.message })),
    ...loadErrors(db, run.id).map((e) => ({
      path: displayPath(e.path),
      stage: e.stage === 'fingerprint' ? ('fingerprint' as const) : ('inspect' as const),
      message: e.message,
    })),
    ...(enhanced?.problems ?? []),
  ];
  let applied: ApplyResult | null = null;
  let planLines: string[] = [];
  if (options.dryRun) {
    const stale = staleOutputs([...loadOutputs(db).values()].map((o) => o.path), plan);
    // Every file with --verbose; else a line per group, and the removals counted.
    const removals = stale.map((p) => `remove ${relativeToRoot(plan.root, p)} (written by an earlier run, no longer needed)`);
    planLines = options.verbose
      ? [...renderPlan(plan), ...(enhanced?.planLines ?? []), ...removals]
      : [...renderPlanPreview(plan), ...(enhanced?.planLines ?? []), ...(stale.length > 0 ? [`${stale.length} file${stale.length === 1 ? '' : 's'} written by an earlier run would be removed (no longer needed; --verbose lists them).`] : [])];
  } else {
    applied = await timed('output', () => applyOutput(db, run.id, plan, sink, signal));
    errors.push(...applied.failed.map((f) => ({ path: f.path, stage: 'output' as const, message: `${f.target}: ${f.message}` })));
    for (const f of applied.failed) sink.note('problem', `${f.path}: ${f.message}`);
    if (applied.aborted) return interruptedSummary(base, timings);
  }

  const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.photo.id)));
  const byKind: Record<GroupKind, number> = { duplicate: 0, burst: 0, similar: 0 };
  for (const g of groups) byKind[g.kind]++;
  let report: WrittenReport | null = null;
  if (!options.dryRun) {
    report = await timed('report', async () => {
      const built = buildReport({
        generatedAt: new Date(),
        source,
        output,
        options: { ...options },
        groups,
        plan,
        ungrouped: grouping.photos.filter((p) => !grouped.has(p.id)).map((p) => relativeDisplay(source, p.path)),
        errors,
        timings,
      });
      return writeReport(output, built);
    });
    finishRun(db, run.id, new Date());
  }
  return {
    ...base,
    interrupted: false,
    groups: groups.length,
    byKind,
    grouped: grouped.size,
    errors,
    planLines,
    applied,
    report,
    timings,
    hdr: enhanced === null ? null : { brackets: enhanced.brackets, merged: enhanced.merged },
    stoppedIn: null,
    closeCalls: closeCalls(groups),
    faces: faces.analyzer === null ? null : countFaces(loadFaceAnalyses(db, [...grouped], faces.analyzer)),
  };
}

/** Photos with at least one face, and faces in all, among the analyses. */
function countFaces(analyses: ReadonlyMap<unknown, { readonly faces: readonly unknown[] }>): { photos: number; faces: number } {
  const withFaces = [...analyses.values()].filter((a) => a.faces.length > 0);
  return { photos: withFaces.length, faces: withFaces.reduce((n, a) => n + a.faces.length, 0) };
}

/**
 * Writes the plan: the destinations are journalled before any byte is written, so files of a
 * killed run are known as ours; files earlier runs wrote that this plan drops are removed.
 */
async function applyOutput(db: Db, runId: number, plan: OutputPlan, sink: ProgressSink, signal?: AbortSignal): Promise<ApplyResult> {
  const stale = staleOutputs([...loadOutputs(db).values()].map((o) => o.path), plan);
  const known = new Set([...plannedPaths(plan), ...stale].map((p) => displayPath(p)));
  for (const folder of await listGroupFolders(plan.root)) {
    const ours = [...known].some((p) => p.startsWith(`${plan.root}/${folder}/`));
    if (!ours) sink.note('notice', `Left ${folder} alone: this catalog did not create it`);
  }
  checkSpace(plan.root, await bytesToWrite(plan));
  sink.start('output', plan.operations.length + stale.length);
  try {
    return await applyJournalled(db, runId, plan, stale, { onProgress: (done, total) => sink.update(done, total), ...(signal ? { signal } : {}) });
  } finally {
    sink.finish();
  }
}

function interruptedSummary(
  base: Pick<RunSummary, 'source' | 'output' | 'catalog' | 'dryRun' | 'photos' | 'cached' | 'decoded'>,
  timings: Record<string, number>,
): RunSummary {
  return {
    ...base,
    interrupted: true,
    groups: 0,
    byKind: { duplicate: 0, burst: 0, similar: 0 },
    grouped: 0,
    errors: [],
    planLines: [],
    applied: null,
    report: null,
    timings,
    hdr: null,
    // The stage that was running: each stage adds its timing as it ends, stopped or not.
    stoppedIn: (Object.keys(timings).at(-1) as StageName | undefined) ?? null,
    closeCalls: [],
    faces: null,
  };
}
