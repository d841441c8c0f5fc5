/**
 * The one retry helper: exponential backoff with jitter, deciding from the failure's status code
 * whether another attempt can help and whether it is safe. Only immich/client.ts calls it.
 */
import { ImmichConnectionError, ImmichHttpError, UNTRUSTED_CERTIFICATE } from './errors.js';

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly attempts: number;
  /** Delay before the second attempt; doubles each time. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 400, maxDelayMs: 8000 };

/** Longest Retry-After honoured; a server asking for more gets the error instead. */
const MAX_RETRY_AFTER_MS = 60_000;

export type RetryVerdict = { readonly retry: false } | { readonly retry: true; readonly afterMs: number | null };

/**
 * Whether to try again. 429 means the request was turned away unprocessed, and a refused
 * connection never reached the server: both are safe to repeat for any request. A 5xx, a reset
 * connection or a timeout may come after the server acted, so only requests whose repetition
 * changes nothing (`idempotent`) are repeated; the caller of a creating request checks first.
 * Every other 4xx is final: repeating a bad request gives the same answer.
 */
export function classifyFailure(error: unknown, idempotent: boolean): RetryVerdict {
  if (error instanceof ImmichHttpError) {
    if (error.status === 429) return { retry: true, afterMs: error.retryAfterMs };
    if (error.status === 502 || error.status === 503 || error.status === 504 || error.status === 500) {
      return idempotent ? { retry: true, afterMs: error.retryAfterMs } : { retry: false };
    }
    return { retry: false };
  }
  if (error instanceof ImmichConnectionError) {
    // A certificate problem or our own cancellation will not go away by asking again.
    if (error.code === 'ABORTED' || UNTRUSTED_CERTIFICATE.has(error.code) || error.code.startsWith('ERR_TLS')) return { retry: false };
    if (error.code === 'ECONNREFUSED') return { retry: true, afterMs: null };
    return idempotent ? { retry: true, afterMs: null } : { retry: false };
  }
  return { retry: false };
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly idempotent: boolean;
  readonly signal?: AbortSignal;
  /** Told before each wait: the failure and the attempt that follows. */
  readonly onRetry?: (error: unknown, nextAttempt: number, delayMs: number) => void;
  /** 0..1; injectable so tests are deterministic. */
  readonly random?: () => number;
}

/** Runs `work` until it succeeds, the failure is final, or the attempts run out. */
export async function withRetry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const verdict = classifyFailure(error, options.idempotent);
      if (!verdict.retry || attempt >= options.policy.attempts || options.signal?.aborted === true) throw error;
      if (verdict.afterMs !== null && verdict.afterMs > MAX_RETRY_AFTER_MS) throw error;
      const delay = verdict.afterMs ?? backoff(options.policy, attempt, random());
      options.onRetry?.(error, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}

/** base · 2^(attempt-1), capped, with "equal jitter": between half and all of it. */
export function backoff(policy: RetryPolicy, attempt: number, random: number): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (full / 2) * random);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
