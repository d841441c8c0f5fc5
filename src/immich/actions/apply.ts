/**
 * Carries out planned operations on the server, each one journalled ahead (pending → done or
 * failed), in chunks of at most CHUNK photos so that an interrupted run loses little and no
 * request grows without bound. One failing operation is recorded and the others go on. Creating
 * requests (albums, stacks) are not idempotent: after an unclear failure the server is asked
 * whether the thing exists before anything is repeated.
 */
import type { JournalOp, JournalStart } from '../../core/immich.js';
import { bulkFailures, type ImmichClient } from '../client.js';
import { ImmichConnectionError, ImmichError, ImmichHttpError } from '../errors.js';
import type { Operation } from './plan.js';
import { sameMembers } from './state.js';

/** Most photos per request. */
export const CHUNK = 500;

export interface Journal {
  begin(start: JournalStart): number;
  finish(entryId: number, state: 'done' | 'failed', details: { entityId?: string | null; message?: string | null; assets?: readonly string[] }): void;
}

export interface ApplyContext {
  readonly client: ImmichClient;
  readonly journal: Journal;
  /** Description given to albums this tool creates. */
  readonly albumDescription: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface OperationOutcome {
  readonly op: Operation;
  /** Null when it went through; else why not. */
  readonly error: string | null;
}

export interface ApplyResult {
  readonly outcomes: readonly OperationOutcome[];
  /** True when the signal stopped the run before every operation was tried. */
  readonly aborted: boolean;
}

export async function applyOperations(ops: readonly Operation[], ctx: ApplyContext): Promise<ApplyResult> {
  const createdTags = new Map<string, string>();
  const outcomes: OperationOutcome[] = [];
  for (const [i, op] of ops.entries()) {
    if (ctx.signal?.aborted === true) return { outcomes, aborted: true };
    let error: string | null = null;
    try {
      await applyOne(op, ctx, createdTags);
    } catch (e) {
      if (!(e instanceof ImmichError || e instanceof StepError)) throw e;
      error = e.message;
    }
    outcomes.push({ op, error });
    ctx.onProgress?.(i + 1, ops.length);
  }
  return { outcomes, aborted: false };
}

/** A step that could not be taken for a reason of ours (a tag that was never created). */
class StepError extends Error {
  override readonly name = 'StepError';
}

async function applyOne(op: Operation, ctx: ApplyContext, createdTags: Map<string, string>): Promise<void> {
  const { client } = ctx;
  switch (op.kind) {
    case 'create-tags': {
      const ids = op.values.map((value) => ctx.journal.begin({ op: 'create-tag', target: value, entityId: null, assets: [] }));
      try {
        const leaves = await client.upsertTags(op.values);
        const byValue = new Map(leaves.map((t) => [t.value, t.id]));
        op.values.forEach((value, k) => {
          const id = byValue.get(value);
          if (id !== undefined) createdTags.set(value, id);
          ctx.journal.finish(ids[k]!, id === undefined ? 'failed' : 'done', { entityId: id ?? null, message: id === undefined ? 'not in the answer' : null });
        });
      } catch (e) {
        for (const id of ids) ctx.journal.finish(id, 'failed', { message: messageOf(e) });
        throw e;
      }
      return;
    }
    case 'add-tag':
    case 'remove-tag': {
      const tagId = op.tagId ?? createdTags.get(op.value);
      if (tagId === undefined) throw new StepError(`tag ${op.value} was not created`);
      for (const chunk of chunks(op.assets)) {
        await journalled(ctx, { op: op.kind, target: op.value, entityId: tagId, assets: chunk }, async () => {
          if (op.kind === 'add-tag') {
            await client.tagAssets([tagId], chunk);
            return { assets: chunk };
          }
          const failed = new Map(bulkFailures(await client.untagAssets(tagId, chunk)).filter((f) => f.reason !== 'not_found').map((f) => [f.id, f.reason]));
          return partial(chunk, failed);
        });
      }
      return;
    }
    case 'delete-tag':
      await journalled(ctx, { op: 'delete-tag', target: op.value, entityId: op.tagId, assets: [] }, async () => {
        await orGone(() => client.deleteTag(op.tagId), async () => !(await client.allTags()).some((t) => t.id === op.tagId));
        return {};
      });
      return;
    case 'create-album': {
      const [first, ...rest] = chunks(op.assets);
      let albumId = '';
      await journalled(ctx, { op: 'create-album', target: op.name, entityId: null, assets: first ?? [] }, async () => {
        const album = await ifUnclear(
          () => client.createAlbum(op.name, first ?? [], ctx.albumDescription),
          async () => (await client.albums()).find((a) => a.albumName === op.name) ?? null,
        );
        albumId = album.id;
        return { entityId: album.id };
      });
      for (const chunk of rest) await addToAlbum(ctx, op.name, albumId, chunk);
      return;
    }
    case 'add-album':
      for (const chunk of chunks(op.assets)) await addToAlbum(ctx, op.name, op.albumId, chunk);
      return;
    case 'remove-album':
      for (const chunk of chunks(op.assets)) {
        await journalled(ctx, { op: 'remove-album', target: op.name, entityId: op.albumId, assets: chunk }, async () => {
          const failed = new Map(bulkFailures(await client.removeFromAlbum(op.albumId, chunk)).filter((f) => f.reason !== 'not_found').map((f) => [f.id, f.reason]));
          return partial(chunk, failed);
        });
      }
      return;
    case 'delete-album':
      await journalled(ctx, { op: 'delete-album', target: op.name, entityId: op.albumId, assets: [] }, async () => {
        await orGone(() => client.deleteAlbum(op.albumId), async () => !(await client.albums()).some((a) => a.id === op.albumId));
        return {};
      });
      return;
    case 'favorite':
    case 'unfavorite':
    case 'archive':
    case 'unarchive': {
      const update =
        op.kind === 'favorite' || op.kind === 'unfavorite'
          ? { isFavorite: op.kind === 'favorite' }
          : { visibility: op.kind === 'archive' ? ('archive' as const) : ('timeline' as const) };
      for (const chunk of chunks(op.assets)) {
        await journalled(ctx, { op: op.kind, target: '', entityId: null, assets: chunk }, async () => {
          await client.updateAssets(chunk, update);
          return { assets: chunk };
        });
      }
      return;
    }
    case 'create-stack':
      await journalled(ctx, { op: 'create-stack', target: op.assets[0] ?? '', entityId: null, assets: op.assets }, async () => {
        const stack = await ifUnclear(
          () => client.createStack(op.assets),
          async () => {
            const found = (await client.stacks()).find((s) => s.primaryAssetId === op.assets[0] && sameMembers(s.assets.map((a) => a.id), op.assets));
            return found ?? null;
          },
        );
        return { entityId: stack.id };
      });
      return;
    case 'delete-stack':
      await journalled(ctx, { op: 'delete-stack', target: op.assets[0] ?? '', entityId: op.stackId, assets: op.assets }, async () => {
        await orGone(() => client.deleteStack(op.stackId), async () => !(await client.stacks()).some((s) => s.id === op.stackId));
        return {};
      });
      return;
  }
}

async function addToAlbum(ctx: ApplyContext, name: string, albumId: string, chunk: readonly string[]): Promise<void> {
  await journalled(ctx, { op: 'add-album', target: name, entityId: albumId, assets: chunk }, async () => {
    const results = await ctx.client.addToAlbum(albumId, chunk);
    // `duplicate`: it was in the album before this request, so it is not ours to remove later.
    const already = new Set(results.filter((r) => !r.success && r.error === 'duplicate').map((r) => r.id));
    const failed = new Map(bulkFailures(results).map((f) => [f.id, f.reason]));
    const done = partial(chunk.filter((a) => !already.has(a)), failed);
    return done;
  });
}

interface StepResult {
  readonly entityId?: string;
  /** The assets the change really happened to (default: all of the entry's). */
  readonly assets?: readonly string[];
  /** Per-asset failures, reported after the entry is settled. */
  readonly failed?: ReadonlyMap<string, string>;
}

/** Journal ahead, make the request, settle the entry; failures of some assets fail the step after. */
async function journalled(ctx: ApplyContext, start: JournalStart & { op: JournalOp }, step: () => Promise<StepResult>): Promise<void> {
  const entry = ctx.journal.begin(start);
  let result: StepResult;
  try {
    result = await step();
  } catch (e) {
    ctx.journal.finish(entry, 'failed', { message: messageOf(e) });
    throw e;
  }
  const assets = result.assets ?? start.assets;
  ctx.journal.finish(entry, assets.length > 0 || start.assets.length === 0 ? 'done' : 'failed', {
    entityId: result.entityId ?? null,
    assets,
    ...(result.failed && result.failed.size > 0 ? { message: describeFailures(result.failed) } : {}),
  });
  if (result.failed && result.failed.size > 0) throw new StepError(describeFailures(result.failed));
}

function partial(chunk: readonly string[], failed: ReadonlyMap<string, string>): StepResult {
  return { assets: chunk.filter((a) => !failed.has(a)), failed };
}

function describeFailures(failed: ReadonlyMap<string, string>): string {
  const items = [...failed.entries()].slice(0, 5).map(([id, why]) => `${id}: ${why}`);
  return `${failed.size} photo${failed.size === 1 ? '' : 's'} refused (${items.join('; ')}${failed.size > 5 ? '; …' : ''})`;
}

/**
 * A creating request whose failure leaves it unclear whether the server acted (5xx, reset,
 * timeout): asks `lookup` before giving up, so a retry never makes a second album or stack.
 */
async function ifUnclear<T>(create: () => Promise<T>, lookup: () => Promise<T | null>): Promise<T> {
  try {
    return await create();
  } catch (e) {
    const unclear = (e instanceof ImmichHttpError && e.status >= 500) || (e instanceof ImmichConnectionError && e.code !== 'ABORTED' && e.code !== 'ECONNREFUSED');
    if (!unclear) throw e;
    const found = await lookup();
    if (found !== null) return found;
    return create();
  }
}

/** A deletion answered 400/404 is fine when the thing is gone (an earlier attempt removed it). */
async function orGone(remove: () => Promise<void>, gone: () => Promise<boolean>): Promise<void> {
  try {
    await remove();
  } catch (e) {
    if (e instanceof ImmichHttpError && (e.status === 400 || e.status === 404) && (await gone())) return;
    throw e;
  }
}

function chunks(assets: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < assets.length; i += CHUNK) out.push(assets.slice(i, i + CHUNK));
  return out;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
