/**
 * Waiting for the server's background work after a tag change. Immich v3 answers a tag request
 * at once, then writes the asset's XMP sidecar and re-extracts its metadata in background jobs;
 * the re-extraction moves the asset's `updatedAt`. Until it has run, another tag change of the
 * same asset can be lost (tag-waves.ts), so the applier waits here between waves: bounded in
 * time, and reporting the assets that did not settle instead of waiting forever.
 */
import type { ImmichClient } from '../client.js';
import { ImmichHttpError } from '../errors.js';
import { mapLimit } from '../../core/concurrency.js';

export interface SettleOptions {
  /** Longest wait for one wave's assets, in ms (default 60 s: a server busy with a large batch). */
  readonly timeoutMs: number;
  /** Between two looks at the assets still waiting, in ms (default 400). */
  readonly pollMs: number;
  /**
   * An asset whose change the server's answer could not confirm (a tag it may already have had:
   * then no job runs) counts as settled after this long without moving, in ms (default 3 s).
   */
  readonly quietMs: number;
}

export const DEFAULT_SETTLE: SettleOptions = { timeoutMs: 60_000, pollMs: 400, quietMs: 3_000 };

/** Parallel GET /api/assets/{id} while settling. */
const STAMP_CONCURRENCY = 4;

/**
 * `updatedAt` of each asset now. An asset the server no longer shows (deleted or trashed since
 * the plan: 400/404) is left out — there is nothing of it to wait for.
 */
export async function readStamps(client: ImmichClient, assets: readonly string[]): Promise<Map<string, string>> {
  const stamps = await mapLimit(assets, STAMP_CONCURRENCY, async (id) => {
    try {
      return await client.assetStamp(id);
    } catch (error) {
      if (error instanceof ImmichHttpError && (error.status === 400 || error.status === 404)) return null;
      throw error;
    }
  });
  return new Map(stamps.filter((s) => s !== null).map((s) => [s.id, s.updatedAt]));
}

export interface Awaited {
  /** Assets whose re-extraction was not seen within the time limit. */
  readonly unsettled: readonly string[];
}

/**
 * Waits until every asset of `before` has a new `updatedAt` (its sidecar was written and read
 * back). Assets in `unsure` may see no job at all: they also settle after `quietMs` unchanged.
 */
export async function awaitReextraction(
  client: ImmichClient,
  before: ReadonlyMap<string, string>,
  unsure: ReadonlySet<string>,
  options: SettleOptions,
  signal?: AbortSignal,
): Promise<Awaited> {
  const started = Date.now();
  let waiting = [...before.keys()];
  while (waiting.length > 0) {
    if (signal?.aborted === true) break;
    const elapsed = Date.now() - started;
    if (elapsed >= options.timeoutMs) break;
    await sleep(options.pollMs, signal);
    const now = await readStamps(client, waiting);
    const quiet = Date.now() - started >= options.quietMs;
    // Gone from `now`: no longer on the server, nothing to wait for.
    waiting = waiting.filter((id) => now.has(id) && now.get(id) === before.get(id) && !(quiet && unsure.has(id)));
  }
  return { unsettled: waiting };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
