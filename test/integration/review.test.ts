/**
 * The review page end to end: the real CLI organizes a generated library, `photo-organizer
 * review` serves it, and Debian's Chromium (driven by playwright-core) reviews it with the
 * keyboard — a new best pick, a split, an undo, apply — after which the output folder, the
 * catalog's decisions and latest.json must show the changes, and a re-run must keep them.
 * Screenshots (1280x800 and 390x844, light and dark) go to a temp folder, printed below
 * (or REVIEW_SHOTS_DIR).
 */
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportGroup } from '../../src/report/schema.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary } from '../support/library.js';
import { openChromium, type RunningReview, startReview, stopReview } from '../support/review.js';

/** The page answers through its server: on a busy machine a change can take seconds to show. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

const bestOf = (g: ReportGroup): string => g.photos.find((p) => p.isBest)!.relativePath;
const outputNameOf = (g: ReportGroup, relativePath: string): string => g.photos.find((p) => p.relativePath === relativePath)!.outputName!;

describe('photo-organizer review', () => {
  let photos: string;
  let out: string;
  let shots: string;
  let review: RunningReview;
  let base: string;
  let context: BrowserContext;
  let page: Page;
  let before: Report;
  /** The group reviewed: a burst or similar shots with at least 4 photos. */
  let target: ReportGroup;
  let targetIndex: number;
  /** The target's photos as the page lists them (capture order). */
  let shown: ReportGroup['photos'];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-review-'));
    photos = join(dir, 'Photos');
    out = join(dir, 'Organized');
    shots = process.env.REVIEW_SHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'po-review-shots-'));
    mkdirSync(shots, { recursive: true });
    console.log(`review screenshots: ${shots}`);
    await buildLibrary(photos, { variant: 'full' });
    const run = await runCli(['-s', photos, '-o', out, '--face-backend', 'none', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    before = await readReport(join(out, 'reports', 'latest.json'));
    targetIndex = before.groups.findIndex((g) => g.kind !== 'duplicate' && g.photos.length >= 4);
    target = before.groups[targetIndex]!;
    review = await startReview(['-o', out]);
    base = new URL(review.url).origin;
    ({ context, page } = await openChromium({ width: 1280, height: 800 }));
  });

  afterAll(async () => {
    await context?.close();
    if (review) expect(await stopReview(review.child)).toBe(0);
  });

  /** Selects frame `index` of the group view with the arrow keys. */
  const select = async (index: number): Promise<void> => {
    const now = Number(await page.locator('.frame.selected').getAttribute('data-index'));
    for (let i = 0; i < Math.abs(index - now); i++) await page.keyboard.press(index > now ? 'ArrowRight' : 'ArrowLeft');
    await poll(() => page.locator('.frame.selected').getAttribute('data-index')).toBe(String(index));
  };

  const shoot = async (name: string): Promise<void> => {
    await page.waitForTimeout(250); // let lazy pictures settle
    await page.screenshot({ path: join(shots, `${name}.png`) });
  };

  it('refuses every request without the token, and sets it as a strict HttpOnly cookie', async () => {
    for (const path of ['/', '/static/app.js', '/api/summary', '/api/groups', '/img/1/grid']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(403);
      expect((await fetch(`${base}${path}?token=wrong`)).status, path).toBe(403);
      expect((await fetch(`${base}${path}`, { headers: { cookie: `po_review_${new URL(base).port}=wrong` } })).status, path).toBe(403);
    }
    const first = await fetch(review.url);
    expect(first.status).toBe(200);
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const token = cookie.split(';')[0]!;
    const summary = await fetch(`${base}/api/summary`, { headers: { cookie: token } });
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({ groups: before.groups.length, decisions: 0 });
    // The API pages the groups and refuses pages larger than it serves.
    const page1 = (await (await fetch(`${base}/api/groups?limit=2&offset=1`, { headers: { cookie: token } })).json()) as {
      total: number;
      cards: { folder: string }[];
    };
    expect(page1.total).toBe(before.groups.length);
    expect(page1.cards.map((c) => c.folder)).toEqual(before.groups.slice(1, 3).map((g) => g.folder));
    expect((await fetch(`${base}/api/groups?limit=5000`, { headers: { cookie: token } })).status).toBe(400);
    // Another site's form cannot post: JSON only.
    const form = await fetch(`${base}/api/undo`, {
      method: 'POST',
      headers: { cookie: token, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
  });

  it('shows the groups, and opens one with the keyboard', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(review.url);
    await page.waitForSelector('.card .thumb img.loaded');
    expect(await page.locator('.card').count()).toBe(before.groups.length);
    expect(new URL(page.url()).search).toBe(''); // the token left the address bar once the cookie was set
    await shoot('grid-1280-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('grid-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    for (let i = 0; i < targetIndex; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#group-view:not([hidden]) .frame');
    expect(await page.locator('#group-name').textContent()).toContain(target.id);
    expect(await page.locator('.frame').count()).toBe(target.photos.length);
    const paths = await page.locator('.frame .name').evaluateAll((els) => els.map((el) => el.getAttribute('title')));
    shown = paths.map((path) => target.photos.find((p) => p.relativePath === path)!);
    expect(shown.every(Boolean)).toBe(true);
    expect(await page.locator('.frame.best .name').textContent()).toBe(target.best.split('/').pop());
    await shoot('group-1280-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('group-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('takes a photo out with x and merges the next group in with m, each undone with u; Enter zooms to 100 %', async () => {
    const n = target.photos.length;
    await select(1);
    await page.keyboard.press('x');
    await poll(() => page.locator('.frame').count()).toBe(n - 1);
    await page.keyboard.press('u');
    await poll(() => page.locator('.frame').count()).toBe(n);
    await page.keyboard.press('m');
    await poll(() => page.locator('.frame').count()).toBe(n + before.groups[targetIndex + 1]!.photos.length);
    await page.keyboard.press('u');
    await poll(() => page.locator('.frame').count()).toBe(n);

    await page.keyboard.press('Enter');
    await page.waitForSelector('#viewer:not([hidden])');
    const selected = shown[Number(await page.locator('.frame.selected').getAttribute('data-index'))]!;
    await poll(() =>
      page.locator('#viewer .pane img').evaluate((img) => (img.complete && img.src.includes('/full') ? img.naturalWidth : 0)),
    ).toBe(selected.width);
    await shoot('zoom-1280-light');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden' });
  });

  it('picks another best with space, splits with s, undoes with u', async () => {
    const names = shown.map((p) => p.relativePath.split('/').pop()!);
    const bestIndex = shown.findIndex((p) => p.isBest);
    // Select a frame that is not the best: the first, or the second when the first is the best.
    const pick = bestIndex === 0 ? 1 : 0;
    await select(pick);
    await page.keyboard.press(' ');
    await poll(() => page.locator('.frame.best .name').textContent()).toBe(names[pick]);
    expect(await page.locator('#toast').textContent()).toContain(`Picked ${names[pick]} as the best`);

    // Split off the last two photos (the pick stays behind), then take it back, then split again.
    const splitAt = shown.length - 2;
    await select(splitAt);
    await page.keyboard.press('s');
    await poll(() => page.locator('.frame').count()).toBe(splitAt);
    expect(await page.locator('.frame.best .name').textContent()).toBe(names[pick]);
    await page.keyboard.press('u');
    await poll(() => page.locator('.frame').count()).toBe(shown.length);
    expect(await page.locator('#toast').textContent()).toMatch(/^Undone: split/);
    await select(splitAt);
    await page.keyboard.press('s');
    await poll(() => page.locator('.frame').count()).toBe(splitAt);
    await shoot('group-changed-1280-light');

    const db = new Database(join(out, '.photo-organizer', 'catalog.db'), { readonly: true });
    try {
      const rows = db.prepare<[], { kind: string; data: string }>('SELECT kind, data FROM decisions ORDER BY id').all();
      expect(rows.map((r) => r.kind)).toEqual(['pick', 'split']);
      expect(JSON.parse(rows[1]!.data).part).toHaveLength(2);
    } finally {
      db.close();
    }
  });

  it('lists the changed groups in a confirmation, then applies them and rewrites the report', async () => {
    const names = shown.map((p) => p.relativePath);
    const picked = names[shown.findIndex((p) => p.isBest) === 0 ? 1 : 0]!;
    const newFolder = `group_${String(before.groups.length + 1).padStart(4, '0')}`;
    await page.click('#apply');
    await page.waitForSelector('#apply-dialog[open] li');
    const lines = await page.locator('#apply-dialog li').allTextContents();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(target.folder!);
    expect(lines[0]).toContain(`→ ${outputNameOf(target, picked)}`);
    expect(lines[1]).toContain(`${newFolder}new folder: 2 photos`);
    await shoot('apply-1280-light');
    await page.click('#apply-confirm');
    await poll(() => page.locator('#toast').textContent()).toMatch(/^Applied:/);

    const folder = join(out, target.folder!);
    const bests = readdirSync(folder).filter((f) => f.startsWith('best_'));
    expect(bests).toEqual([`best_${outputNameOf(target, picked)}`]);
    expect(readdirSync(join(folder, 'originals')).sort()).toEqual(
      shown
        .slice(0, -2)
        .map((p) => p.outputName)
        .sort(),
    );
    expect(readdirSync(join(out, newFolder, 'originals')).sort()).toEqual(
      shown
        .slice(-2)
        .map((p) => p.outputName)
        .sort(),
    );

    const after = await readReport(join(out, 'reports', 'latest.json'));
    const changed = after.groups.find((g) => g.id === target.id)!;
    expect(bestOf(changed)).toBe(picked);
    expect(changed.photos.find((p) => p.isBest)!.reason).toMatch(/^chosen in review; /);
    expect(after.groups.find((g) => g.id === newFolder)!.photos.map((p) => p.relativePath)).toEqual(names.slice(-2));
    expect(after.summary.groups).toBe(before.groups.length + 1);

    // Applying again has nothing left to do.
    await page.click('#apply');
    await page.waitForSelector('#apply-dialog[open]');
    expect(await page.locator('#apply-body').textContent()).toContain('Nothing to apply');
    await page.keyboard.press('Escape');
  });

  it('looks right on a phone-sized window, light and dark', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'light' });
    await shoot('group-390-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('group-390-dark');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#grid-view:not([hidden]) .card .thumb img.loaded');
    await shoot('grid-390-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await shoot('grid-390-light');
    // Nothing overflows sideways.
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    // "Changed by me": the reviewed group and the part split off it.
    await page.click('.toggle:has(input[name=changed])');
    await poll(() => page.locator('.card .folder').allTextContents()).toEqual([
      target.id,
      `group_${String(before.groups.length + 1).padStart(4, '0')}`,
    ]);
    await shoot('grid-changed-390-light');
    await page.click('.toggle:has(input[name=changed])');
    await poll(() => page.locator('.card').count()).toBe(before.groups.length + 1);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('keeps the decisions on a re-run of the organizer', async () => {
    const picked = shown[shown.findIndex((p) => p.isBest) === 0 ? 1 : 0]!.relativePath;
    const again = await runCli(['-s', photos, '-o', out, '--face-backend', 'none', '--threads', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/— 0 files written/);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(bestOf(report.groups.find((g) => g.id === target.id)!)).toBe(picked);
    expect(report.groups).toHaveLength(before.groups.length + 1);
    expect(readdirSync(join(out, target.folder!)).filter((f) => f.startsWith('best_'))).toEqual([`best_${outputNameOf(target, picked)}`]);
    // The open page follows the new run.
    const summary = await page.evaluate(async () => (await fetch('/api/summary')).json());
    expect(summary).toMatchObject({ reloaded: true, decisions: 2, changed: 2 });
  });
});

describe('photo-organizer review without a run to review', () => {
  it('says so and exits with 2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'po-review-empty-'));
    const result = await runCli(['review', '-o', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no catalog at .*catalog\.db: run the organizer first/);
    const bad = await runCli(['review', '-o', empty, '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected an integer between 0 and 65535 for --port but received 70000');
  });
});
