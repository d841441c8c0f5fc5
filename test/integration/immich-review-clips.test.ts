/**
 * Clips of an Immich run on the review page: the review server relays each clip from the fake
 * server's `/video/playback` (which honours one Range, as the real server's sendFile does) —
 * Chromium plays and seeks it in place, byte ranges come back 206 with the server's
 * Content-Range, a malformed range is refused before the server is asked, a failing server is a
 * 502 that says why, and a browser that goes away ends the request to the server too.
 * Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panClip, reencode } from '../support/clips.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { idOf } from '../support/fake-immich/inspect.js';
import { seedClip } from '../support/fake-immich/seed-clip.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';
import { loadAndSeek } from '../support/player.js';
import { openChromium, type RunningReview, reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';

describe('Immich clips on the review page', () => {
  let dir: string;
  let fake: FakeImmich;
  let review: RunningReview;
  let context: BrowserContext;
  let page: Page;
  let original: Buffer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'po-immich-review-clips-'));
    const clips = join(dir, 'clips');
    mkdirSync(clips);
    const first = panClip(join(clips, 'boats.mp4'), { photo: 'boats-lake', seconds: 4, size: [640, 480] });
    reencode(first, join(clips, 'boats small.mp4'), { size: [320, 240] });
    original = readFileSync(first);
    const at = '2024-05-01T10:00:00.000Z';
    fake = await startFakeImmich([
      await seedClip(first, 'boats.mp4', { takenAt: at }),
      await seedClip(join(clips, 'boats small.mp4'), 'boats small.mp4', { takenAt: at }),
    ]);
    const out = join(dir, 'out');
    const cache = join(dir, 'cache');
    const run = await runImmichCli(fake, ['--media-type', 'video', '--min-group-size', '2', '-o', out, '--immich-cache-dir', cache]);
    expect(run.code, run.stderr).toBe(0);
    review = await startReview(['-o', out, '--immich-cache-dir', cache], { IMMICH_API_KEY: fake.apiKey });
    ({ context, page } = await openChromium({ width: 1280, height: 800 }));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    if (review) expect(await stopReview(review.child)).toBe(0);
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The review server's /clip/<id> of the group's first frame (the best clip, the 640×480 one). */
  async function clipOfBest(): Promise<{ get: (range?: string, signal?: AbortSignal) => Promise<Response>; assetPath: string }> {
    const detail = (await reviewApi(review)('groups/1')).body;
    const best = detail.frames.find((f: { isBest: boolean }) => f.isBest);
    expect(best.name).toBe('boats.mp4');
    const { origin, cookie } = reviewCookie(review);
    return {
      get: (range, signal) =>
        fetch(`${origin}/clip/${best.id}`, { headers: { cookie, ...(range ? { range } : {}) }, ...(signal ? { signal } : {}) }),
      assetPath: `/api/assets/${idOf(fake, 'boats.mp4')}/video/playback`,
    };
  }

  it('plays each clip in place from the server: its metadata loads and it seeks', async () => {
    await page.goto(review.url);
    await page.waitForSelector('.card .thumb img.loaded');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#group-view:not([hidden]) .frame video');
    expect(await page.locator('.frame video').count()).toBe(2);
    const { duration, seeked } = await loadAndSeek(page.locator('.frame video').first(), 2.5);
    expect(duration).toBeCloseTo(4, 0);
    expect(seeked).toBeCloseTo(2.5, 1);
    expect(fake.calls.some((c) => c.path.endsWith('/video/playback'))).toBe(true);
  });

  it("passes byte ranges on and answers with the server's status and range", async () => {
    const { get, assetPath } = await clipOfBest();
    const size = original.length;
    const whole = await get();
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await whole.arrayBuffer()).equals(original)).toBe(true);
    const part = await get('bytes=100-199');
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${size}`);
    expect(part.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await part.arrayBuffer()).equals(original.subarray(100, 200))).toBe(true);
    const tail = await get('bytes=-10');
    expect(tail.headers.get('content-range')).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    const beyond = await get(`bytes=${size}-`);
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    fake.clearCalls();
    for (const bad of ['bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=../../etc/passwd']) expect((await get(bad)).status, bad).toBe(416);
    // Refused here: the server was never asked.
    expect(fake.calls.filter((c) => c.path === assetPath)).toEqual([]);
  });

  it('says why with 502 when the server fails the clip', async () => {
    const { get, assetPath } = await clipOfBest();
    fake.inject({ path: assetPath, status: 500 });
    const failed = await get('bytes=0-99');
    expect(failed.status).toBe(502);
    expect(await failed.text()).toMatch(/^Cannot play this clip: cannot have it from .*500/);
  });

  it('ends the request to the server when the browser goes away', async () => {
    const { get, assetPath } = await clipOfBest();
    fake.clearCalls();
    fake.inject({ path: assetPath, delayMs: 5_000 });
    const leave = new AbortController();
    const asked = get('bytes=0-', leave.signal).catch((error: unknown) => error);
    await expect.poll(() => fake.calls.some((c) => c.path === assetPath), { timeout: 10_000 }).toBe(true);
    leave.abort();
    expect(await asked).toBeInstanceOf(Error);
    const call = fake.calls.find((c) => c.path === assetPath)!;
    await expect.poll(() => call.aborted === true, { timeout: 4_000 }).toBe(true);
  });
});
