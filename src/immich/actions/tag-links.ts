/**
 * Tag links go in waves (tag-waves.ts): one request per asset per wave, the server's sidecar write
 * and re-extraction awaited between waves (settle.ts), so that a later wave never races the
 * metadata job of an earlier one.
 */
import { bulkFailures } from '../client.js';
import { ImmichError } from '../errors.js';
import type { ApplyContext } from './apply.js';
import { chunks, journalled, messageOf, partial, StepError, stopped } from './journalled.js';
import type { Operation } from './plan.js';
import { awaitReextraction, DEFAULT_SETTLE, readStamps } from './settle.js';
import { type TagChange, type TagRequest, tagWaves } from './tag-waves.js';

export type TagLinkOp = Extract<Operation, { kind: 'add-tag' | 'remove-tag' }>;

export function isTagLink(op: Operation): op is TagLinkOp {
  return op.kind === 'add-tag' || op.kind === 'remove-tag';
}

/**
 * The tag-link operations as waves of requests, each wave settled before the next. Answers the
 * error of each operation that failed (in any of its requests).
 */
export async function applyTagLinks(
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
