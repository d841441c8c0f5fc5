/**
 * How each change reaches the server: journalled ahead (pending → done or failed) so that a killed
 * run knows what it may have done, in chunks of at most CHUNK photos, with creating requests
 * checked before a repeat and deletions that accept "already gone".
 */
import type { JournalOp, JournalStart } from '../../core/immich.js';
import { ImmichConnectionError, ImmichHttpError } from '../errors.js';

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

/** Read through a call so that TypeScript does not narrow the flag between two looks. */
export function stopped(ctx: { readonly signal?: AbortSignal | undefined }): boolean {
  return ctx.signal?.aborted === true;
}

/** A step that could not be taken for a reason of ours (a tag that was never created). */
export class StepError extends Error {
  override readonly name = 'StepError';
}

export interface StepResult {
  readonly entityId?: string;
  /** The assets the change really happened to (default: all of the entry's). */
  readonly assets?: readonly string[];
  /** Per-asset failures, reported after the entry is settled. */
  readonly failed?: ReadonlyMap<string, string>;
}

/** Journal ahead, make the request, settle the entry; failures of some assets fail the step after. */
export async function journalled(
  ctx: { readonly journal: Journal },
  start: JournalStart & { op: JournalOp },
  step: () => Promise<StepResult>,
): Promise<void> {
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

export function partial(chunk: readonly string[], failed: ReadonlyMap<string, string>): StepResult {
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
export async function ifUnclear<T>(create: () => Promise<T>, lookup: () => Promise<T | null>): Promise<T> {
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
export async function orGone(remove: () => Promise<void>, gone: () => Promise<boolean>): Promise<void> {
  try {
    await remove();
  } catch (e) {
    if (e instanceof ImmichHttpError && (e.status === 400 || e.status === 404) && (await gone())) return;
    throw e;
  }
}

export function chunks(assets: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < assets.length; i += CHUNK) out.push(assets.slice(i, i + CHUNK));
  return out;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
