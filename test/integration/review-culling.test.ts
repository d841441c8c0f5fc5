/**
 * The review page as a culling tool, driven in Chromium: frames in capture order, the keys
 * (? overlay, Space picks in the viewer too, Esc goes back one level, ←/→ flips the 100 % view
 * at the same zoom and spot), and the compare view, whose panes must show the same region of
 * their pictures after every zoom and pan.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/catalog/database.js';
import { saveFaceAnalyses } from '../../src/catalog/faces.js';
import type { FaceRecord } from '../../src/core/faces.js';
import type { Report, ReportGroup } from '../../src/report/schema.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary } from '../support/library.js';
import { openChromium, reviewApi, type RunningReview, startReview, stopReview } from '../support/review.js';
import { asPhotoId } from '../../src/core/types.js';

/** The page answers through its server: on a busy machine a change can take seconds to show. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

/** The part of its picture a viewer pane shows, in fractions of the picture. */
interface Region {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

describe('photo-organizer review as a culling tool', () => {
  let out: string;
  let shots: string;
  let review: RunningReview;
  let context: BrowserContext;
  let page: Page;
  let report: Report;
  /** The burst: the group with the most photos. */
  let burst: ReportGroup;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-cull-'));
    const photos = join(dir, 'Photos');
    out = join(dir, 'Organized');
    shots = process.env.REVIEW_SHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'po-cull-shots-'));
    mkdirSync(shots, { recursive: true });
    console.log(`culling screenshots: ${shots}`);
    await buildLibrary(photos, { variant: 'small' });
    const run = await runCli(['-s', photos, '-o', out, '--face-backend', 'none', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    report = await readReport(join(out, 'reports', 'latest.json'));
    burst = [...report.groups].sort((a, b) => b.photos.length - a.photos.length)[0]!;
    expect(burst.photos.length).toBeGreaterThanOrEqual(3);
    review = await startReview(['-o', out]);
    await addFaces();
    ({ context, page } = await openChromium({ width: 1280, height: 800 }));
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(review.url);
    await page.waitForSelector('.card .thumb img.loaded');
  });

  afterAll(async () => {
    await context?.close();
    if (review) expect(await stopReview(review.child)).toBe(0);
  });

  /**
   * Two people in the burst (as a face analyzer would have found them): the left one blinks in
   * the second frame, the right one is missed in the last. Written to the catalog the review
   * reads, whose group view loads faces on each visit.
   */
  const addFaces = async (): Promise<void> => {
    const detail = (await reviewApi(review)(`groups/${Number(burst.id.slice(6))}`)).body as { frames: { id: number }[] };
    const face = (x: number, aspect: number, sharpness: number): FaceRecord => ({
      confidence: 0.95,
      box: { x, y: 0.3, width: 0.08, height: 0.14 },
      yaw: 0,
      pitch: 0,
      leftEye: { aspect, irisShown: null },
      rightEye: { aspect, irisShown: null },
      happy: 0.1,
      smileShape: 0.1,
      smile: x > 0.5 ? 0.8 : 0.1,
      sharpness,
      descriptor: new Float32Array(),
    });
    const n = detail.frames.length;
    const db = openDatabase(join(out, '.photo-organizer', 'catalog.db'));
    saveFaceAnalyses(
      db,
      detail.frames.map((f, i) => {
        // Listed right to left in some frames, as a detector may: rows must not care.
        const faces = [face(0.2 + i * 0.005, i === 1 ? 0.04 : 0.3, 0.5 + i / 10), ...(i === n - 1 ? [] : [face(0.6, 0.28, 1)])];
        return {
          photoId: asPhotoId(f.id),
          analysis: { analyzer: 'test', width: 1024, height: 576, faces: i % 2 ? faces.reverse() : faces, note: null },
        };
      }),
    );
    db.close();
  };

  const shoot = async (name: string): Promise<void> => {
    await page.waitForTimeout(250); // let pictures settle
    await page.screenshot({ path: join(shots, `${name}.png`) });
  };

  const openBurst = async (): Promise<void> => {
    // Through the grid, so a viewer left open by a failed test is closed too.
    await page.evaluate(`location.hash = '#/'`);
    await page.waitForSelector('#grid-view:not([hidden])');
    await page.evaluate(`location.hash = '#/group/${Number(burst.id.slice(6))}'`);
    await page.waitForSelector('#group-view:not([hidden]) .frame');
  };

  /** What each pane shows now, once its picture is placed. */
  const regions = (): Promise<Region[]> =>
    page.locator('#viewer .pane').evaluateAll((panes) =>
      panes.map((pane) => {
        const p = pane.getBoundingClientRect();
        const i = pane.querySelector('img')!.getBoundingClientRect();
        return { x: (p.left - i.left) / i.width, y: (p.top - i.top) / i.height, w: p.width / i.width, h: p.height / i.height };
      }),
    );

  const expectSame = (a: Region, b: Region): void => {
    for (const k of ['x', 'y', 'w', 'h'] as const) expect(Math.abs(a[k] - b[k]), `${k}: ${a[k]} vs ${b[k]}`).toBeLessThan(0.002);
  };

  const selectedIndex = async (): Promise<number> => Number(await page.locator('.frame.selected').getAttribute('data-index'));

  it('lists frames in capture order with their offsets from the first', async () => {
    await openBurst();
    const offsets = await page.locator('.frame .ordinal').allTextContents();
    expect(offsets[0]).toBe(`1/${burst.photos.length}`);
    const seconds = offsets.slice(1).map((t) => Number(/\+(\d+(?:\.\d+)?) s$/.exec(t)?.[1]));
    expect(seconds.every((s) => Number.isFinite(s))).toBe(true);
    expect([...seconds].sort((a, b) => a - b)).toEqual(seconds);
    await shoot('cull-group-1280-light');
  });

  it('shows every key in a ? overlay, and Esc steps back one level', async () => {
    await openBurst();
    await page.keyboard.press('?');
    await page.waitForSelector('#help[open]');
    const text = await page.locator('#help-body').textContent();
    for (const words of ['pick best', 'mark to compare', 'flip photo', 'fit ↔ 100 %', '100 % there', 'open group'])
      expect(text).toContain(words);
    await shoot('cull-keys-1280-light');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#help', { state: 'hidden' });
    await page.keyboard.press('Enter');
    await page.waitForSelector('#viewer:not([hidden])');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden' });
    expect(await page.locator('#group-view').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#grid-view:not([hidden])');
  });

  it('flips the 100 % view through the frames at the same zoom and spot, and picks with Space there', async () => {
    await openBurst();
    const from = burst.photos.findIndex((p) => p.isBest) === 0 ? 1 : 0;
    for (let i = await selectedIndex(); i > from; i--) await page.keyboard.press('ArrowLeft');
    await page
      .locator('.frame')
      .nth(from)
      .locator('.picture')
      .click({ position: { x: 30, y: 30 } });
    await page.waitForSelector('#viewer:not([hidden])');
    expect(await page.locator('#viewer-zoom').textContent()).toBe('100 %');
    for (let i = 0; i < 3; i++) await page.keyboard.press('+');
    const [at] = await regions();
    expect(at!.w).toBeLessThan(0.8); // a part of the picture
    const first = await page.locator('#viewer-title').textContent();
    await page.keyboard.press('ArrowRight');
    await poll(() => page.locator('#viewer-title').textContent()).not.toBe(first);
    expect(await selectedIndex()).toBe(from + 1);
    expectSame((await regions())[0]!, at!);
    await page.keyboard.press('ArrowLeft');
    await poll(() => page.locator('#viewer-title').textContent()).toBe(first);
    // Space picks the photo shown; the viewer stays, with the new best's badge.
    await page.keyboard.press(' ');
    await page.waitForSelector('#viewer .pane-label .badge');
    expect(await page.locator('#viewer').isVisible()).toBe(true);
    expectSame((await regions())[0]!, at!);
    await page.keyboard.press('Escape');
    await poll(() => page.locator('.frame.best').getAttribute('data-index')).toBe(String(from));
    await page.keyboard.press('u');
    await poll(() => page.locator('.frame.best').getAttribute('data-index')).not.toBe(String(from));
  });

  it('compares marked frames side by side with zoom and pan in step (wheel, drag, keys, click)', async () => {
    await openBurst();
    for (let i = await selectedIndex(); i > 0; i--) await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('c');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('c');
    expect(await page.locator('#do-view-label').textContent()).toBe('Compare 2');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#viewer.compare:not([hidden])');
    expect(await page.locator('#viewer .pane').count()).toBe(2);
    const fitted = await regions();
    expectSame(fitted[0]!, fitted[1]!);

    const panes = page.locator('#viewer .pane');
    const box = (await panes.nth(0).boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -240);
    const zoomed = await regions();
    expect(zoomed[0]!.w).toBeLessThan(fitted[0]!.w * 0.5);
    expectSame(zoomed[0]!, zoomed[1]!);

    // A drag in the other pane pans both.
    const other = (await panes.nth(1).boundingBox())!;
    await page.mouse.move(other.x + other.width / 2, other.y + other.height / 2);
    await page.mouse.down();
    await page.mouse.move(other.x + other.width / 2 - 60, other.y + other.height / 2 - 40, { steps: 5 });
    await page.mouse.up();
    const dragged = await regions();
    expect(dragged[0]!.x).toBeGreaterThan(zoomed[0]!.x);
    expectSame(dragged[0]!, dragged[1]!);
    await shoot('cull-compare-1280-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('cull-compare-1280-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    // Keys pan and zoom both as well.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('-');
    const keyed = await regions();
    expect(keyed[0]!.w).toBeGreaterThan(dragged[0]!.w);
    expectSame(keyed[0]!, keyed[1]!);

    // Back to fit, then a click shows 100 % centred on the clicked spot, in both panes.
    await page.keyboard.press('0');
    const fit = await regions();
    const spot = { x: 0.42, y: 0.6 };
    const img = (await panes.nth(1).locator('img').boundingBox())!;
    await page.mouse.click(img.x + img.width * spot.x, img.y + img.height * spot.y);
    const full = await regions();
    expect(full[0]!.w).toBeLessThan(fit[0]!.w);
    expectSame(full[0]!, full[1]!);
    const natural = await panes
      .nth(1)
      .locator('img')
      .evaluate((el) => el.getBoundingClientRect().width);
    expect(await page.locator('#viewer-zoom').textContent()).toBe('100 %');
    expect(Math.round(natural)).toBe(burst.photos[0]!.width);
    // Centred on the spot, as far as the picture reaches (no empty margin; centred when it fits).
    const centred = (v: number, size: number): number => (size >= 1 ? 0.5 : Math.min(1 - size / 2, Math.max(size / 2, v)));
    expect(full[1]!.w).toBeLessThan(0.9);
    expect(Math.abs(full[1]!.x + full[1]!.w / 2 - centred(spot.x, full[1]!.w))).toBeLessThan(0.01);
    expect(Math.abs(full[1]!.y + full[1]!.h / 2 - centred(spot.y, full[1]!.h))).toBeLessThan(0.01);
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot('cull-compare-390-light');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden' });
  });

  it('shows one row per person with their face in every frame, aligned under the frame columns', async () => {
    await openBurst();
    await page.waitForSelector('.people .face-cell .crop');
    const n = burst.photos.length;
    expect(await page.locator('.people .person').allTextContents()).toEqual(['', 'Person 1', 'Person 2']);
    const cells = page.locator('.people .face-cell');
    expect(await cells.count()).toBe(2 * n);
    // Every cell of column i sits right under the column's head.
    const { heads, lefts } = await page.locator('.people').evaluate((people) => ({
      heads: [...people.querySelectorAll('.col-head')].map((el) => el.getBoundingClientRect().left),
      lefts: [...people.querySelectorAll('.face-cell')].map((el) => el.getBoundingClientRect().left),
    }));
    expect(heads).toHaveLength(n);
    for (const [k, x] of lefts.entries()) expect(Math.abs(x - heads[k % n]!), `cell ${k}`).toBeLessThan(1);
    const crop = (await page.locator('.people .crop').first().boundingBox())!;
    expect(Math.min(crop.width, crop.height)).toBeGreaterThanOrEqual(120);
    // Person 1 blinks in frame 2; person 2 is not found in the last frame.
    const row1 = await cells.evaluateAll((els, count) => els.slice(0, count).map((el) => el.className), n);
    expect(row1[1]).toContain('closed');
    expect(row1.filter((c) => c.includes('closed'))).toHaveLength(1);
    expect(await cells.nth(2 * n - 1).textContent()).toBe('not found');
    expect(await cells.nth(n).locator('.mark.smile').count()).toBe(1);
    await shoot('cull-people-1280-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot('cull-people-1280-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('.people').scrollIntoViewIfNeeded();
    await shoot('cull-people-390-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await shoot('cull-people-390-light');
    expect(await page.locator('html').evaluate((html) => html.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });
    // A click on a face shows that frame at 100 % around the face.
    await cells.nth(1).locator('.face-zoom').click();
    await page.waitForSelector('#viewer:not([hidden])');
    expect(await selectedIndex()).toBe(1);
    expect(await page.locator('#viewer-zoom').textContent()).toBe('100 %');
    await page.keyboard.press('Escape');
  });

  it('shows camera settings and the score breakdown per frame', async () => {
    await openBurst();
    const strips = await page.locator('.frame .exif').allTextContents();
    expect(strips.length).toBe(burst.photos.length);
    expect(strips[0]).toMatch(/ISO \d+/);
    await page.locator('.frame').first().locator('.score').hover();
    const tip = page.locator('.frame').first().locator('.breakdown');
    await tip.waitFor({ state: 'visible' });
    expect(await tip.textContent()).toMatch(/Sharpness.*Exposure.*Resolution.*Whole image/);
    await shoot('cull-breakdown-1280-light');
  });

  it('marks a group reviewed once left, finds the next one with n, filters, and counts pending changes on Apply', async () => {
    // The burst was looked at and left by the tests above; the other group was not.
    await page.evaluate(`location.hash = '#/'`);
    await page.waitForSelector('#grid-view:not([hidden]) .card');
    const other = report.groups.find((g) => g.id !== burst.id)!;
    await poll(() => page.locator(`.card[data-number="${Number(burst.id.slice(6))}"] .reviewed`).count()).toBe(1);
    expect(await page.locator(`.card[data-number="${Number(other.id.slice(6))}"] .reviewed`).count()).toBe(0);
    expect(await page.locator('#run-info').textContent()).toContain('1 reviewed');
    await page.keyboard.press('n');
    await poll(() => page.locator('#group-name').textContent()).toContain(other.id);
    // Nothing left after this one: n says so and stays.
    await page.keyboard.press('n');
    await poll(() => page.locator('#toast').textContent()).toBe('Every group here is reviewed');
    await page.keyboard.press('Escape');
    await poll(() => page.locator('#run-info').textContent()).toContain('2 reviewed');
    await shoot('cull-grid-marks-1280-light');

    const filterTo = async (name: string, on: boolean): Promise<void> => {
      const box = page.locator(`.toggle input[name=${name}]`);
      if ((await box.isChecked()) !== on) await page.locator(`.toggle:has(input[name=${name}])`).click();
    };
    await filterTo('unreviewed', true);
    await poll(() => page.locator('#grid-status').textContent()).toBe('No group matches these filters.');
    await filterTo('unreviewed', false);
    await filterTo('blinks', true);
    await poll(() => page.locator('.card .folder').allTextContents()).toEqual([burst.id]);
    await filterTo('blinks', false);
    await poll(() => page.locator('.card').count()).toBe(report.groups.length);

    // A new best is one pending change, until undone.
    expect(await page.locator('#apply').textContent()).toBe('Apply…');
    await openBurst();
    const notBest = await page.locator('.frame:not(.best)').first().getAttribute('data-index');
    await page.locator(`.frame[data-index="${notBest}"]`).click();
    await page.keyboard.press(' ');
    await poll(() => page.locator('#apply').textContent()).toBe('Apply 1…');
    await page.keyboard.press('u');
    await poll(() => page.locator('#apply').textContent()).toBe('Apply…');
  });

  it('keeps a second photo with k: Apply copies it as keep_… beside the best, and undoing it removes the copy', async () => {
    await openBurst();
    const frame = page.locator('.frame:not(.best)').first();
    await frame.click();
    const path = await frame.locator('.name').getAttribute('title');
    const photo = burst.photos.find((p) => p.relativePath === path)!;
    await page.keyboard.press('k');
    await page.waitForSelector('.frame.keep .badge.keep');
    expect(await page.locator('.frame.keep .name').getAttribute('title')).toBe(path);
    await poll(() => page.locator('#apply').textContent()).toBe('Apply 1…');
    const apply = async (): Promise<void> => {
      await page.click('#apply');
      await page.waitForSelector('#apply-dialog[open] li');
      await page.click('#apply-confirm');
      await poll(() => page.locator('#toast').textContent()).toMatch(/^Applied:/);
    };
    await apply();
    const folder = join(out, burst.folder!);
    const files = (): string[] => readdirSync(folder).filter((f) => /^(best|keep)_/.test(f));
    expect(files().sort()).toEqual([`best_${burst.photos.find((p) => p.isBest)!.outputName}`, `keep_${photo.outputName}`].sort());
    expect(readFileSync(join(folder, 'metadata.txt'), 'utf8')).toContain('keep: yes (marked in review)');
    // The rewritten report says which photos are kept besides the best.
    const keptInReport = (): string[] =>
      (JSON.parse(readFileSync(join(out, 'reports', 'latest.json'), 'utf8')) as Report).groups.flatMap((g) =>
        g.photos.filter((p) => p.keep === true).map((p) => p.relativePath),
      );
    expect(keptInReport()).toEqual([path]);
    await shoot('cull-keep-1280-light');
    // k again (or undo) stops keeping it; applied, the copy goes.
    await page.keyboard.press('k');
    await poll(() => page.locator('.frame.keep').count()).toBe(0);
    await apply();
    expect(files()).toEqual([`best_${burst.photos.find((p) => p.isBest)!.outputName}`]);
    expect(keptInReport()).toEqual([]);
  });
});
