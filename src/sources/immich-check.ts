/**
 * A quick look at an Immich server before a run, for the interactive setup: can we reach it,
 * which version does it run, and does the key open it. Two read-only requests, no catalog.
 */
import { ImmichError } from '../immich/errors.js';
import { ImmichClient } from '../immich/client.js';
import { checkServerVersion } from './immich.js';

export interface ServerCheckInput {
  readonly url: string;
  readonly apiKey: string;
  readonly verifySsl: boolean;
  /** Per request; default 15 s, short enough for someone waiting at a prompt. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type ServerCheck =
  | {
      readonly ok: true;
      /** `v3.1.0` */
      readonly version: string;
      /** The address the API answered at (`…/api`). */
      readonly server: string;
      /** Who the key belongs to: `name <email>`. */
      readonly user: string;
      /** Another minor version than this build's: it still runs, with this notice. */
      readonly warning: string | null;
    }
  | {
      readonly ok: false;
      /** The server's version when it got that far (the version route needs no key). */
      readonly version: string | null;
      /** One line, never containing the key. */
      readonly message: string;
    };

/**
 * Reads `GET /api/server/version` (public) then `GET /api/users/me` (needs the key), with one
 * retry at most: a person is waiting. Failures are returned, not thrown; only cancellation
 * through `signal` throws.
 */
export async function checkImmichServer(input: ServerCheckInput): Promise<ServerCheck> {
  let client: ImmichClient;
  try {
    client = new ImmichClient({
      url: input.url,
      apiKey: input.apiKey,
      verifyTls: input.verifySsl,
      timeoutMs: input.timeoutMs ?? 15_000,
      retry: { attempts: 2, baseDelayMs: 300, maxDelayMs: 1000 },
      ...(input.signal ? { signal: input.signal } : {}),
    });
  } catch (error) {
    if (error instanceof RangeError) return { ok: false, version: null, message: error.message };
    throw error;
  }
  let version: string | null = null;
  try {
    const v = await client.serverVersion();
    version = `v${v.major}.${v.minor}.${v.patch}`;
    const warning = checkServerVersion(v, client.baseUrl);
    const me = await client.me();
    const user = me.name !== '' ? `${me.name} <${me.email}>` : me.email;
    return { ok: true, version, server: client.baseUrl, user, warning };
  } catch (error) {
    if (input.signal?.aborted === true) throw error;
    if (error instanceof ImmichError) return { ok: false, version, message: error.message };
    throw error;
  } finally {
    await client.close();
  }
}
