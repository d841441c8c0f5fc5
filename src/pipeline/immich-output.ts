/**
 * The local tree of an Immich run (with -o): the groups' pictures from the cache (downloaded
 * again if the cap evicted them), planned and written exactly like a folder run's tree.
 */
import { statSync } from 'node:fs';
import type { Db } from '../catalog/database.js';
import { forgetOutputs, loadOutputs, recordOutputs } from '../catalog/runs.js';
import { type ApplyResult, applyPlan } from '../output/apply.js';
import { type OutputPlan, planOutput, renderPlan, staleOutputs } from '../output/plan.js';
import { type NumberedGroup, photoOf } from './immich-groups.js';
import { cacheKey, type PictureContext, pictureFile } from './immich-pictures.js';
import type { StageTimer } from './immich-run.js';
import type { ProgressSink } from './progress.js';

export interface OutputTree {
  readonly plan: OutputPlan | null;
  readonly applied: ApplyResult | null;
  /** Dry run: the plan's lines. */
  readonly lines: readonly string[];
}

export interface TreeContext {
  readonly db: Db;
  readonly runId: number;
  readonly pictures: Omit<PictureContext, 'db' | 'threads' | 'sink'>;
  readonly sink: ProgressSink;
  readonly dryRun: boolean;
  readonly timed: StageTimer;
  readonly signal?: AbortSignal;
}

export async function writeTree(ctx: TreeContext, outputRoot: string, groups: readonly NumberedGroup[], nameOf: (assetId: string) => string): Promise<OutputTree> {
  return withTreePlan(ctx.pictures, outputRoot, groups, nameOf, async (plan) => {
    if (ctx.dryRun) return { plan, applied: null, lines: renderPlan(plan) };
    const applied = await ctx.timed('output', () => applyOutput(ctx.db, ctx.runId, plan, ctx.sink, ctx.signal));
    return { plan, applied, lines: [] };
  });
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
): Promise<T> {
  const assets = new Map(groups.flatMap((g) => g.members.map((m) => [m.asset.id, m.asset] as const)));
  const files = new Map<number, { path: string; size: number; mtimeMs: number }>();
  try {
    for (const asset of assets.values()) {
      const path = await pictureFile(pictures, asset);
      const st = statSync(path);
      files.set(asset.id, { path, size: st.size, mtimeMs: st.mtimeMs });
    }
    const plan = planOutput({
      outputRoot,
      groups: groups.map((g) => ({
        number: g.number,
        photos: g.members.map((m) => {
          const f = files.get(m.asset.id)!;
          return { photo: photoOf(m.asset, f.path, nameOf(m.asset.assetId), f.size, f.mtimeMs), decision: m.decision };
        }),
      })),
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
  recordOutputs(db, runId, plan.operations.map((op) => ({ path: op.to, size: op.kind === 'copy' ? op.size : Buffer.byteLength(op.content) })));
  sink.start('output', plan.operations.length + stale.length);
  try {
    const result = await applyPlan(plan, { stale, trustMtime: true, onProgress: (done, total) => sink.update(done, total), ...(signal ? { signal } : {}) });
    if (!result.aborted) forgetOutputs(db, stale);
    for (const f of result.failed) sink.note('problem', `${f.path}: ${f.message}`);
    return result;
  } finally {
    sink.finish();
  }
}
