/**
 * Carries out planned operations on the server, each one journalled ahead (pending → done or
 * failed), in chunks of at most CHUNK photos so that an interrupted run loses little and no
 * request grows without bound. One failing operation is recorded and the others go on. Creating
 * requests (albums, stacks) are not idempotent: after an unclear failure the server is asked
 * whether the thing exists before anything is repeated.
 *
 * Tag links go in waves (tag-waves.ts): one request per asset per wave, the server's sidecar
 * write and re-extraction awaited between waves (settle.ts), a tag deleted only once no photo
 * carries it — then the other operations, in plan order, on a settled server.
 */
import type { JournalOp, JournalStart } from '../../core/immich.js';
import { bulkFailures, type ImmichClient } from '../client.js';
import { ImmichConnectionError, ImmichError, ImmichHttpError } from '../errors.js';
import type { Operation } from './plan.js';
import { awaitReextraction, DEFAULT_SETTLE, readStamps, type SettleOptions } from './settle.js';
import { sameMembers } from './state.js';
import { type TagChange, type TagRequest, tagWaves } from './tag-waves.js';

/** Most photos per request. */
export const CHUNK = 500;

export interface Journal {
  begin(start: JournalStart): number;
  finish(
    entryId: number,
    state: 'done' | 'failed',
    details: { entityId?: string | null; message?: string | null; assets?: readonly string[] },
  ): void;
}

export interface ApplyContext {
  readonly client: ImmichClient;
  readonly journal: Journal;
  /** Description given to albums this tool creates. */
  readonly albumDescription: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
  /** How long to wait for the server's background work between tag waves (DEFAULT_SETTLE). */
  readonly settle?: SettleOptions;
  /** Told of photos the server was still busy with when the wait ran out. */
  readonly onNotice?: (message: string) => void;
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

type TagLinkOp = Extract<Operation, { kind: 'add-tag' | 'remove-tag' }>;

function isTagLink(op: Operation): op is TagLinkOp {
  return op.kind === 'add-tag' || op.kind === 'remove-tag';
}

export async function applyOperations(ops: readonly Operation[], ctx: ApplyContext): Promise<ApplyResult> {
  const createdTags = new Map<string, string>();
  const outcomes: OperationOutcome[] = [];
  let done = 0;
  const one = async (op: Operation): Promise<void> => {
    let error: string | null = null;
    try {
      await applyOne(op, ctx, createdTags);
    } catch (e) {
      if (!(e instanceof ImmichError || e instanceof StepError)) throw e;
      error = e.message;
    }
    outcomes.push({ op, error });
    ctx.onProgress?.(++done, ops.length);
  };
  /** Each operation in turn; false when the signal stopped it first. */
  const inTurn = async (list: readonly Operation[]): Promise<boolean> => {
    for (const op of list) {
      if (stopped(ctx)) return false;
      await one(op);
    }
    return true;
  };
  const links = ops.filter(isTagLink);
  // Tags first (they must exist before their links), then the links in settled waves, then
  // deletions of tags nobody carries any more, then everything else in plan order.
  if (!(await inTurn(ops.filter((op) => op.kind === 'create-tags')))) return { outcomes, aborted: true };
  if (links.length > 0) {
    if (stopped(ctx)) return { outcomes, aborted: true };
    const errors = await applyTagLinks(links, ctx, createdTags);
    for (const op of links) {
      outcomes.push({ op, error: errors.get(op) ?? null });
      ctx.onProgress?.(++done, ops.length);
    }
    // Stopped between waves: the links not sent are left for the next run to plan again.
    if (stopped(ctx)) return { outcomes, aborted: true };
  }
  if (!(await inTurn(ops.filter((op) => op.kind === 'delete-tag')))) return { outcomes, aborted: true };
  const rest = ops.filter((op) => op.kind !== 'create-tags' && op.kind !== 'delete-tag' && !isTagLink(op));
  if (!(await inTurn(rest))) return { outcomes, aborted: true };
  return { outcomes, aborted: false };
}

/**
 * The tag-link operations as waves of requests, each wave settled before the next. Answers the
 * error of each operation that failed (in any of its requests).
 */
async function applyTagLinks(
  ops: readonly TagLinkOp[],
  ctx: ApplyContext,
  createdTags: ReadonlyMap<string, string>,
): Promise<Map<TagLinkOp, string>> {
  const errors = new Map<TagLinkOp, string>();
  const changes: TagChange[] = [];
  const opOf = new Map<string, TagLinkOp>();
  for (const op of ops) {
    const tagId = op.tagId ?? createdTags.get(op.value);
    if (tagId === undefined) {
      errors.set(op, `tag ${op.value} was not created`);
      continue;
    }
    const kind = op.kind === 'add-tag' ? 'add' : 'remove';
    opOf.set(`${kind}\n${op.value}`, op);
    changes.push({ kind, tag: { value: op.value, tagId }, assets: op.assets });
  }
  const fail = (kind: 'add' | 'remove', value: string, message: string): void => {
    const op = opOf.get(`${kind}\n${value}`);
    if (op && !errors.has(op)) errors.set(op, message);
  };
  const settle = ctx.settle ?? DEFAULT_SETTLE;
  for (const wave of tagWaves(changes)) {
    if (stopped(ctx)) break;
    const assets = [...new Set(wave.flatMap((r) => r.assets))];
    const before = await readStamps(ctx.client, assets);
    // Assets whose change the answer does not confirm: they may never see a job.
    const unsure = new Set<string>();
    const moved = new Set<string>();
    for (const request of wave) {
      for (const chunk of chunks(request.assets)) {
        if (stopped(ctx)) break;
        try {
          const changed = await tagRequest(ctx, request, chunk);
          for (const a of changed.sure) moved.add(a);
          for (const a of changed.unsure) unsure.add(a);
        } catch (e) {
          if (!(e instanceof ImmichError || e instanceof StepError)) throw e;
          if (request.kind === 'add') for (const t of request.tags) fail('add', t.value, e.message);
          else fail('remove', request.tag.value, e.message);
        }
      }
    }
    const watched = new Map([...before].filter(([id]) => moved.has(id) || unsure.has(id)));
    const { unsettled } = await awaitReextraction(ctx.client, watched, unsure, settle, ctx.signal);
    if (unsettled.length > 0 && !stopped(ctx)) {
      ctx.onNotice?.(
        `Immich had not finished writing the tags of ${unsettled.length} photo${unsettled.length === 1 ? '' : 's'} to their sidecars after ${Math.round(settle.timeoutMs / 1000)} s; going on (the check at the end shows what stuck).`,
      );
    }
  }
  return errors;
}

/** One tag request, journalled per tag value; answers which assets it surely or maybe changed. */
async function tagRequest(
  ctx: ApplyContext,
  request: TagRequest,
  chunk: readonly string[],
): Promise<{ sure: readonly string[]; unsure: readonly string[] }> {
  const { client } = ctx;
  if (request.kind === 'remove') {
    let sure: readonly string[] = [];
    await journalled(ctx, { op: 'remove-tag', target: request.tag.value, entityId: request.tag.tagId, assets: chunk }, async () => {
      const results = await client.untagAssets(request.tag.tagId, chunk);
      // Only a link really removed queues a sidecar write.
      sure = results.filter((r) => r.success).map((r) => r.id);
      const failed = new Map(
        bulkFailures(results)
          .filter((f) => f.reason !== 'not_found')
          .map((f) => [f.id, f.reason]),
      );
      return partial(chunk, failed);
    });
    return { sure, unsure: [] };
  }
  const entries = request.tags.map((t) => ctx.journal.begin({ op: 'add-tag', target: t.value, entityId: t.tagId, assets: chunk }));
  let count: number;
  try {
    ({ count } = await client.tagAssets(
      request.tags.map((t) => t.tagId),
      chunk,
    ));
  } catch (e) {
    for (const id of entries) ctx.journal.finish(id, 'failed', { message: messageOf(e) });
    throw e;
  }
  for (const id of entries) ctx.journal.finish(id, 'done', { assets: chunk });
  // Every link new: every asset gets its job. Fewer: some had a tag already and may get none.
  return count >= request.tags.length * chunk.length ? { sure: chunk, unsure: [] } : { sure: [], unsure: chunk };
}

/** Read through a call so that TypeScript does not narrow the flag between two looks. */
function stopped(ctx: ApplyContext): boolean {
  return ctx.signal?.aborted === true;
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
          ctx.journal.finish(ids[k]!, id === undefined ? 'failed' : 'done', {
            entityId: id ?? null,
            message: id === undefined ? 'not in the answer' : null,
          });
        });
      } catch (e) {
        for (const id of ids) ctx.journal.finish(id, 'failed', { message: messageOf(e) });
        throw e;
      }
      return;
    }
    case 'add-tag':
    case 'remove-tag':
      throw new StepError(`${op.kind} ${op.value} belongs to the tag waves`);
    case 'delete-tag':
      await journalled(ctx, { op: 'delete-tag', target: op.value, entityId: op.tagId, assets: [] }, async () => {
        // DELETE /api/tags/{id} leaves the sidecars as they are (Immich v3.1.0): a tag still on a
        // photo would come back at its next metadata extraction. Only an empty tag goes.
        const carriers = await client.searchMetadata({ tagIds: [op.tagId], size: 1, withExif: false });
        if (carriers.assets.items.length > 0) throw new StepError(`tag ${op.value} is still on photos; not deleted`);
        await orGone(
          () => client.deleteTag(op.tagId),
          async () => !(await client.allTags()).some((t) => t.id === op.tagId),
        );
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
          const failed = new Map(
            bulkFailures(await client.removeFromAlbum(op.albumId, chunk))
              .filter((f) => f.reason !== 'not_found')
              .map((f) => [f.id, f.reason]),
          );
          return partial(chunk, failed);
        });
      }
      return;
    case 'delete-album':
      await journalled(ctx, { op: 'delete-album', target: op.name, entityId: op.albumId, assets: [] }, async () => {
        await orGone(
          () => client.deleteAlbum(op.albumId),
          async () => !(await client.albums()).some((a) => a.id === op.albumId),
        );
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
            const found = (await client.stacks()).find(
              (s) =>
                s.primaryAssetId === op.assets[0] &&
                sameMembers(
                  s.assets.map((a) => a.id),
                  op.assets,
                ),
            );
            return found ?? null;
          },
        );
        return { entityId: stack.id };
      });
      return;
    case 'delete-stack':
      await journalled(ctx, { op: 'delete-stack', target: op.assets[0] ?? '', entityId: op.stackId, assets: op.assets }, async () => {
        await orGone(
          () => client.deleteStack(op.stackId),
          async () => !(await client.stacks()).some((s) => s.id === op.stackId),
        );
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
    const done = partial(
      chunk.filter((a) => !already.has(a)),
      failed,
    );
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
    const unclear =
      (e instanceof ImmichHttpError && e.status >= 500) ||
      (e instanceof ImmichConnectionError && e.code !== 'ABORTED' && e.code !== 'ECONNREFUSED');
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
