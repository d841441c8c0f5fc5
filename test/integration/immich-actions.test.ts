/**
 * Immich actions end to end: the real CLI against the fake server, on the small generated
 * library (a 5-frame burst, 4 copies of one picture, 2 look-alikes that must stay apart).
 * Asserts the exact write calls of each action, idempotent re-runs, dry run, undo, reconcile.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runImmichCli } from '../support/fake-immich/cli.js';
import {
  albums,
  archived,
  favorites,
  idOf,
  pathOf,
  snapshot,
  stacks,
  tagged,
  tagValues,
  writeLines,
} from '../support/fake-immich/inspect.js';
import type { FakeImmich } from '../support/fake-immich/server.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';
import { BOATS, BIRD } from '../support/library.js';

const fixture = useFakeImmich();
const server = fixture.server;

function scratch(): { cache: string; base: string } {
  const base = mkdtempSync(join(tmpdir(), 'po-immich-run-'));
  return { base, cache: join(base, 'cache') };
}

/** Bodies of the write calls to one route. */
function bodies(f: FakeImmich, method: string, path: string | RegExp): Record<string, unknown>[] {
  return f.calls
    .filter((c) => c.method === method && (typeof path === 'string' ? c.path === path : path.test(c.path)))
    .map((c) => c.body as Record<string, unknown>);
}

function paths(f: FakeImmich, ids: unknown): string[] {
  return (ids as string[]).map((id) => pathOf(f, id)).sort();
}

describe('--tag-only on Immich', () => {
  it('tags each group, its best and the others with hierarchical tags, in exactly these calls', async () => {
    const f = await server();
    const { cache } = scratch();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    await f.idle();
    // One request per distinct tag set (best or not, of group 1 or 2): each photo is tagged once.
    expect(writeLines(f)).toEqual([
      'PUT /api/tags',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
    ]);
    expect(bodies(f, 'PUT', '/api/tags')[0]).toEqual({
      tags: [
        'photo-organizer',
        'photo-organizer/best',
        'photo-organizer/group-0001',
        'photo-organizer/group-0002',
        'photo-organizer/non-best',
      ],
    });
    // Groups are numbered by capture time: the copies (April) before the burst (May).
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(BOATS);
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);
    const best = tagged(f, 'photo-organizer/best');
    expect(best).toHaveLength(2);
    expect(best.filter((p) => BOATS.includes(p))).toHaveLength(1);
    expect(tagged(f, 'photo-organizer/non-best')).toEqual([...BOATS, ...BIRD].filter((p) => !best.includes(p)).sort());
    const tagged9 = bodies(f, 'PUT', '/api/tags/assets').flatMap((body) => paths(f, body.assetIds));
    expect(tagged9.sort()).toEqual([...BOATS, ...BIRD].sort());
    for (const body of bodies(f, 'PUT', '/api/tags/assets')) expect((body.tagIds as string[]).length).toBe(2);
    // The look-alikes were judged on their thumbhashes and never downloaded.
    const downloads = f.calls.filter((c) => c.path.endsWith('/thumbnail')).map((c) => pathOf(f, c.path.split('/')[3]!));
    expect(downloads.sort()).toEqual([...BOATS, ...BIRD].sort());
    expect(f.calls.filter((c) => c.path.endsWith('/thumbnail')).every((c) => c.query.size === 'preview')).toBe(true);
    expect(run.stdout).toMatch(/Listed 11 photos .*: 2 ruled out by their thumbhash alone, 9 looked at closely/);
    expect(run.stdout).toMatch(/Downloaded 9 pictures \(\d+(\.\d)? KB\)/);
    expect(run.stdout).toContain('verified on the server');
    // The summary ends with where the log is (next to the report, in the cache folder) and what to do next.
    const logLine = /^Log: (.+)$/m.exec(run.stdout);
    expect(logLine?.[1]).toMatch(new RegExp(`^${cache.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/logs/`));
    expect(readFileSync(logLine![1]!, 'utf8')).toContain('Fingerprinting');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^Next: look through the groups, .* and apply: .*photo-organizer\S* review /);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toContain(
      `review --immich-cache-dir ${cache} --open (with IMMICH_API_KEY set as for this run)`,
    );

    f.clearCalls();
    const again = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--threads', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(writeLines(f)).toEqual([]);
    expect(f.calls.filter((c) => c.path.endsWith('/thumbnail') || c.path.endsWith('/original'))).toEqual([]);
    expect(again.stdout).toContain('Downloaded 0 pictures (0 B)');
    expect(again.stdout).toContain('already up to date');
  });

  it('--force-fresh forgets the fingerprints but not what it changed, so --undo still works', async () => {
    const f = await server();
    const { cache } = scratch();
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'])).code).toBe(0);
    f.clearCalls();
    const fresh = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--force-fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain('kept the record of changes made on the server');
    // Fingerprints are made again, from the pictures still in the disk cache.
    expect(fresh.stdout).toContain('Downloaded 0 pictures (0 B); 9 from the cache, 0 fingerprints from the catalog.');
    expect(writeLines(f)).toEqual([]);
    const undone = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(tagValues(f)).toEqual([]);
  });

  it('--dry-run prints every change and makes none, writing no catalog and no cache', async () => {
    const f = await server();
    const { cache } = scratch();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--create-albums', '--dry-run']);
    expect(run.code, run.stderr).toBe(0);
    expect(writeLines(f)).toEqual([]);
    expect(snapshot(f)).toEqual({ tags: {}, albums: {}, favorites: [], archived: [], stacks: [] });
    expect(existsSync(join(cache, 'catalog.db'))).toBe(false);
    expect(existsSync(join(cache, 'assets'))).toBe(false);
    const lines = run.stdout.split('\n');
    expect(lines).toContain(
      'create tags photo-organizer, photo-organizer/best, photo-organizer/group-0001, photo-organizer/group-0002, photo-organizer/non-best  [PUT /api/tags]',
    );
    expect(lines.find((l) => l.startsWith('tag 4 photos photo-organizer/group-0001: '))).toBeDefined();
    expect(lines.find((l) => l.startsWith('create album "Organized-2024-04-21-0001" with 4 photos: '))).toMatch(/IMG_0042\.HEIC/);
    expect(lines.find((l) => l.startsWith('create album "Organized-2024-05-18-0002" with 5 photos: '))).toBeDefined();
    expect(run.stdout).toContain('Dry run: nothing was changed. The Immich plan has 7 changes');
  });

  it('removes from photos only the tags its own earlier runs put there when the groups change', async () => {
    const f = await server();
    const { cache } = scratch();
    // Someone tagged a photo by hand with a value in our namespace: it is not ours to remove.
    f.state.upsertTags(['photo-organizer/best']);
    f.state.tagAssets([f.state.tagByValue('photo-organizer/best')!.id], [idOf(f, '2023/Hike/DSC09850.JPG')]);
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only'])).code).toBe(0);
    const bestBefore = tagged(f, 'photo-organizer/best');
    expect(bestBefore).toHaveLength(3);
    f.clearCalls();
    // With at least 5 photos per group the copies no longer make a group: their tags go.
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--min-group-size', '5']);
    expect(run.code, run.stderr).toBe(0);
    // The burst keeps its number (group 2); the copies' group 1 is gone, its tag on no photo.
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual([]);
    const best = tagged(f, 'photo-organizer/best');
    expect(best.filter((p) => BOATS.includes(p))).toEqual([]);
    expect(best).toContain('2023/Hike/DSC09850.JPG');
    expect(tagged(f, 'photo-organizer/non-best').filter((p) => BOATS.includes(p))).toEqual([]);
    expect(writeLines(f).every((l) => /^(DELETE \/api\/tags\/:id\/assets|PUT \/api\/tags\/assets)$/.test(l))).toBe(true);
  });
});

describe('favorite, archive, albums and stacks on Immich', () => {
  const ALL = ['--create-albums', '--album-prefix', 'Trip-', '--mark-best-favorite', '--archive-non-best', '--stack'];

  it('makes each change with the v3 fields, once; re-runs change nothing; --undo takes everything back', async () => {
    const f = await server();
    const { cache } = scratch();
    const before = snapshot(f);
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, ...ALL]);
    expect(run.code, run.stderr).toBe(0);
    expect(writeLines(f)).toEqual([
      'PUT /api/tags',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
      'PUT /api/tags/assets',
      'POST /api/albums',
      'POST /api/albums',
      'PUT /api/assets',
      'PUT /api/assets',
      'POST /api/stacks',
      'POST /api/stacks',
    ]);
    const best = tagged(f, 'photo-organizer/best');
    const updates = bodies(f, 'PUT', '/api/assets');
    expect(updates[0]).toEqual({ ids: expect.any(Array), isFavorite: true });
    expect(paths(f, updates[0]!.ids)).toEqual(best);
    // v3 archives with visibility; the old isArchived is ignored by the server (the seed's bug).
    expect(updates[1]).toEqual({ ids: expect.any(Array), visibility: 'archive' });
    expect(paths(f, updates[1]!.ids)).toEqual([...BOATS, ...BIRD].filter((p) => !best.includes(p)).sort());
    expect(favorites(f)).toEqual(best);
    expect(archived(f)).toHaveLength(7);
    expect(albums(f)).toEqual({ 'Trip-2024-04-21-0001': BOATS, 'Trip-2024-05-18-0002': BIRD });
    for (const body of bodies(f, 'POST', '/api/stacks')) expect(best).toContain(pathOf(f, (body.assetIds as string[])[0]!));
    expect(
      stacks(f)
        .map((s) => s.members)
        .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    ).toEqual([BOATS, BIRD].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
    expect(stacks(f).every((s) => best.includes(s.cover))).toBe(true);
    expect(run.stdout).toContain('11 of 11 changes made');
    expect(run.stdout).toContain('verified on the server');

    // The archived photos are still this tool's: the re-run sees the same groups and does nothing.
    f.clearCalls();
    const again = await runImmichCli(f, ['--immich-cache-dir', cache, ...ALL]);
    expect(again.code, again.stderr).toBe(0);
    expect(writeLines(f)).toEqual([]);

    f.clearCalls();
    const preview = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo', '--dry-run']);
    expect(preview.code, preview.stderr).toBe(0);
    expect(writeLines(f)).toEqual([]);
    expect(preview.stdout).toMatch(/^unstack 5 photos: IMG_010\d\.JPG, .*\[DELETE \/api\/stacks\//m);
    expect(preview.stdout).toMatch(/^delete album "Trip-2024-04-21-0001"/m);
    expect(preview.stdout).toMatch(/^delete tag photo-organizer {2}\[DELETE/m);

    const undone = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    // After the server's background jobs too: a tag deleted while in sidecars would be back.
    await f.idle();
    expect(snapshot(f)).toEqual(before);
    expect(tagValues(f)).toEqual([]);
    expect(undone.stdout).toContain('verified on the server');

    f.clearCalls();
    const twice = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(twice.code, twice.stderr).toBe(0);
    expect(writeLines(f)).toEqual([]);
    expect(twice.stdout).toContain('Nothing to undo');
  });

  it('undo leaves what others added: a user photo in our album, a user tag under our root', async () => {
    const f = await server();
    const { cache } = scratch();
    expect((await runImmichCli(f, ['--immich-cache-dir', cache, '--create-albums', '--mark-best-favorite'])).code).toBe(0);
    const mountain = idOf(f, '2023/Hike/DSC09851.JPG');
    const album = [...f.state.albums.values()].find((a) => a.albumName === 'Organized-2024-05-18-0002')!;
    f.state.addToAlbum(album.id, [mountain]);
    f.state.upsertTags(['photo-organizer/keep-me']);
    // A best photo the user had marked favourite already is not ours to unmark... (here none was).
    const undone = await runImmichCli(f, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(albums(f)).toEqual({ 'Organized-2024-05-18-0002': ['2023/Hike/DSC09851.JPG'] });
    expect(tagValues(f)).toEqual(['photo-organizer', 'photo-organizer/keep-me']);
    expect(favorites(f)).toEqual([]);
  });
});
