/**
 * The local tree of an Immich run (with -o): the groups' pictures from the cache (downloaded
 * again if the cap evicted them), planned and written exactly like a folder run's tree, HDR
 * merges of brackets included (--enable-hdr).
 */
import { statSync } from 'node:fs';
import type { Db } from '../catalog/database.js';
import { loadOutputs } from '../catalog/runs.js';
import type { ApplyResult } from '../output/apply.js';
import { applyJournalled } from '../output/journal.js';
import { type ExtraFile, type OutputPlan, planOutput, renderPlan, staleOutputs } from '../output/plan.js';
import type { Decision, Photo, PhotoError } from '../core/types.js';
import { type NumberedGroup, photoOf } from './immich-groups.js';
import { cacheKey, type PictureContext, pictureFile } from './immich-pictures.js';
import type { StageTimer } from './immich-run.js';
import { enhanceStage } from './stages/enhance.js';
import type { ProgressSink } from './progress.js';

export interface OutputTree {
  readonly plan: OutputPlan | null;
  readonly applied: ApplyResult | null;
  /** Dry run: the plan's lines. */
  readonly lines: readonly string[];
  /** With --enable-hdr: brackets found, merges made now, and brackets that could not be merged. */
  readonly hdr: { readonly brackets: number; readonly merged: number; readonly problems: readonly PhotoError[] } | null;
}

export interface TreeContext {
  readonly db: Db;
  readonly runId: number;
  readonly pictures: Omit<PictureContext, 'db' | 'threads' | 'sink'>;
  readonly sink: ProgressSink;
  readonly dryRun: boolean;
  readonly timed: StageTimer;
  readonly signal?: AbortSignal;
  /** With --enable-hdr: the catalog (merges are kept next to it), the gamma and the threads. */
  readonly hdr: { readonly catalog: string; readonly gamma: number; readonly threads: number } | null;
}

/** A group with its members as Photo records of their picture files, as the planner takes them. */
export interface PhotoGroup {
  readonly number: number;
  readonly members: readonly { readonly photo: Photo; readonly decision: Decision }[];
}

/** Files made for the groups (HDR merges), by group number. */
export type GroupExtras = (groups: readonly PhotoGroup[]) => Promise<ReadonlyMap<number, readonly ExtraFile[]>>;

export async function writeTree(ctx: TreeContext, outputRoot: string, groups: readonly NumberedGroup[], nameOf: (assetId: string) => string): Promise<OutputTree> {
  const hdr = ctx.hdr;
  let hdrLines: readonly string[] = [];
  let hdrResult: OutputTree['hdr'] = null;
  const extras: GroupExtras | undefined =
    hdr === null
      ? undefined
      : async (photoGroups) => {
          const made = await ctx.timed('enhance', () =>
            enhanceStage({ catalog: hdr.catalog, groups: photoGroups, gamma: hdr.gamma, threads: hdr.threads, dryRun: ctx.dryRun, sink: ctx.sink, ...(ctx.signal ? { signal: ctx.signal } : {}) }),
          );
          hdrLines = made.planLines;
          hdrResult = { brackets: made.brackets, merged: made.merged, problems: made.problems };
          return made.extras;
        };
  return withTreePlan(
    ctx.pictures,
    outputRoot,
    groups,
    nameOf,
    async (plan) => {
      if (ctx.dryRun) return { plan, applied: null, lines: [...renderPlan(plan), ...hdrLines], hdr: hdrResult };
      const applied = await ctx.timed('output', () => applyOutput(ctx.db, ctx.runId, plan, ctx.sink, ctx.signal));
      return { plan, applied, lines: [], hdr: hdrResult };
    },
    extras,
  );
}

/**
 * Plans the tree of `groups` from their pictures (from the cache, or downloaded into it) and
 * hands the plan to `use`; the pictures stay pinned meanwhile, so the cap cannot evict the tree's
 * sources before they are copied.
 */
export async function withTreePlan<T>(
  pictures: TreeContext['pictures'],
  outputRoot: string,
  groups: readonly NumberedGroup[],
  nameOf: (assetId: string) => string,
  use: (plan: OutputPlan) => Promise<T>,
  extras?: GroupExtras,
): Promise<T> {
  const assets = new Map(groups.flatMap((g) => g.members.map((m) => [m.asset.id, m.asset] as const)));
  const files = new Map<number, { path: string; size: number; mtimeMs: number }>();
  try {
    for (const asset of assets.values()) {
      const path = await pictureFile(pictures, asset);
      const st = statSync(path);
      files.set(asset.id, { path, size: st.size, mtimeMs: st.mtimeMs });
    }
    const photoGroups: PhotoGroup[] = groups.map((g) => ({
      number: g.number,
      members: g.members.map((m) => {
        const f = files.get(m.asset.id)!;
        return { photo: photoOf(m.asset, f.path, nameOf(m.asset.assetId), f.size, f.mtimeMs), decision: m.decision };
      }),
    }));
    const made = extras === undefined ? new Map<number, readonly ExtraFile[]>() : await extras(photoGroups);
    // metadata.txt names each group's kind in its header, as a folder run's does.
    const kinds = new Map(groups.map((g) => [g.number, g.kind] as const));
    const plan = planOutput({
      outputRoot,
      groups: photoGroups.map((g) => {
        const kind = kinds.get(g.number);
        return { number: g.number, ...(kind === undefined ? {} : { kind }), photos: g.members, extras: made.get(g.number) ?? [] };
      }),
    });
    return await use(plan);
  } finally {
    for (const id of files.keys()) pictures.cache.unpin(cacheKey(assets.get(id)!, pictures.kind));
    // Held past the cap while being copied; back under it now.
    await pictures.cache.trim();
  }
}

/** Like a folder run: destinations journalled before writing, stale files of earlier runs removed. */
async function applyOutput(db: Db, runId: number, plan: OutputPlan, sink: ProgressSink, signal?: AbortSignal): Promise<ApplyResult> {
  const stale = staleOutputs([...loadOutputs(db).values()].map((o) => o.path), plan);
  sink.start('output', plan.operations.length + stale.length);
  try {
    const result = await applyJournalled(db, runId, plan, stale, { onProgress: (done, total) => sink.update(done, total), ...(signal ? { signal } : {}) });
    for (const f of result.failed) sink.note('problem', `${f.path}: ${f.message}`);
    return result;
  } finally {
    sink.finish();
  }
}
