/**
 * Reviewing an Immich run: the real CLI organizes the fake server's library (local tree, albums,
 * tags, favourites), `photo-organizer review` serves it, a new best pick is applied through the
 * page's API, and the server, the tree and the report must show it — touching only the changed
 * group — and a re-run must keep it without a single write. The confirmation is screenshotted.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { albums, archived, favorites, idOf, pathOf, tagged } from '../support/fake-immich/inspect.js';
import { useFakeImmich } from '../support/fake-immich/lifecycle.js';
import { CHROMIUM, CHROMIUM_ARGS, reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';
import { BIRD } from '../support/library.js';

const RUN = ['--create-albums', '--mark-best-favorite', '--threads', '2'];

const fixture = useFakeImmich();

/** A photo's file in the local tree: its name with the extension of the preview downloaded (JPEG). */
const treeName = (path: string): string => basename(path).replace(/\.[^.]+$/, '.jpg');

function scratch(): { out: string; cache: string } {
  const base = mkdtempSync(join(tmpdir(), 'po-immich-review-'));
  return { out: join(base, 'Organized'), cache: join(base, 'cache') };
}

describe('review of an Immich run', () => {
  it('changes a best pick on the server and in the tree, touching only that group, and re-runs keep it', async () => {
    const f = await fixture.server();
    const { out, cache } = scratch();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, ...RUN]);
    expect(run.code, run.stderr).toBe(0);
    const bests = tagged(f, 'photo-organizer/best');
    const oldBest = bests.find((p) => BIRD.includes(p))!;
    const otherBest = bests.find((p) => !BIRD.includes(p))!;
    const newBest = BIRD.find((p) => p !== oldBest)!;
    const albumsBefore = albums(f);
    f.clearCalls();

    const review = await startReview(['-o', out, '--immich-cache-dir', cache], { IMMICH_API_KEY: f.apiKey });
    try {
      const api = reviewApi(review);
      const summary = (await api('summary')).body;
      expect(summary.run).toMatchObject({ sourceType: 'immich', source: f.url, output: out });
      expect(summary.groups).toBe(2);
      const bird = (await api('groups/2')).body;
      expect(bird.frames.map((fr: { name: string }) => fr.name).sort()).toEqual(BIRD.map((p) => basename(p)));
      expect(bird.frames.find((fr: { isBest: boolean }) => fr.isBest).name).toBe(basename(oldBest));

      // Pictures come from the run's download cache: showing them downloads nothing.
      const { origin, cookie } = reviewCookie(review);
      for (const variant of ['grid', 'view', 'full']) {
        const res = await fetch(`${origin}/img/${bird.frames[0].id}/${variant}`, { headers: { cookie } });
        expect(res.status, variant).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
      }
      expect(f.calls.filter((c) => c.path.endsWith('/thumbnail') || c.path.endsWith('/original'))).toEqual([]);

      const target = bird.frames.find((fr: { name: string }) => fr.name === basename(newBest));
      expect((await api('changes', { kind: 'pick', group: 2, photo: target.id })).status).toBe(200);
      const preview = (await api('apply')).body;
      expect(preview.sections).toHaveLength(2);
      expect(preview.sections[0].intro).toContain(out);
      expect(preview.sections[0].items).toEqual([{ label: 'group_0002', text: `best ${treeName(oldBest)} → ${treeName(newBest)}` }]);
      expect(preview.sections[1].intro).toContain(f.url);
      const lines = preview.sections[1].items.map((i: { text: string }) => i.text).sort();
      expect(lines).toEqual(
        [
          `mark 1 photo favorite: ${basename(newBest)}`,
          `tag 1 photo photo-organizer/best: ${basename(newBest)}`,
          `tag 1 photo photo-organizer/non-best: ${basename(oldBest)}`,
          `unmark 1 photo favorite: ${basename(oldBest)}`,
          `untag photo-organizer/best from 1 photo: ${basename(oldBest)}`,
          `untag photo-organizer/non-best from 1 photo: ${basename(newBest)}`,
        ].sort(),
      );
      expect(f.writes()).toEqual([]);

      // The confirmation, as the page shows it.
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(review.url);
        await page.waitForSelector('.card');
        await page.click('#apply');
        await page.waitForSelector('#apply-dialog[open] li');
        expect(await page.locator('#apply-dialog li').count()).toBe(7);
        expect(await page.locator('#apply-confirm').textContent()).toBe('Apply 7 changes');
        await page.screenshot({ path: join(out, '..', 'immich-apply.png') });
        await page.keyboard.press('Escape');
      } finally {
        await browser.close();
      }

      const applied = await api('apply', { confirm: true });
      expect(applied.status).toBe(200);
      expect(applied.body.failed).toEqual([]);
      expect(applied.body.message).toMatch(
        /^Applied: \d+ files written, \d+ removed; 6 photo changes made on the server; report rewritten\.$/,
      );
      // Every write was about the two photos that swapped roles.
      const touched = new Set([idOf(f, oldBest), idOf(f, newBest)]);
      for (const call of f.writes()) {
        const body = call.body as { ids?: string[]; assetIds?: string[] };
        for (const id of body.ids ?? body.assetIds ?? [])
          expect(touched.has(id), `${call.method} ${call.path} ${pathOf(f, id)}`).toBe(true);
      }
    } finally {
      expect(await stopReview(review.child)).toBe(0);
    }

    expect(tagged(f, 'photo-organizer/best')).toEqual([otherBest, newBest].sort());
    expect(favorites(f)).toEqual([otherBest, newBest].sort());
    expect(albums(f)).toEqual(albumsBefore);
    expect(readdirSync(join(out, 'group_0002')).filter((n) => n.startsWith('best_'))).toEqual([`best_${treeName(newBest)}`]);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const group = report.groups.find((g) => g.id === 'group_0002')!;
    expect(group.photos.find((p) => p.isBest)!.relativePath).toBe(basename(newBest));
    expect(group.photos.find((p) => p.isBest)!.reason).toMatch(/^chosen in review/);

    // A re-run replays the decision: nothing to change on the server.
    f.clearCalls();
    const again = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, ...RUN]);
    expect(again.code, again.stderr).toBe(0);
    expect(f.writes()).toEqual([]);
    expect(tagged(f, 'photo-organizer/best')).toEqual([otherBest, newBest].sort());
    expect(readdirSync(join(out, 'group_0002')).filter((n) => n.startsWith('best_'))).toEqual([`best_${treeName(newBest)}`]);

    // --force-fresh judges every picture again but keeps the decision with its photos.
    const fresh = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, '--force-fresh', ...RUN]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain('and your review decisions');
    expect(f.writes()).toEqual([]);
  });

  it('favourites a keeper marked in review and takes it out of the archive, and a re-run keeps it so', async () => {
    const f = await fixture.server();
    const { out, cache } = scratch();
    const flags = ['--mark-best-favorite', '--archive-non-best', '--threads', '2'];
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, ...flags]);
    expect(run.code, run.stderr).toBe(0);
    const best = favorites(f).find((p) => BIRD.includes(p))!;
    const keeper = BIRD.find((p) => p !== best)!;
    expect(archived(f)).toContain(keeper);

    const review = await startReview(['-o', out, '--immich-cache-dir', cache], { IMMICH_API_KEY: f.apiKey });
    try {
      const api = reviewApi(review);
      const bird = (await api('groups/2')).body;
      const frame = bird.frames.find((fr: { name: string }) => fr.name === basename(keeper));
      expect((await api('changes', { kind: 'keep', group: 2, photo: frame.id, keep: true })).status).toBe(200);
      // The best is kept anyway: refused.
      const bestFrame = bird.frames.find((fr: { isBest: boolean }) => fr.isBest);
      expect((await api('changes', { kind: 'keep', group: 2, photo: bestFrame.id, keep: true })).status).toBe(409);
      const lines = (await api('apply')).body.sections.flatMap((s: { items: { text: string }[] }) => s.items.map((i) => i.text));
      expect(lines).toEqual(
        expect.arrayContaining([`mark 1 photo favorite: ${basename(keeper)}`, expect.stringMatching(/^unarchive 1 photo/)]),
      );
      const applied = (await api('apply', { confirm: true })).body;
      expect(applied.failed).toEqual([]);
    } finally {
      expect(await stopReview(review.child)).toBe(0);
    }
    expect(favorites(f)).toContain(keeper);
    expect(archived(f)).not.toContain(keeper);
    expect(readdirSync(join(out, 'group_0002')).filter((n) => n.startsWith('keep_'))).toEqual([`keep_${treeName(keeper)}`]);

    // A re-run replays the keeper: nothing to change.
    f.clearCalls();
    const again = await runImmichCli(f, ['--immich-cache-dir', cache, '-o', out, ...flags]);
    expect(again.code, again.stderr).toBe(0);
    expect(f.writes()).toEqual([]);
  });

  it('finds a run without -o in its cache folder, and needs the API key', async () => {
    const f = await fixture.server();
    const { cache } = scratch();
    const run = await runImmichCli(f, ['--immich-cache-dir', cache, '--tag-only', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(cache, 'catalog.db'))).toBe(true);

    const keyless = await runCli(['review', '--immich-cache-dir', cache], { env: { IMMICH_API_KEY: '' } });
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/needs an API key: set IMMICH_API_KEY/);
    const wrongKey = await runCli(['review', '--immich-cache-dir', cache], { env: { IMMICH_API_KEY: 'not-the-key' } });
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/cannot use .*401/);

    const review = await startReview(['--immich-cache-dir', cache], { IMMICH_API_KEY: f.apiKey });
    try {
      const api = reviewApi(review);
      const summary = (await api('summary')).body;
      expect(summary.run).toMatchObject({ sourceType: 'immich', output: null });
      // A tag-only run has no tree: "apply" is about the server alone.
      const bird = (await api('groups/2')).body;
      const other = bird.frames.find((fr: { isBest: boolean }) => !fr.isBest);
      await api('changes', { kind: 'exclude', group: 2, photo: other.id });
      // A server that refuses the key now: said on the page, nothing changed.
      f.inject({ method: 'GET', path: '/api/tags', status: 401 });
      const refused = await api('apply');
      expect(refused.status).toBe(502);
      expect(refused.body.error).toMatch(/^The Immich server: .*401/);
      const preview = (await api('apply')).body;
      expect(preview.sections).toHaveLength(1);
      expect(preview.sections[0].items.map((i: { text: string }) => i.text)).toEqual(
        expect.arrayContaining([
          `untag photo-organizer/group-0002 from 1 photo: ${other.name}`,
          `untag photo-organizer/non-best from 1 photo: ${other.name}`,
        ]),
      );
      const applied = (await api('apply', { confirm: true })).body;
      expect(applied.failed).toEqual([]);
      expect(tagged(f, 'photo-organizer/group-0002')).not.toContain(BIRD.find((p) => basename(p) === other.name));
      const report = await readReport(join(cache, 'reports', 'latest.json'));
      expect(report.groups.find((g) => g.id === 'group_0002')!.photos).toHaveLength(4);
      expect(report.ungrouped).toContain(other.name);
    } finally {
      await stopReview(review.child);
    }
  });
});
