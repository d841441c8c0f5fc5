/**
 * Review's apply on a real Immich v3.1.0 server, driven through the review page's HTTP API (no
 * browser): a new best pick swaps `best` and `non-best` between two photos — two tag changes of
 * each of them, the case the server used to lose — and moves the favourite star. Judged once the
 * server has settled, sidecars included.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewApi, startReview, stopReview } from '../support/review.js';
import { runRealCli } from './support/cli.js';
import { BIRD } from '../support/library.js';
import { type Uploaded, uploadSmallLibrary } from './support/library.js';
import { ourSidecarTags, settled, tagsByPath } from './support/observe.js';
import { freshUser, type ImmichUser, realServer, removeUser } from './support/server.js';

let user: ImmichUser;
let lib: Uploaded;

beforeAll(async () => {
  user = await freshUser(realServer(), 'review');
  lib = await uploadSmallLibrary(user);
});

afterAll(async () => {
  if (user) await removeUser(user);
});

describe('review apply on a real server', () => {
  it('moves best, non-best and the favourite to the photo picked in review, and it sticks', async () => {
    const cache = join(mkdtempSync(join(tmpdir(), 'po-real-review-')), 'cache');
    const run = await runRealCli(user, ['--immich-cache-dir', cache, '--tag-only', '--mark-best-favorite', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    const before = await settled(user, lib);
    const oldBest = (before.tags['photo-organizer/best'] ?? []).find((p) => BIRD.includes(p))!;
    const newBest = BIRD.find((p) => p !== oldBest)!;

    const review = await startReview(['--immich-cache-dir', cache], { IMMICH_API_KEY: user.apiKey });
    try {
      expect(review.output()).not.toContain(user.apiKey);
      const api = reviewApi(review);
      const bird = (await api('groups/2')).body;
      const target = bird.frames.find((fr: { name: string }) => fr.name === basename(newBest));
      expect((await api('changes', { kind: 'pick', group: 2, photo: target.id })).status).toBe(200);
      const applied = await api('apply', { confirm: true });
      expect(applied.status).toBe(200);
      expect(applied.body.failed).toEqual([]);
      expect(review.output()).not.toContain(user.apiKey);
    } finally {
      await stopReview(review.child);
    }

    const state = await settled(user, lib);
    const expected = { ...tagsByPath(before) };
    expected[oldBest] = ['photo-organizer/group-0002', 'photo-organizer/non-best'];
    expected[newBest] = ['photo-organizer/best', 'photo-organizer/group-0002'];
    expect(tagsByPath(state)).toEqual(expected);
    expect(ourSidecarTags(state)).toEqual(expected);
    expect(state.favorites).toEqual(before.favorites.map((p) => (p === oldBest ? newBest : p)).sort());
  });
});
