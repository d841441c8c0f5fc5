/**
 * The HTTP client against the fake server: clear errors (validation lists, unknown ids, bad
 * keys), retries of slow answers, paged listings, no global SDK state.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaults } from '@immich/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiBaseUrl, ImmichClient } from '../../src/immich/client.js';
import { ImmichConnectionError, ImmichHttpError } from '../../src/immich/errors.js';
import { searchAll } from '../../src/immich/read.js';
import { seedFromLibrary } from '../support/fake-immich/seed.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';
import { buildLibrary } from '../support/library.js';

let fake: FakeImmich;
const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };

beforeAll(async () => {
  const lib = await buildLibrary(join(mkdtempSync(join(tmpdir(), 'po-client-')), 'Photos'), { variant: 'small' });
  fake = await startFakeImmich(await seedFromLibrary(lib), { pageSize: 3 });
});

afterAll(async () => {
  await fake.close();
});

function client(options: Partial<ConstructorParameters<typeof ImmichClient>[0]> = {}): ImmichClient {
  return new ImmichClient({ url: fake.url, apiKey: fake.apiKey, verifyTls: true, retry: fast, ...options });
}

describe('ImmichClient', () => {
  it('normalizes the server address to its /api base', () => {
    expect(apiBaseUrl('https://photos.example.com')).toBe('https://photos.example.com/api');
    expect(apiBaseUrl('https://photos.example.com/api/')).toBe('https://photos.example.com/api');
    expect(apiBaseUrl('http://host:2283/immich')).toBe('http://host:2283/immich/api');
    expect(() => apiBaseUrl('photos.example.com')).toThrow(/Expected an http\(s\) URL/);
    expect(() => apiBaseUrl('https://me:pw@host')).toThrow(/without a user name or password/);
  });

  it('reports a validation error with the server’s list of problems', async () => {
    const c = client();
    try {
      const error = await c.tagAssets(['not-a-uuid'], [randomUUID()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImmichHttpError);
      expect((error as Error).message).toMatch(
        /^Immich said 400 Bad Request for PUT \/api\/tags\/assets: Validation failed; tagIds\.0: Invalid UUID/,
      );
    } finally {
      await c.close();
    }
  });

  it('reports unknown ids as the 400 the server answers, without retrying', async () => {
    const c = client();
    try {
      fake.clearCalls();
      await expect(c.updateAssets([randomUUID()], { isFavorite: true })).rejects.toThrow(
        'Immich said 400 Bad Request for PUT /api/assets: Not found or no asset.update access',
      );
      expect(fake.calls).toHaveLength(1);
    } finally {
      await c.close();
    }
  });

  it('names the permission a 403 lacks, and the fix for a 401', async () => {
    const c = client({ apiKey: 'nope' });
    try {
      await expect(c.allTags()).rejects.toThrow('Immich said 401 Unauthorized for GET /api/tags: Invalid API key; check --immich-api-key');
    } finally {
      await c.close();
    }
    fake.inject({ path: '/api/duplicates', status: 403 });
    const d = client();
    try {
      await expect(d.duplicates()).rejects.toThrow(
        /403 Forbidden for GET \/api\/duplicates: Injected failure; the API key lacks a permission \(this needs duplicate\.read\)/,
      );
    } finally {
      await d.close();
    }
  });

  it('gives up on a slow answer after the timeout and tries again', async () => {
    const c = client({ timeoutMs: 200 });
    try {
      fake.clearCalls();
      fake.inject({ path: '/api/albums', delayMs: 1000 });
      expect(await c.albums()).toEqual([]);
      expect(fake.calls.filter((x) => x.path === '/api/albums')).toHaveLength(2);
      fake.inject({ path: '/api/albums', delayMs: 1000, times: 3 });
      const error = await c.albums().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImmichConnectionError);
      expect((error as Error).message).toBe('Immich did not answer GET /api/albums within 0.2 s');
    } finally {
      await c.close();
    }
  });

  it('reads a listing page by page until nextPage is null', async () => {
    const c = client();
    try {
      fake.clearCalls();
      const all = await searchAll(c, { withExif: true });
      expect(all).toHaveLength(11);
      expect(fake.calls.map((x) => (x.body as { page: number }).page)).toEqual([1, 2, 3, 4]);
      expect(new Set(all.map((a) => a.id)).size).toBe(11);
    } finally {
      await c.close();
    }
  });

  it('counts the picture bytes it downloads and never sets the SDK’s shared defaults', async () => {
    const c = client();
    try {
      const id = [...fake.state.assets.keys()][0]!;
      const preview = await c.download(id, 'preview');
      expect(preview.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(c.downloaded).toMatchObject({ files: 1, bytes: preview.bytes.length });
      expect(JSON.stringify(defaults)).not.toContain(fake.apiKey);
    } finally {
      await c.close();
    }
  });

  it('tells a refused connection apart', async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const c = new ImmichClient({
      url: `http://127.0.0.1:${port}`,
      apiKey: 'k',
      verifyTls: true,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    });
    try {
      await expect(c.serverVersion()).rejects.toThrow(
        `Could not reach Immich at http://127.0.0.1:${port}/api for GET /api/server/version: ECONNREFUSED`,
      );
    } finally {
      await c.close();
    }
  });
});
