/**
 * --watch on a real Immich v3.1.0 server: a burst uploaded while it watches is tagged and stacked
 * within two polls (once the server has read the photos), and a stack cover the user moves by
 * hand is kept as a review decision with remote_wins — the best tag follows it and stays.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIRD } from '../support/library.js';
import { watchRealCli } from './support/cli.js';
import { bothUploads, type Uploaded, uploadPhotos } from './support/library.js';
import { settled } from './support/observe.js';
import { freshUser, type ImmichUser, realServer, removeUser } from './support/server.js';

const POLL_S = 2;
let user: ImmichUser;
let before: Uploaded;

beforeAll(async () => {
  user = await freshUser(realServer(), 'watch');
  // Everything but the burst, which arrives while the watch runs.
  before = await uploadPhotos(user, (p) => !BIRD.includes(p));
});

afterAll(async () => {
  if (user) await removeUser(user);
});

describe('--watch on a real server', () => {
  it('stacks and tags a burst uploaded while watching within two polls, and keeps a stack cover moved by hand (remote_wins)', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'po-real-watch-')), 'cache');
    const run = watchRealCli(user, [
      '--immich-cache-dir',
      cache,
      '--tag-only',
      '--stack',
      '--enable-bidir-sync',
      '--watch',
      '--poll-interval',
      String(POLL_S),
      '--threads',
      '1',
    ]);
    const { until } = run;
    try {
      await until(/^Watching /);
      const uploaded = await uploadPhotos(user, (p) => BIRD.includes(p));
      const lib = bothUploads(before, uploaded);
      // Within two polls of the server having read the photos: the cycle that finds them makes the group.
      const landed = Date.now();
      await until(/cycle \d+: .*group_\d{4} new/);
      expect(Date.now() - landed).toBeLessThan(60_000);
      const state = await settled(user, lib);
      const stack = state.stacks.find((s) => s.members.includes(BIRD[0]!))!;
      expect(stack.members).toEqual([...BIRD].sort());
      expect(state.tags['photo-organizer/best']).toContain(stack.cover);

      // The user moves the cover to another frame; the next poll records it as their pick.
      const other = BIRD.find((b) => b !== stack.cover)!;
      const stackId = (await user.get<{ stack?: { id: string } | null }>(`/assets/${lib.ids.get(other)!}`)).stack!.id;
      await user.put(`/stacks/${stackId}`, { primaryAssetId: lib.ids.get(other)! });
      const name = other.split('/').at(-1)!.replace('.', '\\.');
      const line = await until(new RegExp(`you made ${name} the stack cover .*kept as your decision \\(remote_wins\\)`));
      await until(/cycle \d+: /, run.output().indexOf(line));
      const after = await settled(user, lib);
      expect(after.stacks.find((s) => s.members.includes(BIRD[0]!))!.cover).toBe(other);
      expect(after.tags['photo-organizer/best']).toContain(other);
      expect(after.tags['photo-organizer/best']).not.toContain(stack.cover);
      // Kept, not found again: later polls see the decision, not a new change.
      await new Promise((r) => setTimeout(r, 3 * POLL_S * 1000));
      expect(run.output().match(/you made/g)).toHaveLength(1);
    } finally {
      const result = await run.stop();
      expect(result.code, result.stderr).toBe(0);
    }
  });
});
