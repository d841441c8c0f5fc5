/**
 * Runs that change earlier runs' work on a real Immich v3.1.0 server, judged once its background
 * work has settled: --tag-only, then another -t that ungroups the burst (its tags must go, from
 * the photos and their sidecars, while the copies keep theirs), and a run killed in the middle of
 * applying, then run again: everything there, nothing twice.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRealCli, startProxy } from './support/cli.js';
import { BIRD, BOATS, GROUPED } from '../support/library.js';
import { type Uploaded, uploadSmallLibrary } from './support/library.js';
import { ourSidecarTags, settled, tagsByPath } from './support/observe.js';
import { freshUser, type ImmichUser, realServer, removeUser } from './support/server.js';

let reconcile: { user: ImmichUser; lib: Uploaded };
let killed: { user: ImmichUser; lib: Uploaded };

beforeAll(async () => {
  const server = realServer();
  const make = async (name: string): Promise<typeof reconcile> => {
    const user = await freshUser(server, name);
    return { user, lib: await uploadSmallLibrary(user) };
  };
  [reconcile, killed] = await Promise.all([make('changes-reconcile'), make('changes-killed')]);
});

afterAll(async () => {
  await Promise.all([reconcile, killed].filter(Boolean).map((u) => removeUser(u.user)));
});

function cacheDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'po-real-')), 'cache');
}

/**
 * Path → tags every --tag-only run of the small library calls for, given its best photos; groups
 * are numbered from 1 in the order given, or by `numbers` (a re-run keeps a group's number).
 */
function tagOnly(best: readonly string[], groups: readonly (readonly string[])[], numbers?: readonly number[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  groups.forEach((members, i) => {
    for (const p of members)
      out[p] = [
        `photo-organizer/group-${String(numbers?.[i] ?? i + 1).padStart(4, '0')}`,
        best.includes(p) ? 'photo-organizer/best' : 'photo-organizer/non-best',
      ].sort();
  });
  return out;
}

describe('re-runs on a real server', () => {
  it('--tag-only, then -t 2: the burst loses its tags (and its sidecars too), the copies keep theirs', async () => {
    const { user, lib } = reconcile;
    const cache = cacheDir();
    const run = await runRealCli(user, ['--immich-cache-dir', cache, '--tag-only']);
    expect(run.code, run.stderr).toBe(0);
    const first = await settled(user, lib);
    const best = first.tags['photo-organizer/best'] ?? [];
    expect(tagsByPath(first)).toEqual(tagOnly(best, [BOATS, BIRD]));
    expect(ourSidecarTags(first)).toEqual(tagOnly(best, [BOATS, BIRD]));

    // Copies only: the burst is no group any more. The 2 % crop has no EXIF date, so the server
    // dates it by its file; that is no capture time, and it stays with its copies.
    const stricter = await runRealCli(user, ['--immich-cache-dir', cache, '--tag-only', '-t', '2']);
    expect(stricter.code, stricter.stderr).toBe(0);
    expect(stricter.stdout).toContain('verified on the server');
    const second = await settled(user, lib);
    const boatsBest = best.filter((p) => BOATS.includes(p));
    // The copies keep their number, 1, from the first run.
    expect(tagsByPath(second)).toEqual(tagOnly(boatsBest, [BOATS], [1]));
    expect(ourSidecarTags(second)).toEqual(tagOnly(boatsBest, [BOATS], [1]));
  });

  it('a run killed in the middle of applying finishes on the next run, nothing done twice', async () => {
    const { user, lib } = killed;
    const cache = cacheDir();
    let child: ChildProcess | null = null;
    let tagRequests = 0;
    // Killed as its second tag request goes out: the server gets it, the run never hears back.
    // Both runs go through the proxy: the record of changes is kept per server address.
    const proxy = await startProxy(user.server.url, (line) => {
      if (line === 'PUT /api/tags/assets' && ++tagRequests === 2) child?.kill('SIGKILL');
    });
    const args = ['--immich-cache-dir', cache, '--tag-only', '--mark-best-favorite', '--stack'];
    let resumed: Awaited<ReturnType<typeof runRealCli>>;
    try {
      const run = await runRealCli(user, args, {
        url: proxy.url,
        onSpawn: (c) => {
          child = c;
        },
      });
      expect(run.signal).toBe('SIGKILL');
      await settled(user, lib);
      const from = proxy.seen.length;
      resumed = await runRealCli(user, args, { url: proxy.url });
      // Four tag sets (best or not, in group 1 or 2); the killed run sent two: two are left.
      expect(proxy.seen.slice(from).filter((l) => l === 'PUT /api/tags/assets')).toHaveLength(2);
    } finally {
      await proxy.close();
    }
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout + resumed.stderr).toMatch(/Checked \d+ changes? an interrupted run left unconfirmed/);
    expect(resumed.stdout).toContain('verified on the server');
    const state = await settled(user, lib);
    const best = state.tags['photo-organizer/best'] ?? [];
    expect(tagsByPath(state)).toEqual(tagOnly(best, [BOATS, BIRD]));
    expect(ourSidecarTags(state)).toEqual(tagOnly(best, [BOATS, BIRD]));
    expect(state.favorites).toEqual([...best].sort());
    expect(state.stacks.map((s) => s.members)).toEqual(expect.arrayContaining([BOATS, BIRD]));
    expect(state.stacks).toHaveLength(2);
    expect(GROUPED.every((p) => state.archived.includes(p) === false)).toBe(true);

    // Under its real address the server is another one to the catalog: the re-run plans from
    // the server alone and finds nothing to do.
    const again = await runRealCli(user, args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('already up to date');
  });
});
