/**
 * Every action on a real Immich v3.1.0 server, judged after the server's background work has
 * settled and again a minute later: tags (and the sidecars the server writes them to), albums,
 * favourites, archive, stacks; a re-run that changes nothing; --undo that leaves nothing of this
 * tool, not even after the server re-reads the sidecars, while a tag the user made stays.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRealCli } from './support/cli.js';
import { BIRD, BOATS, GROUPED } from '../support/library.js';
import { type Uploaded, uploadSmallLibrary } from './support/library.js';
import { type Observed, ourSidecarTags, ourTags, settled, tagsByPath } from './support/observe.js';
import { freshUser, type ImmichUser, realServer, removeUser } from './support/server.js';

const ALL = ['--create-albums', '--album-prefix', 'Trip-', '--mark-best-favorite', '--archive-non-best', '--stack', '--threads', '2'];

let keep: { user: ImmichUser; lib: Uploaded; cache: string };
let undo: { user: ImmichUser; lib: Uploaded; cache: string };
/** What each user's library looked like when its test ended, to compare a minute later. */
const after = new Map<string, Observed>();

beforeAll(async () => {
  const server = realServer();
  const make = async (name: string): Promise<typeof keep> => {
    const user = await freshUser(server, name);
    return { user, lib: await uploadSmallLibrary(user), cache: join(mkdtempSync(join(tmpdir(), 'po-real-')), 'cache') };
  };
  [keep, undo] = await Promise.all([make('actions-keep'), make('actions-undo')]);
});

afterAll(async () => {
  await Promise.all([keep, undo].filter(Boolean).map((u) => removeUser(u.user)));
});

/** The state every run with ALL calls for, given the best photos it picked. */
function expectApplied(state: Observed, best: readonly string[]): void {
  expect(best).toHaveLength(2);
  expect(best.filter((p) => BOATS.includes(p))).toHaveLength(1);
  const wanted: Record<string, string[]> = {};
  for (const p of GROUPED) {
    wanted[p] = [
      BOATS.includes(p) ? 'photo-organizer/group-0001' : 'photo-organizer/group-0002',
      best.includes(p) ? 'photo-organizer/best' : 'photo-organizer/non-best',
    ].sort();
  }
  expect(tagsByPath(state)).toEqual(wanted);
  // The sidecars hold the same tags: the next metadata extraction keeps them.
  expect(ourSidecarTags(state)).toEqual(wanted);
  expect(state.albums).toEqual({ 'Trip-2024-04-21-0001': BOATS, 'Trip-2024-05-18-0002': BIRD });
  expect(state.favorites).toEqual([...best].sort());
  expect(state.archived).toEqual(GROUPED.filter((p) => !best.includes(p)));
  expect(state.stacks.map((s) => s.members)).toEqual(expect.arrayContaining([BOATS, BIRD]));
  expect(state.stacks.map((s) => s.cover).sort()).toEqual([...best].sort());
}

describe('Immich actions on a real server', () => {
  it('tags, albums, favourites, archives and stacks every group, all of it still there once the server settles', async () => {
    const { user, lib, cache } = keep;
    const run = await runRealCli(user, ['--immich-cache-dir', cache, ...ALL]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('verified on the server');
    // The HEIC has no preview on this server (no HEVC decoder): read from its original, not dropped.
    expect(run.stdout).toMatch(/Downloaded 9 pictures \([^)]*\): 8 previews, 1 original/);
    const state = await settled(user, lib);
    expectApplied(state, ourTags(state)['photo-organizer/best'] ?? []);

    const again = await runRealCli(user, ['--immich-cache-dir', cache, ...ALL]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already up to date');
    expect(await settled(user, lib)).toEqual(state);
    after.set('keep', state);
  });

  it('--undo leaves no tag, album, stack, favourite or archived photo of this tool; the user’s own tag stays', async () => {
    const { user, lib, cache } = undo;
    const anna = lib.ids.get(BIRD[0]!)!;
    const [mine] = await user.put<{ id: string }[]>('/tags', { tags: ['people/Anna'] });
    await user.put('/tags/assets', { tagIds: [mine!.id], assetIds: [anna] });
    await settled(user, lib);
    const run = await runRealCli(user, ['--immich-cache-dir', cache, ...ALL]);
    expect(run.code, run.stderr).toBe(0);
    const applied = await settled(user, lib);
    expect(applied.tags['people/Anna']).toEqual([BIRD[0]]);

    const undone = await runRealCli(user, ['--immich-cache-dir', cache, '--undo']);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout).toContain('verified on the server');
    const state = await settled(user, lib);
    expectNothingOfOurs(state);
    after.set('undo', state);
  });

  it('a minute later, the server still shows exactly that', async () => {
    expect(after.size).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    const [kept, undone] = await Promise.all([settled(keep.user, keep.lib), settled(undo.user, undo.lib)]);
    expect(kept).toEqual(after.get('keep'));
    expect(undone).toEqual(after.get('undo'));
    expectNothingOfOurs(undone);
  });
});

function expectNothingOfOurs(state: Observed): void {
  expect(ourTags(state)).toEqual({});
  expect(state.tagValues.filter((v) => v.startsWith('photo-organizer'))).toEqual([]);
  expect(ourSidecarTags(state)).toEqual({});
  expect(state.albums).toEqual({});
  expect(state.stacks).toEqual([]);
  expect(state.favorites).toEqual([]);
  expect(state.archived).toEqual([]);
  expect(state.tags['people/Anna']).toEqual([BIRD[0]]);
  expect(state.sidecars[BIRD[0]!]).toEqual(['people/Anna']);
}
