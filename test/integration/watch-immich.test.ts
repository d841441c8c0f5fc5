/**
 * --watch on an Immich server (the fake one, behaving like v3.1.0 for `updatedAfter` and
 * `trashedAfter`): a burst uploaded while it watches is tagged and stacked within two polls, the
 * groups already there keep their numbers, a photo trashed leaves its group, and SIGTERM ends it
 * with exit code 0. With --conflict-strategy manual, a change of the user's waiting for a decision
 * holds while new frames join its burst.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropConflicts, loadConflicts } from '../../src/catalog/conflicts.js';
import { openDatabase } from '../../src/catalog/database.js';
import { immichScope, saveDecision } from '../../src/catalog/decisions.js';
import { memberSet } from '../../src/core/decisions.js';
import { apiBaseUrl, ImmichClient } from '../../src/immich/client.js';
import { ImmichChanges } from '../../src/sources/immich-changes.js';
import { FakeClock } from '../support/fake-clock.js';
import { type CliResult, OutputFollower } from '../support/cli.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { idOf, stacks, tagged, tagValues } from '../support/fake-immich/inspect.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';
import { reviewApi, startReview, stopReview } from '../support/review.js';
import type { FakeImmich } from '../support/fake-immich/server.js';

const BIRD = ['IMG_0101', 'IMG_0102', 'IMG_0103', 'IMG_0104', 'IMG_0105'].map((n) => `DCIM/100CANON/${n}.JPG`);

const fixture = useFakeImmich();

describe('--watch on an Immich server', () => {
  it('tags and stacks a burst uploaded while watching, keeps the other groups, lets a trashed photo go', async () => {
    const seeds = fixture.seeds();
    const burst = seeds.filter((s) => BIRD.includes(s.relativePath));
    const fake = await fixture.server(
      {},
      seeds.filter((s) => !BIRD.includes(s.relativePath)),
    );
    const w = await watching(fake, ['--tag-only', '--stack']);
    const { until } = w;
    const cycles = (): string[] =>
      w
        .output()
        .split('\n')
        .filter((l) => /cycle \d+:/.test(l));
    let result: CliResult | undefined;
    try {
      const before = tagged(fake, 'photo-organizer/group-0001');
      expect(before.length).toBeGreaterThan(0);

      const polls0 = fake.calls.filter((c) => c.path === '/api/search/metadata').length;
      for (const seed of burst) fake.state.upload(seed);
      await until(/cycle \d+: .*group_0002 new/);
      await fake.idle();
      expect(stacks(fake).find((s) => s.members.includes(BIRD[0]!))?.members).toEqual(BIRD);
      expect(tagged(fake, 'photo-organizer/group-0002')).toEqual(BIRD);
      expect(tagged(fake, 'photo-organizer/group-0001')).toEqual(before);
      // Found by the poll after the upload or the one after it: two polls ask two questions each.
      const line = cycles().find((l) => /group_0002 new/.test(l))!;
      expect(cycles().indexOf(line)).toBeLessThanOrEqual(2);
      expect(fake.calls.filter((c) => c.path === '/api/search/metadata').length).toBeGreaterThan(polls0);

      fake.state.trash(idOf(fake, BIRD[4]!));
      await until(/cycle \d+: .*group_0002 changed/);
      await fake.idle();
      expect(stacks(fake).find((s) => s.members.includes(BIRD[0]!))?.members).toEqual(BIRD.slice(0, 4));
    } finally {
      result = await w.stop();
    }
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Stopped watching.');
  }, 180_000);

  it('counts each upload, update and trashing once, and throws while the server is away', async () => {
    const seeds = fixture.seeds();
    const fake = await fixture.server({}, seeds.slice(1));
    const clock = new FakeClock(Date.now());
    const feed = new ImmichChanges(
      new ImmichClient({ url: fake.url, apiKey: fake.apiKey, verifyTls: true, retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 } }),
      clock,
    );
    const signal = new AbortController().signal;
    try {
      // The seeded assets were updated long ago: nothing new.
      expect(await feed.next(1000, signal)).toBe(0);
      fake.state.upload(seeds[0]!);
      expect(await feed.next(1000, signal)).toBe(1);
      expect(await feed.next(1000, signal)).toBe(0);
      fake.state.trash(seeds[1]!.id);
      expect(await feed.next(1000, signal)).toBe(1);
      expect(fake.calls.filter((c) => c.path === '/api/search/metadata').map((c) => Object.keys(c.body as object).sort())).toContainEqual([
        'size',
        'trashedAfter',
        'withExif',
      ]);
      await fake.close();
      await expect(feed.next(1000, signal)).rejects.toThrow();
    } finally {
      await feed.close();
    }
  });

  /** Starts --watch with `args`, waits for it to watch; returns what it printed so far and how to wait for more. */
  async function watching(fake: FakeImmich, args: string[]) {
    const cache = join(mkdtempSync(join(tmpdir(), 'po-watch-sync-')), 'cache');
    let child: ChildProcess | null = null;
    const out = new OutputFollower();
    const ended = runImmichCli(fake, [...args, '--watch', '--poll-interval', '1', '--threads', '1', '--immich-cache-dir', cache], {
      onSpawn: (c) => {
        child = c;
        out.follow(c);
      },
    });
    const until = (pattern: RegExp, from = 0, ms = 60_000): Promise<string> => out.until(pattern, from, ms);
    const stop = async () => {
      (child as ChildProcess | null)?.kill('SIGTERM');
      return ended;
    };
    /** Waits out the first run's own changes (its tags move the photos' updatedAt): one more cycle, then quiet. */
    const quiet = async (): Promise<void> => {
      await until(/cycle 2: .*no group changed/);
      await fake.idle();
      await new Promise((r) => setTimeout(r, 1500));
    };
    await until(/^Watching /);
    return { output: () => out.output(), until, stop, quiet, cache };
  }

  /** Watching with --conflict-strategy manual, once the user moved the bird burst's cover and the watch listed it. */
  async function coverLeftToDecide(fake: FakeImmich) {
    const w = await watching(fake, ['--tag-only', '--stack', '--enable-bidir-sync', '--conflict-strategy', 'manual']);
    try {
      await w.quiet();
      const cover = stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover;
      const other = BIRD.find((b) => b !== cover)!;
      moveCover(fake, BIRD[0]!, other);
      await w.until(/left for you to decide in review \(manual\)/);
      return { w, cover, other };
    } catch (error) {
      await w.stop();
      throw error;
    }
  }

  /** Moves the cover of the stack holding `member` to `cover`, as the user does in Immich. */
  function moveCover(fake: FakeImmich, member: string, cover: string): void {
    const stack = [...fake.state.stacks.values()].find((s) => s.assets.includes(idOf(fake, member)))!;
    stack.primary = idOf(fake, cover);
  }

  it('keeps a stack cover the user moved as a decision with remote_wins', async () => {
    const fake = await fixture.server();
    const w = await watching(fake, ['--tag-only', '--stack', '--enable-bidir-sync']);
    try {
      await fake.idle();
      const cover = stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover;
      const other = BIRD.find((b) => b !== cover)!;
      moveCover(fake, BIRD[0]!, other);
      const line = await w.until(
        new RegExp(`you made ${other.split('/').at(-1)!.replace('.', '\\.')} the stack cover .*kept as your decision \\(remote_wins\\)`),
      );
      // The cycle after the decision.
      await w.until(/cycle \d+: /, w.output().indexOf(line));
      await fake.idle();
      expect(stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover).toBe(other);
      expect(tagged(fake, 'photo-organizer/best')).toContain(other);
      expect(tagged(fake, 'photo-organizer/best')).not.toContain(cover);
      // Found once: the next polls see the decision kept, not a new change.
      await new Promise((r) => setTimeout(r, 2500));
      expect(w.output().match(/you made/g)).toHaveLength(1);
    } finally {
      const result = await w.stop();
      expect(result.code, result.stderr).toBe(0);
    }
  }, 180_000);

  it('puts its own cover back with local_wins', async () => {
    const fake = await fixture.server();
    const w = await watching(fake, ['--tag-only', '--stack', '--enable-bidir-sync', '--conflict-strategy', 'local_wins']);
    try {
      await fake.idle();
      const cover = stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover;
      moveCover(fake, BIRD[0]!, BIRD.find((b) => b !== cover)!);
      const line = await w.until(/putting this tool's choice back \(local_wins\)/);
      await w.until(/cycle \d+: /, w.output().indexOf(line));
      await fake.idle();
      expect(stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover).toBe(cover);
    } finally {
      await w.stop();
    }
  }, 180_000);

  it('puts this tool’s cover back once the review page decides for it (manual)', async () => {
    const fake = await fixture.server();
    const { w, cover } = await coverLeftToDecide(fake);
    try {
      const review = await startReview(['--immich-cache-dir', w.cache], { IMMICH_API_KEY: fake.apiKey });
      try {
        const api = reviewApi(review);
        const details = await Promise.all([1, 2, 3, 4].map(async (n) => (await api(`groups/${n}`)).body));
        const group = details.find((d) => (d.conflicts ?? []).length > 0);
        expect((await api('conflicts', { group: group.number, keep: 'tool' })).status).toBe(200);
        expect((await api(`groups/${group.number}`)).body.conflicts).toEqual([]);
      } finally {
        await stopReview(review.child);
      }
      const line = await w.until(/putting this tool's choice back \(decided in review\)/);
      await w.until(/cycle \d+: /, w.output().indexOf(line));
      await fake.idle();
      expect(stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover).toBe(cover);
      // Put back, the change is gone from the next polls: said once.
      await new Promise((r) => setTimeout(r, 2500));
      expect(w.output().match(/decided in review/g)).toHaveLength(1);
    } finally {
      await w.stop();
    }
  }, 180_000);

  it('keeps a decision the review page makes while a poll reads the server: that poll does not bring the change back', async () => {
    const fake = await fixture.server();
    const { w, other } = await coverLeftToDecide(fake);
    try {
      const catalog = join(w.cache, 'catalog.db');
      const scope = immichScope(apiBaseUrl(fake.url));
      let decided = false;
      // The next poll reads the stacks slowly; meanwhile the user keeps their change on the review
      // page (written to the catalog as the page writes it: the pick, then the conflict dropped).
      fake.inject({
        method: 'GET',
        path: '/api/stacks',
        delayMs: 1500,
        onMatch: () => {
          const db = openDatabase(catalog);
          try {
            const [waiting] = loadConflicts(db, scope);
            saveDecision(db, scope, { kind: 'pick', group: memberSet(waiting!.members), photo: waiting!.photo }, new Date());
            dropConflicts(db, scope, waiting!.members);
            decided = true;
          } finally {
            db.close();
          }
        },
      });
      await expect.poll(() => decided, { timeout: 30_000 }).toBe(true);
      // That poll, and the next two.
      await new Promise((r) => setTimeout(r, 4500));
      const db = openDatabase(catalog);
      try {
        expect(loadConflicts(db, scope)).toEqual([]);
      } finally {
        db.close();
      }
      expect(w.output().match(/left for you to decide/g)).toHaveLength(1);
      expect(stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover).toBe(other);
    } finally {
      await w.stop();
    }
  }, 180_000);

  it('lists the change once with manual, leaves the user’s cover in place, and shows it on the review page to decide', async () => {
    const fake = await fixture.server();
    const { w, cover, other } = await coverLeftToDecide(fake);
    try {
      await new Promise((r) => setTimeout(r, 2500));
      expect(w.output().match(/you made/g)).toHaveLength(1);
      expect(stacks(fake).find((st) => st.members.includes(BIRD[0]!))!.cover).toBe(other);
      expect(tagged(fake, 'photo-organizer/best')).toContain(cover);

      // The review page shows it on the group; keeping the user's change records the pick.
      const review = await startReview(['--immich-cache-dir', w.cache], { IMMICH_API_KEY: fake.apiKey });
      try {
        const api = reviewApi(review);
        const details = await Promise.all([1, 2, 3, 4].map(async (n) => (await api(`groups/${n}`)).body));
        const group = details.find((d) => (d.conflicts ?? []).length > 0);
        const name = (path: string): string => path.split('/').at(-1)!;
        expect(group.conflicts.map((c: { text: string }) => c.text)).toEqual([
          `On the server you made ${name(other)} the stack cover (this tool picked ${name(cover)})`,
        ]);
        const decided = await api('conflicts', { group: group.number, keep: 'server' });
        expect(decided.status, JSON.stringify(decided.body)).toBe(200);
        const after = (await api(`groups/${group.number}`)).body;
        expect(after.conflicts).toEqual([]);
        expect(after.frames.find((f: { isBest: boolean }) => f.isBest).name).toBe(name(other));
        expect((await api('conflicts', { group: group.number, keep: 'tool' })).status).toBe(409);
      } finally {
        await stopReview(review.child);
      }
    } finally {
      await w.stop();
    }
  }, 180_000);

  it('holds the user’s cover while the conflict waits (manual): a new frame is still tagged and stacked under it; put back once decided', async () => {
    const seeds = fixture.seeds();
    const late = seeds.find((s) => s.relativePath === BIRD[4])!;
    const fake = await fixture.server(
      {},
      seeds.filter((s) => s !== late),
    );
    const w = await watching(fake, ['--tag-only', '--stack', '--enable-bidir-sync', '--conflict-strategy', 'manual']);
    const birdStack = () => stacks(fake).find((st) => st.members.includes(BIRD[0]!))!;
    try {
      await w.quiet();
      const cover = birdStack().cover;
      const other = BIRD.slice(0, 4).find((b) => b !== cover)!;
      moveCover(fake, BIRD[0]!, other);
      await w.until(/left for you to decide in review \(manual\)/);

      // A new frame of that burst arrives while the conflict is open.
      const from = w.output().length;
      fake.state.upload(late);
      await w.until(/cycle \d+: .*group_\d+ changed/, from);
      await fake.idle();
      // Let the cycles the upload's own tag changes cause run too: the hold outlives them.
      await new Promise((r) => setTimeout(r, 3000));
      await fake.idle();
      expect(birdStack().members).toEqual(BIRD);
      expect(birdStack().cover).toBe(other);
      const groupTag = tagValues(fake).find((v) => /group-\d+$/.test(v) && tagged(fake, v).includes(BIRD[0]!))!;
      expect(tagged(fake, groupTag)).toEqual(BIRD);
      // Still one change waiting, said once.
      expect(w.output().match(/you made/g)).toHaveLength(1);

      const review = await startReview(['--immich-cache-dir', w.cache], { IMMICH_API_KEY: fake.apiKey });
      let best = '';
      try {
        const api = reviewApi(review);
        const details = await Promise.all([1, 2, 3, 4].map(async (n) => (await api(`groups/${n}`)).body));
        const group = details.find((d) => (d.conflicts ?? []).length > 0);
        expect(group.frames).toHaveLength(BIRD.length);
        best = BIRD.find((b) => b.endsWith(group.frames.find((f: { isBest: boolean }) => f.isBest).name))!;
        expect((await api('conflicts', { group: group.number, keep: 'tool' })).status).toBe(200);
      } finally {
        await stopReview(review.child);
      }
      const line = await w.until(/putting this tool's choice back \(decided in review\)/);
      await w.until(/cycle \d+: /, w.output().indexOf(line));
      await fake.idle();
      expect(birdStack().cover).toBe(best);
      expect(birdStack().members).toEqual(BIRD);
    } finally {
      const result = await w.stop();
      expect(result.code, result.stderr).toBe(0);
    }
  }, 180_000);

  it('keeps a photo the user took out of the stack out while the conflict waits (manual), and stacks a new frame', async () => {
    const seeds = fixture.seeds();
    const late = seeds.find((s) => s.relativePath === BIRD[4])!;
    const fake = await fixture.server(
      {},
      seeds.filter((s) => s !== late),
    );
    const w = await watching(fake, ['--tag-only', '--stack', '--enable-bidir-sync', '--conflict-strategy', 'manual']);
    const birdStack = () => stacks(fake).find((st) => st.members.includes(BIRD[0]!) || st.members.includes(BIRD[1]!))!;
    try {
      await w.quiet();
      const cover = birdStack().cover;
      const taken = BIRD.slice(0, 4).find((b) => b !== cover)!;
      const live = [...fake.state.stacks.values()].find((st) => st.assets.includes(idOf(fake, taken)))!;
      live.assets.splice(live.assets.indexOf(idOf(fake, taken)), 1);
      await w.until(/you took .* out of its stack; left for you to decide in review \(manual\)/);

      const from = w.output().length;
      fake.state.upload(late);
      await w.until(/cycle \d+: .*group_\d+ changed/, from);
      await fake.idle();
      await new Promise((r) => setTimeout(r, 3000));
      await fake.idle();
      expect(birdStack().members).toEqual(BIRD.filter((b) => b !== taken));
      expect(stacks(fake).some((st) => st.members.includes(taken))).toBe(false);
      const groupTag = tagValues(fake).find((v) => /group-\d+$/.test(v) && tagged(fake, v).includes(late.relativePath))!;
      expect(tagged(fake, groupTag)).toEqual(BIRD);
      expect(w.output().match(/you took/g)).toHaveLength(1);
    } finally {
      const result = await w.stop();
      expect(result.code, result.stderr).toBe(0);
    }
  }, 180_000);
});
