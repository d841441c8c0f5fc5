/**
 * Carries out planned operations on the server, each one journalled ahead (pending → done or
 * failed), in chunks of at most CHUNK photos so that an interrupted run loses little and no
 * request grows without bound. One failing operation is recorded and the others go on. Creating
 * requests (albums, stacks) are not idempotent: after an unclear failure the server is asked
 * whether the thing exists before anything is repeated.
 *
 * Order: tags are created, linked in settled waves (tag-links.ts), deleted only once no photo
 * carries them — then the other operations, in plan order, on a settled server.
 */
import { bulkFailures, type ImmichClient } from '../client.js';
import { ImmichError } from '../errors.js';
import type { Operation } from './plan.js';
import type { SettleOptions } from './settle.js';
import { sameMembers } from './state.js';
import { chunks, ifUnclear, type Journal, journalled, messageOf, orGone, partial, StepError, stopped } from './journalled.js';
import { applyTagLinks, isTagLink } from './tag-links.js';

export type { Journal } from './journalled.js';

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
