/** The one retry helper: what is retried, how long it waits, when it stops. */
import { describe, expect, it } from 'vitest';
import { ImmichConnectionError, ImmichHttpError } from '../../src/immich/errors.js';
import { backoff, classifyFailure, withRetry } from '../../src/immich/retry.js';

const http = (status: number, retryAfterMs: number | null = null): ImmichHttpError =>
  new ImmichHttpError(status, 'PUT', '/api/tags/assets', [], retryAfterMs);
const net = (code: string): ImmichConnectionError => new ImmichConnectionError('GET', '/api/tags', code, code);

describe('retry classification', () => {
  it.each([
    [http(429, 1000), true, { retry: true, afterMs: 1000 }],
    [http(429), false, { retry: true, afterMs: null }],
    [http(503), true, { retry: true, afterMs: null }],
    [http(500), false, { retry: false }],
    [http(400), true, { retry: false }],
    [http(401), true, { retry: false }],
    [http(404), true, { retry: false }],
    [net('ECONNREFUSED'), false, { retry: true, afterMs: null }],
    [net('ECONNRESET'), true, { retry: true, afterMs: null }],
    [net('ECONNRESET'), false, { retry: false }],
    [net('TIMEOUT'), true, { retry: true, afterMs: null }],
    [net('DEPTH_ZERO_SELF_SIGNED_CERT'), true, { retry: false }],
    [net('ABORTED'), true, { retry: false }],
    [new Error('bug'), true, { retry: false }],
  ])('%s (idempotent %s) → %o', (error, idempotent, verdict) => {
    expect(classifyFailure(error, idempotent)).toEqual(verdict);
  });
});

describe('withRetry', () => {
  const policy = { attempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

  it('backs off exponentially with jitter, capped', () => {
    const p = { attempts: 9, baseDelayMs: 400, maxDelayMs: 8000 };
    expect(backoff(p, 1, 0)).toBe(200);
    expect(backoff(p, 1, 1)).toBe(400);
    expect(backoff(p, 3, 0.5)).toBe(1200);
    expect(backoff(p, 9, 1)).toBe(8000);
  });

  it('tries again until it works, telling each retry', async () => {
    const seen: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw http(503);
        return 'ok';
      },
      { policy, idempotent: true, onRetry: (_e, next) => seen.push(next) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([2, 3]);
  });

  it('gives up after the last attempt, and at once on a final failure', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw http(503);
        },
        { policy, idempotent: true },
      ),
    ).rejects.toThrow(ImmichHttpError);
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw http(400);
        },
        { policy, idempotent: true },
      ),
    ).rejects.toThrow(/400 Bad Request/);
    expect(calls).toBe(1);
  });

  it('does not wait for a Retry-After longer than a minute', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw http(429, 3_600_000);
        },
        { policy, idempotent: true },
      ),
    ).rejects.toThrow(/429/);
    expect(calls).toBe(1);
  });
});
