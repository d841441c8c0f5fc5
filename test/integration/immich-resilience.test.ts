/**
 * Immich runs under adversity: killed mid-way and resumed, failing and slow answers, bad keys,
 * another server version, a hostile file name, a tiny cache, TLS. Real CLI, fake server.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { albums, favorites, snapshot, tagged, writeLines } from '../support/fake-immich/inspect.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';

const fixture = useFakeImmich();
const server = fixture.server;

function scratch(): { base: string; cache: string } {
  const base = mkdtempSync(join(tmpdir(), 'po-immich-run-'));
  return { base, cache: join(base, 'cache') };
}

/** Every file under `dir` with its size. */
function files(dir: string): { path: string; size: number }[] {
  if (!existsSync(dir)) return [];
  const out: { path: string; size: number }[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push({ path: p, size: statSync(p).size });
    }
  };
  walk(dir);
  return out;
}

describe('resuming an interrupted Immich run', () => {
  it('settles the change in flight when killed, then finishes without repeating anything', async () => {
    const f = await server();
    const { cache } = scratch();
    const args = ['--immich-cache-dir', cache, '--create-albums', '--mark-best-favorite'];
    let child: ChildProcess | null = null;
    // The server creates the first album, then the client dies before hearing back.
    f.inject({
      method: 'POST',
      path: '/api/albums',
      after: true,
      delayMs: 30_000,
      onMatch: () => setTimeout(() => child?.kill('SIGKILL'), 300),
    });
    const killed = await runImmichCli(f, args, { onSpawn: (c) => (child = c) });
    expect(killed.signal).toBe('SIGKILL');
    expect(Object.keys(albums(f))).toEqual(['Organized-2024-04-21-0001']);
    expect(favorites(f)).toEqual([]);

    f.clearCalls();
    const resumed = await runImmichCli(f, args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('Checked 1 change an interrupted run left unconfirmed');
    // Only what was missing: the second album and the favourites. No tag is sent again.
    expect(writeLines(f)).toEqual(['POST /api/albums', 'PUT /api/assets']);
    expect(Object.keys(albums(f)).sort()).toEqual(['Organized-2024-04-21-0001', 'Organized-2024-05-18-0002']);
    expect(favorites(f)).toEqual(tagged(f, 'photo-organizer/best'));

    // The album created by the killed run is known as ours: undo removes it too.
    const undone = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(snapshot(f)).toEqual({ tags: {}, albums: {}, favorites: [], archived: [], stacks: [] });
  });

  it('retries 429, 5xx and slow answers with backoff, and never creates an album twice', async () => {
    const f = await server();
    const { cache } = scratch();
    f.inject({ method: 'POST', path: '/api/search/metadata', status: 429, retryAfterS: 0 });
    f.inject({ method: 'GET', path: /\/thumbnail$/, status: 503 });
    f.inject({ method: 'PUT', path: '/api/tags/assets', status: 500 });
    // The server makes the album but answers 500: the client must look before trying again.
    f.inject({ method: 'POST', path: '/api/albums', status: 500, after: true });
    f.inject({ method: 'GET', path: '/api/tags', delayMs: 500 });
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--create-albums']);
    expect(run.code, run.stderr).toBe(0);
    expect(f.calls.map((c) => c.status)).toEqual(expect.arrayContaining([429, 503, 500]));
    expect(run.stderr).toMatch(/Immich said 429 Too Many Requests for POST \/api\/search\/metadata.*retrying \(attempt 2\)/);
    expect(f.calls.filter((c) => c.method === 'POST' && c.path === '/api/albums')).toHaveLength(2);
    expect(Object.keys(albums(f)).sort()).toEqual(['Organized-2024-04-21-0001', 'Organized-2024-05-18-0002']);
    expect(tagged(f, 'photo-organizer/group-0002')).toHaveLength(5);
    expect(run.stdout).toContain('verified on the server');
  });
});

describe('Ctrl+C during an Immich run', () => {
  it('stops with exit code 130 and the next run finishes the work', async () => {
    const f = await server();
    const { cache } = scratch();
    let child: ChildProcess | null = null;
    f.inject({ method: 'GET', path: /\/thumbnail$/, delayMs: 20_000, onMatch: () => setTimeout(() => child?.kill('SIGINT'), 200) });
    const stopped = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'], { onSpawn: (c) => (child = c) });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stdout).toContain('Interrupted; nothing is lost and no change is made twice.');
    expect(writeLines(f)).toEqual([]);
    const resumed = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(tagged(f, 'photo-organizer/group-0002')).toHaveLength(5);
  });
});

describe('clear errors', () => {
  it('reports a bad API key as 401 without ever printing a key', async () => {
    const f = await server();
    const { cache } = scratch();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'], { env: { IMMICH_API_KEY: 'wrong-key-5f3a' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Immich said 401 Unauthorized for GET /api/users/me: Invalid API key; check --immich-api-key or the IMMICH_API_KEY environment variable',
    );
    expect(run.stdout + run.stderr).not.toContain('wrong-key-5f3a');
  });

  it('refuses another major server version and warns about another minor one', async () => {
    const f = await server();
    const { cache } = scratch();
    f.state.version = { major: 4, minor: 0, patch: 1 };
    const refused = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('runs v4.0.1, but this photo-organizer speaks the v3 API');
    expect(writeLines(f)).toEqual([]);
    f.state.version = { major: 3, minor: 4, patch: 0 };
    const warned = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only']);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('The Immich server runs v3.4.0; this photo-organizer was built for v3.1');
  });

  it('answers usage mistakes with exit code 2', async () => {
    const f = await server();
    const { cache } = scratch();
    const noUrl = await runCli(['--source-type', 'immich', '--tag-only', '--immich-cache-dir', cache], {
      env: { IMMICH_API_KEY: f.apiKey },
    });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('--immich-url is required');
    const nothing = await runImmichCli(f, ['--immich-cache-dir', cache]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('nothing to do: give -o DIR');
    const noKey = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'], { env: { IMMICH_API_KEY: undefined } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('an Immich API key is required: set IMMICH_API_KEY');
    const badUrl = await runCli(['--source-type', 'immich', '--immich-url', 'ftp://x', '--tag-only'], { env: { IMMICH_API_KEY: 'k' } });
    expect(badUrl.stderr).toContain('Expected an http(s) URL for --immich-url but received "ftp://x"');
    const noAlbum = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--immich-album', 'Holidays']);
    expect(noAlbum.code).toBe(2);
    expect(noAlbum.stderr).toContain('--immich-album: no album is named "Holidays" on the server');
  });
});

describe('secrets, cache and files', () => {
  it('keeps the API key out of the catalog, the report and the output', async () => {
    const key = 'SECRET-immich-key-9c1e7';
    const f = await server({ apiKey: key });
    const { base, cache } = scratch();
    const out = join(base, 'out');
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, '--tag-only', '--immich-api-key', key], {
      env: { IMMICH_API_KEY: undefined },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toContain(key);
    const everything = [...files(out), ...files(cache)];
    expect(everything.some((f) => f.path.endsWith('catalog.db'))).toBe(true);
    for (const file of everything) expect(readFileSync(file.path).includes(key), file.path).toBe(false);
  });

  it('writes the local tree from downloaded pictures; hostile file names stay inside the cache and the output', async () => {
    const hostile = fixture
      .seeds()
      .map((s) => (s.relativePath === 'backup/IMG_0042.JPG' ? { ...s, originalFileName: '../../../evil.JPG' } : s));
    const f = await server({}, hostile);
    const { base, cache } = scratch();
    const out = join(base, 'out');
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, '--immich-cache-size', '1', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    const cached = files(join(cache, 'assets'));
    expect(cached.reduce((n, f) => n + f.size, 0)).toBeLessThanOrEqual(1024 * 1024);
    expect(cached.length).toBeGreaterThan(0);
    expect(
      existsSync(join(base, 'evil.JPG')) || existsSync(join(base, '..', 'evil.JPG')) || existsSync(join(cache, '..', 'evil.JPG')),
    ).toBe(false);
    const group1 = readdirSync(join(out, 'group_0001', 'originals')).sort();
    // Previews are JPEGs: a HEIC original's preview is named .jpg; same names get _1, _2.
    expect(group1).toEqual(['IMG_0042-crop.jpg', 'IMG_0042.jpg', 'IMG_0042_1.jpg', 'evil.jpg']);
    expect(readdirSync(join(out, 'group_0002', 'originals'))).toHaveLength(5);
    expect(existsSync(join(out, 'reports', 'latest.json'))).toBe(true);
    expect(run.stdout).toMatch(/Output: .* — 13 files written/);
  });

  it('verifies TLS certificates unless --no-verify-ssl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const f = await server({ tls: { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') } });
    const { cache } = scratch();
    const refused = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /TLS certificate of https:\/\/127\.0\.0\.1:\d+\/api is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); if you trust this server, run again with --no-verify-ssl/,
    );
    const trusted = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--no-verify-ssl']);
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(trusted.stderr).toContain('TLS certificates are not checked (--no-verify-ssl)');
  });
});
