/**
 * Immich grouping modes: by person (all pages of people, album names with their names), the
 * server's faces for the best-photo choice, the server's duplicate groups, smart search, and
 * partners' photos left alone. Real CLI, fake server, small generated library.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { albums, idOf, pathOf, tagged, tagValues } from '../support/fake-immich/inspect.js';
import { uuidFor } from '../support/fake-immich/seed.js';
import type { FakeImmich } from '../support/fake-immich/server.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';
import { BIRD } from '../support/library.js';

const MOUNTAINS = ['2023/Hike/DSC09850.JPG', '2023/Hike/DSC09851.JPG'];

const fixture = useFakeImmich({ pageSize: 2 });
const server = fixture.server;

function cacheDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'po-immich-run-')), 'cache');
}

function faces(
  f: FakeImmich,
  paths: readonly string[],
  box: readonly [number, number, number, number] = [10, 10, 60, 60],
): Map<string, readonly [number, number, number, number]> {
  return new Map(paths.map((p) => [idOf(f, p), box]));
}

describe('grouping by person', () => {
  it("groups each person's photos apart, tags them and names albums after the people (favourites first)", async () => {
    const f = await server();
    f.state.addPerson('Alice', faces(f, [...BIRD, '2024/IMG_0042.JPG', 'backup/IMG_0042.JPG']));
    f.state.addPerson('Bob', faces(f, BIRD.slice(2)), { isFavorite: true });
    // Unnamed and hidden people are not grouped; more people than one page of the listing.
    f.state.addPerson('', faces(f, BIRD));
    const hidden = f.state.addPerson('Hidden', faces(f, BIRD));
    f.state.people.get(hidden)!.isHidden = true;
    const run = await runImmichCli(f, [
      '--immich-cache-dir',
      cacheDir(),
      '--immich-group-by-person',
      '--create-albums',
      '--min-group-size',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(f.calls.filter((c) => c.path === '/api/people').map((c) => c.query.page)).toEqual(expect.arrayContaining(['1', '2']));
    expect(tagged(f, 'photo-organizer/person-Alice')).toEqual([...BIRD, '2024/IMG_0042.JPG', 'backup/IMG_0042.JPG'].sort());
    expect(tagged(f, 'photo-organizer/person-Bob')).toEqual(BIRD.slice(2));
    expect(Object.keys(albums(f)).sort()).toEqual([
      'Organized-2024-04-21-Alice-0001',
      'Organized-2024-05-18-Bob+Alice-0002',
      'Organized-2024-05-18-Bob+Alice-0003',
    ]);
    expect(albums(f)['Organized-2024-05-18-Bob+Alice-0003']).toEqual(BIRD.slice(2));
  });

  it('--immich-person keeps one person (any letter case)', async () => {
    const f = await server();
    f.state.addPerson('Alice', faces(f, BIRD));
    f.state.addPerson('Bob', faces(f, BIRD.slice(2)));
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--immich-person', 'bob', '--tag-only', '--min-group-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(tagValues(f).filter((v) => v.includes('person-'))).toEqual(['photo-organizer/person-Bob']);
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(BIRD.slice(2));
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual([]);
  });
});

describe('grouping by combinations of people', () => {
  it('--immich-group-by-people groups each combination of favourite people apart', async () => {
    const f = await server();
    f.state.addPerson('Alice', faces(f, BIRD), { isFavorite: true });
    f.state.addPerson('Bob', faces(f, BIRD.slice(2)), { isFavorite: true });
    // Not a favourite: not part of any combination.
    f.state.addPerson('Carl', faces(f, BIRD.slice(0, 3)));
    const run = await runImmichCli(f, [
      '--immich-cache-dir',
      cacheDir(),
      '--immich-group-by-people',
      '--tag-only',
      '--min-group-size',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('2 favourite people; 2 combinations of them with enough photos to group.');
    expect(tagValues(f).filter((v) => v.includes('person-'))).toEqual([
      'photo-organizer/person-Alice',
      'photo-organizer/person-Alice, Bob',
    ]);
    expect(tagged(f, 'photo-organizer/person-Alice')).toEqual(BIRD.slice(0, 2));
    expect(tagged(f, 'photo-organizer/person-Alice, Bob')).toEqual(BIRD.slice(2));
  });

  it('says so when Immich has no favourite people', async () => {
    const f = await server();
    f.state.addPerson('Alice', faces(f, BIRD));
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--immich-group-by-people', '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Immich has no favourite named people: mark the people to group by as favourites in Immich');
    expect(tagValues(f)).toEqual([]);
  });
});

describe('excluded people', () => {
  it('--excluded-people and ./excluded_people.txt leave people out of person groups and album names', async () => {
    const f = await server();
    f.state.addPerson('Alice', faces(f, BIRD));
    f.state.addPerson('Rex', faces(f, BIRD), { isFavorite: true });
    f.state.addPerson('Tom', faces(f, BIRD.slice(2)));
    const dir = mkdtempSync(join(tmpdir(), 'po-excluded-'));
    writeFileSync(join(dir, 'excluded_people.txt'), '# pets\nrex   # the dog\n\n');
    const cache = cacheDir();
    const run = await runImmichCli(
      f,
      ['--immich-cache-dir', cache, '--immich-group-by-person', '--create-albums', '--excluded-people', 'TOM', '--min-group-size', '2'],
      { cwd: dir },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Excluding 1 person listed in ${join(dir, 'excluded_people.txt')}`);
    expect(tagValues(f).filter((v) => v.includes('person-'))).toEqual(['photo-organizer/person-Alice']);
    expect(Object.keys(albums(f))).toEqual(['Organized-2024-05-18-Alice-0001']);
    const report = await readReport(join(cache, 'reports', 'latest.json'));
    expect(report.options.excludedPeople).toEqual(['TOM', 'rex']);
  });
});

describe('a local copy of the library (hybrid)', () => {
  it('reads the originals from --immich-library-path, downloading only what is not there, and copies them as they are', async () => {
    const f = await server();
    const base = mkdtempSync(join(tmpdir(), 'po-hybrid-'));
    const library = join(base, 'mnt', 'immich');
    const missing = BIRD[4]!;
    // The server keeps /data/library/<owner>/<path>; this machine mounts /data/library.
    for (const a of f.state.assets.values()) {
      if (a.seed.relativePath === missing) continue;
      const file = join(library, a.ownerId, a.seed.relativePath);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, a.seed.original);
    }
    const out = join(base, 'out');
    const run = await runImmichCli(f, [
      '--immich-cache-dir',
      join(base, 'cache'),
      '--source-type',
      'hybrid',
      '--immich-library-path',
      library,
      '-o',
      out,
      '--tag-only',
      '--min-group-size',
      '2',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(f.calls.filter((c) => c.path.endsWith('/thumbnail'))).toEqual([]);
    expect(f.calls.filter((c) => c.path.endsWith('/original')).map((c) => pathOf(f, c.path.split('/')[3]!))).toEqual([missing]);
    expect(run.stdout).toMatch(/Downloaded 1 picture .*; 0 from the cache, 10 read from the library folder, /);
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);

    const tree = await runImmichCli(f, [
      '--immich-cache-dir',
      join(base, 'cache'),
      '--source-type',
      'hybrid',
      '--immich-library-path',
      library,
      '-o',
      out,
      '--min-group-size',
      '2',
    ]);
    expect(tree.code, tree.stderr).toBe(0);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const burst = report.groups.find((g) => g.photos.length === 5)!;
    for (const p of burst.photos) {
      const copy = readFileSync(join(out, burst.folder!, 'originals', p.outputName!));
      expect(copy.equals(f.state.assets.get(idOf(f, BIRD.find((b) => b.endsWith(p.relativePath))!))!.seed.original), p.relativePath).toBe(
        true,
      );
    }
  });

  it('refuses a library folder that does not exist', async () => {
    const f = await server();
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--source-type', 'hybrid', '--tag-only']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--immich-library-path: folder not found: /mnt/photos/immich-app/library');
  });
});

describe('pictures', () => {
  it('--use-full-resolution downloads the originals (a HEIC one included) and finds the same groups', async () => {
    const f = await server();
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--use-full-resolution', '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    const originals = f.calls.filter((c) => c.path.endsWith('/original')).map((c) => pathOf(f, c.path.split('/')[3]!));
    expect(originals).toContain('phone-export/IMG_0042.HEIC');
    expect(originals).toHaveLength(9);
    expect(f.calls.filter((c) => c.path.endsWith('/thumbnail'))).toEqual([]);
    expect(tagged(f, 'photo-organizer/group-0001')).toHaveLength(4);
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual(BIRD);
  });
});

describe("the server's own analysis", () => {
  it('picks the best photo by the faces Immich found, asking only about grouped photos', async () => {
    const f = await server();
    const cache = cacheDir();
    const plain = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only']);
    expect(plain.code, plain.stderr).toBe(0);
    const bestByLooks = tagged(f, 'photo-organizer/best').filter((p) => BIRD.includes(p));
    const target = BIRD.find((p) => !bestByLooks.includes(p))!;
    f.state.addPerson(
      'Carol',
      faces(
        f,
        BIRD.filter((p) => p !== target),
        [100, 100, 140, 140],
      ),
    );
    f.state.addPerson('Dan', faces(f, [target], [50, 50, 450, 450]));
    f.clearCalls();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--immich-use-server-faces']);
    expect(run.code, run.stderr).toBe(0);
    expect(tagged(f, 'photo-organizer/best').filter((p) => BIRD.includes(p))).toEqual([target]);
    const asked = f.calls.filter((c) => c.path === '/api/faces').map((c) => pathOf(f, c.query.id!));
    expect(asked).toHaveLength(9);
    expect(asked.some((p) => MOUNTAINS.includes(p))).toBe(false);
    // Faces need no pictures: nothing was downloaded for them.
    expect(f.calls.filter((c) => c.path.endsWith('/thumbnail'))).toEqual([]);
    const report = await readReport(join(cache, 'reports', 'latest.json'));
    const best = report.groups.flatMap((g) => g.photos).find((p) => p.isBest && p.path.endsWith(idOf(f, target)))!;
    expect(best.reason).toMatch(/^1 server face \(\d+\.\d% of the frame\); /);
  });

  it("uses Immich's duplicate groups as they are, downloading only their photos", async () => {
    const f = await server();
    f.state.duplicates = [{ id: uuidFor('dup-1'), assets: MOUNTAINS.map((p) => idOf(f, p)) }];
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--immich-use-duplicates', '--tag-only', '--min-group-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(MOUNTAINS);
    expect(tagged(f, 'photo-organizer/group-0002')).toEqual([]);
    expect(
      f.calls
        .filter((c) => c.path.endsWith('/thumbnail'))
        .map((c) => pathOf(f, c.path.split('/')[3]!))
        .sort(),
    ).toEqual(MOUNTAINS);
    expect(run.stdout).toContain('Found 1 group: 1 duplicate');
  });

  it('narrows the run to a smart search, and leaves partners’ photos alone', async () => {
    const f = await server();
    f.state.smart.set(
      'bird on a tree',
      [...BIRD, ...MOUNTAINS].map((p) => idOf(f, p)),
    );
    f.state.assets.get(idOf(f, BIRD[0]!))!.ownerId = uuidFor('partner');
    const run = await runImmichCli(f, ['--immich-cache-dir', cacheDir(), '--immich-smart-search', 'bird on a tree', '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    expect(f.calls.filter((c) => c.path === '/api/search/smart').map((c) => (c.body as { query: string }).query)).toContain(
      'bird on a tree',
    );
    expect(tagged(f, 'photo-organizer/group-0001')).toEqual(BIRD.slice(1));
    expect(tagValues(f)).not.toContain('photo-organizer/group-0002');
    expect(run.stderr).toContain('Left out 1 photos of other users');
    expect(run.stderr).toContain('Smart search "bird on a tree": 6 of 10 photos match.');
  });
});
