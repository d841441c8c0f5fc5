/**
 * The output tree sink: the groups' pictures (the files themselves, or an Immich source's cached
 * or downloaded pictures, held meanwhile) planned into group folders — with HDR merges of
 * brackets under --enable-hdr — and written with a journal: destinations are recorded before any
 * byte is written, so files of a killed run are known as ours, and files earlier runs wrote that
 * the plan no longer needs are removed. A dry run returns the plan's lines instead.
 */
import type { Db } from '../../catalog/database.js';
import { loadOutputs } from '../../catalog/runs.js';
import { displayPath } from '../../core/paths.js';
import type { Decision, FsPath, GroupKind, Photo, PhotoError, PhotoId } from '../../core/types.js';
import { type ApplyResult, listGroupFolders } from '../../output/apply.js';
import { applyJournalled } from '../../output/journal.js';
import {
  type CompanionFile,
  type ExtraFile,
  type OutputPlan,
  planOutput,
  plannedPaths,
  relativeToRoot,
  renderPlan,
  renderPlanPreview,
  staleOutputs,
} from '../../output/plan.js';
import { bytesToWrite, checkSpace } from '../../output/preflight.js';
import type { PhotoSource } from '../../sources/source.js';
import type { ProgressSink, StageName } from '../progress.js';
import { enhanceStage } from '../stages/enhance.js';
import { type SwapStageResult, swapStage } from '../stages/face-swap.js';
import type { SelectedGroup } from '../stages/select.js';

/** Runs one stage, recording it in the catalog and timing it. */
export type StageTimer = <T>(stage: StageName, work: () => Promise<T> | T) => Promise<T>;

export interface TreeContext {
  readonly db: Db;
  readonly runId: number;
  readonly source: PhotoSource;
  readonly root: string;
  readonly dryRun: boolean;
  /** A dry run lists every file; else a line per group. */
  readonly verbose: boolean;
  /** With --enable-hdr: the catalog (merges are kept next to it), the gamma and the threads. */
  readonly hdr: { readonly catalog: string; readonly gamma: number; readonly threads: number } | null;
  /** With --enable-face-swap: the catalog (swaps are kept next to it) and the analyzer whose faces it holds. */
  readonly swap: { readonly catalog: string; readonly analyzer: string | null } | null;
  readonly timed: StageTimer;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface TreeResult {
  readonly plan: OutputPlan;
  /** Null on a dry run. */
  readonly applied: ApplyResult | null;
  /** Dry run: the plan, one line per operation. */
  readonly lines: readonly string[];
  /** With --enable-hdr: brackets found, merges made now, and brackets that could not be merged. */
  readonly hdr: { readonly brackets: number; readonly merged: number } | null;
  /** With --enable-face-swap: what the swaps did (see stages/face-swap.ts). */
  readonly swap: Omit<SwapStageResult, 'extras' | 'problems' | 'planLines'> | null;
  readonly problems: readonly PhotoError[];
}

/** A group with its members as Photo records of their picture files, as the planner takes them. */
export interface PhotoGroup {
  readonly number: number;
  readonly kind: GroupKind;
  readonly members: readonly { readonly photo: Photo; readonly decision: Decision; readonly companion?: CompanionFile }[];
}

export async function writeTree(ctx: TreeContext, groups: readonly SelectedGroup[]): Promise<TreeResult> {
  return withPictures(ctx.source, groups, async (photoGroups) => {
    const { hdr } = ctx;
    const enhanced =
      hdr === null
        ? null
        : await ctx.timed('enhance', () =>
            enhanceStage({
              catalog: hdr.catalog,
              groups: photoGroups,
              gamma: hdr.gamma,
              threads: hdr.threads,
              dryRun: ctx.dryRun,
              sink: ctx.sink,
              ...(ctx.signal ? { signal: ctx.signal } : {}),
            }),
          );
    const { swap } = ctx;
    const swapped =
      swap === null
        ? null
        : await ctx.timed('swap', () =>
            swapStage({
              db: ctx.db,
              catalog: swap.catalog,
              analyzer: swap.analyzer,
              groups: photoGroups,
              dryRun: ctx.dryRun,
              sink: ctx.sink,
              ...(ctx.signal ? { signal: ctx.signal } : {}),
            }),
          );
    const extrasOf = (n: number): ExtraFile[] => [...(enhanced?.extras.get(n) ?? []), ...(swapped?.extras.get(n) ?? [])];
    const plan = planOutput({
      outputRoot: ctx.root,
      groups: photoGroups.map((g) => ({ number: g.number, kind: g.kind, photos: g.members, extras: extrasOf(g.number) })),
    });
    const hdrCounts = enhanced === null ? null : { brackets: enhanced.brackets, merged: enhanced.merged };
    const swapCounts =
      swapped === null
        ? null
        : { blinking: swapped.blinking, planned: swapped.planned, swapped: swapped.swapped, made: swapped.made, people: swapped.people };
    const problems: PhotoError[] = [...(enhanced?.problems ?? []), ...(swapped?.problems ?? [])];
    const enhanceLines = [...(enhanced?.planLines ?? []), ...(swapped?.planLines ?? [])];
    const stale = staleOutputs(
      [...loadOutputs(ctx.db).values()].map((o) => o.path),
      plan,
    );
    if (ctx.dryRun) {
      const removals = stale.map((p) => `remove ${relativeToRoot(plan.root, p)} (written by an earlier run, no longer needed)`);
      const removed =
        stale.length > 0
          ? [
              `${stale.length} file${stale.length === 1 ? '' : 's'} written by an earlier run would be removed (no longer needed; --verbose lists them).`,
            ]
          : [];
      const lines = ctx.verbose
        ? [...renderPlan(plan), ...enhanceLines, ...removals]
        : [...renderPlanPreview(plan), ...enhanceLines, ...removed];
      return { plan, applied: null, lines, hdr: hdrCounts, swap: swapCounts, problems };
    }
    const applied = await ctx.timed('output', () => apply(ctx, plan, stale));
    for (const f of applied.failed) {
      ctx.sink.note('problem', `${f.path}: ${f.message}`);
      problems.push({ path: f.path, stage: 'output', message: `${f.target}: ${f.message}` });
    }
    return { plan, applied, lines: [], hdr: hdrCounts, swap: swapCounts, problems };
  });
}

/**
 * Opens the pictures of the groups' members, hands the groups as Photo records of those files to
 * `use`, and releases the pictures afterwards (a cache cannot evict them while they are copied).
 */
export async function withPictures<T>(
  source: PhotoSource,
  groups: readonly SelectedGroup[],
  use: (groups: PhotoGroup[]) => Promise<T>,
): Promise<T> {
  const items = new Map(groups.flatMap((g) => g.members.map((m) => [m.photo.id, m.photo] as const)));
  const files = new Map<PhotoId, Photo>();
  const companions = new Map<PhotoId, CompanionFile>();
  try {
    for (const item of items.values()) {
      const picture = await source.open(item);
      files.set(item.id, { ...item, path: picture.path, relativePath: source.name(item), size: picture.size, mtimeMs: picture.mtimeMs });
      const motion = (await source.companion?.(item)) ?? null;
      if (motion !== null) companions.set(item.id, { path: motion.path, size: motion.size, mtimeMs: motion.mtimeMs });
    }
    return await use(
      groups.map((g) => ({
        number: g.number,
        kind: g.kind,
        members: g.members.map((m) => {
          const companion = companions.get(m.photo.id);
          return { photo: files.get(m.photo.id)!, decision: m.decision, ...(companion === undefined ? {} : { companion }) };
        }),
      })),
    );
  } finally {
    for (const id of files.keys()) source.release(items.get(id)!);
    await source.settle();
  }
}

async function apply(ctx: TreeContext, plan: OutputPlan, stale: readonly FsPath[]): Promise<ApplyResult> {
  const known = new Set([...plannedPaths(plan), ...stale].map((p) => displayPath(p)));
  for (const folder of await listGroupFolders(plan.root)) {
    const ours = [...known].some((p) => p.startsWith(`${plan.root}/${folder}/`));
    if (!ours) ctx.sink.note('notice', `Left ${folder} alone: this catalog did not create it`);
  }
  checkSpace(plan.root, await bytesToWrite(plan));
  ctx.sink.start('output', plan.operations.length + stale.length);
  try {
    return await applyJournalled(ctx.db, ctx.runId, plan, stale, {
      onProgress: (done, total) => ctx.sink.update(done, total),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } finally {
    ctx.sink.finish();
  }
}
