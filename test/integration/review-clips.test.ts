/**
 * Clips on the review page: a --media-type video run of a clip and its re-encoded copy, reviewed
 * in Debian's Chromium — the grid card says clips and shows the best clip's length, the group
 * view plays each clip in place (its metadata loads, it seeks), and the server answers the
 * player's byte ranges (206) and refuses a range it cannot give (416) or an id that is no clip.
 * Screenshots go to a temp folder, printed below (or REVIEW_SHOTS_DIR). Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { panClip, reencode } from '../support/clips.js';
import { loadAndSeek } from '../support/player.js';
import { openChromium, type RunningReview, reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';

describe('clips on the review page', () => {
  let dir: string;
  let shots: string;
  let review: RunningReview;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'po-review-clips-'));
    const src = join(dir, 'clips');
    mkdirSync(src);
    shots = process.env.REVIEW_SHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'po-review-clips-shots-'));
    mkdirSync(shots, { recursive: true });
    console.log(`review screenshots: ${shots}`);
    const clip = panClip(join(src, 'boats.mp4'), {
      photo: 'boats-lake',
      seconds: 4,
      size: [640, 480],
      creationTime: '2024-05-01T10:00:00Z',
    });
    reencode(clip, join(src, 'boats small.mp4'), { size: [320, 240] });
    const run = await runCli(['-s', src, '-o', join(dir, 'out'), '--media-type', 'video', '--min-group-size', '2']);
    expect(run.code, run.stderr).toBe(0);
    review = await startReview(['-o', join(dir, 'out')]);
    ({ context, page } = await openChromium({ width: 1280, height: 800 }));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (review) expect(await stopReview(review.child)).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a card of clips with the length of the best one', async () => {
    await page.goto(review.url);
    await page.waitForSelector('.card .thumb img.loaded');
    expect(await page.locator('.card .count').getAttribute('title')).toBe('2 clips');
    expect(await page.locator('.card .length').textContent()).toBe('▶ 0:04');
    await page.screenshot({ path: join(shots, 'clips-grid.png') });
  });

  it('plays each clip in place: its metadata loads and it seeks', async () => {
    await page.keyboard.press('Enter');
    await page.waitForSelector('#group-view:not([hidden]) .frame video');
    expect(await page.locator('#group-meta').textContent()).toMatch(/^2 clips · /);
    expect(await page.locator('.frame video').count()).toBe(2);
    const { duration, seeked } = await loadAndSeek(page.locator('.frame video').first(), 2.5);
    expect(duration).toBeCloseTo(4, 0);
    expect(seeked).toBeCloseTo(2.5, 1);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, 'clips-group.png') });
  });

  it('answers byte ranges, and refuses a range outside the clip, a malformed one and an id that is no clip', async () => {
    const api = reviewApi(review);
    const detail = await api('groups/1');
    const id = detail.body.frames[0].id as number;
    const { origin, cookie } = reviewCookie(review);
    const get = (path: string, range?: string) => fetch(`${origin}${path}`, { headers: { cookie, ...(range ? { range } : {}) } });
    const whole = await get(`/clip/${id}`);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    const size = (await whole.arrayBuffer()).byteLength;
    const part = await get(`/clip/${id}`, 'bytes=100-199');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    const tail = await get(`/clip/${id}`, 'bytes=-10');
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    for (const bad of [`bytes=${size}-`, 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=../../etc/passwd']) {
      const refused = await get(`/clip/${id}`, bad);
      expect(refused.status, bad).toBe(416);
      expect(refused.headers.get('content-range')).toBe(`bytes */${size}`);
    }
    expect((await get('/clip/999999')).status).toBe(404);
    expect((await get('/clip/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
  });
});
