/**
 * --watch --conflict-strategy manual on a real Immich v3.1.0 server: a stack cover the user moves
 * by hand is held while it waits for a decision — a new frame of that burst arriving meanwhile is
 * stacked under the user's cover (the server's stack re-made around it) and tagged.
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
const LATE = BIRD.at(-1)!;
let user: ImmichUser;
let before: Uploaded;

beforeAll(async () => {
  user = await freshUser(realServer(), 'watch-manual');
  // Everything but the burst's last frame, which arrives while the conflict waits.
  before = await uploadPhotos(user, (p) => p !== LATE);
});

afterAll(async () => {
  if (user) await removeUser(user);
});

describe('--watch --conflict-strategy manual on a real server', () => {
  it('keeps the user’s stack cover while the conflict waits, and stacks a new frame under it', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'po-real-watch-manual-')), 'cache');
    const args = ['--immich-cache-dir', cache, '--tag-only', '--stack', '--enable-bidir-sync', '--conflict-strategy', 'manual'];
    const run = watchRealCli(user, [...args, '--watch', '--poll-interval', String(POLL_S), '--threads', '1']);
    const { until } = run;
    try {
      await until(/^Watching /);
      const state = await settled(user, before);
      const stack = state.stacks.find((s) => s.members.includes(BIRD[0]!))!;
      expect(stack.members).toEqual(BIRD.filter((b) => b !== LATE).sort());

      const other = BIRD.find((b) => b !== stack.cover && b !== LATE)!;
      const stackId = (await user.get<{ stack?: { id: string } | null }>(`/assets/${before.ids.get(other)!}`)).stack!.id;
      await user.put(`/stacks/${stackId}`, { primaryAssetId: before.ids.get(other)! });
      await until(/left for you to decide in review \(manual\)/);

      const from = run.output().length;
      const uploaded = await uploadPhotos(user, (p) => p === LATE);
      const lib = bothUploads(before, uploaded);
      await until(/cycle \d+: .*group_\d{4} changed/, from);
      await new Promise((r) => setTimeout(r, 3 * POLL_S * 1000));
      const after = await settled(user, lib);
      const held = after.stacks.find((s) => s.members.includes(BIRD[0]!))!;
      expect(held.members).toEqual([...BIRD].sort());
      expect(held.cover).toBe(other);
      const groupTag = Object.keys(after.tags).find((t) => /group-\d+$/.test(t) && after.tags[t]!.includes(BIRD[0]!))!;
      expect(after.tags[groupTag]).toContain(LATE);
      expect(run.output().match(/you made/g)).toHaveLength(1);
    } finally {
      const result = await run.stop();
      expect(result.code, result.stderr).toBe(0);
    }
  });
});
