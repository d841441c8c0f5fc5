/**
 * The review page's banner for --conflict-strategy manual, driven in Chromium: a change the user
 * made on the server (here written to the catalog as the watch's poll would) shows on its group,
 * and "Keep your change" makes it the group's decision.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConflicts, replaceConflicts } from '../../src/catalog/conflicts.js';
import { openDatabase } from '../../src/catalog/database.js';
import { asPhotoId } from '../../src/core/types.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary } from '../support/library.js';
import { openChromium, reviewApi, type RunningReview, startReview, stopReview } from '../support/review.js';

describe('the review page and a change made on the server', () => {
  let out: string;
  let review: RunningReview;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'po-conflict-page-'));
    out = join(dir, 'Organized');
    await buildLibrary(join(dir, 'Photos'), { variant: 'small' });
    const run = await runCli(['-s', join(dir, 'Photos'), '-o', out, '--face-backend', 'none', '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    review = await startReview(['-o', out]);
    ({ context, page } = await openChromium({ width: 1280, height: 800 }));
  });

  afterAll(async () => {
    await context?.close();
    if (review) expect(await stopReview(review.child)).toBe(0);
  });

  it('shows the change on its group, and keeping it picks that photo', async () => {
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const burst = [...report.groups].sort((a, b) => b.photos.length - a.photos.length)[0]!;
    const number = Number(burst.id.slice('group_'.length));
    const frames = (await reviewApi(review)(`groups/${number}`)).body.frames as { id: number; name: string; isBest: boolean }[];
    const best = frames.find((f) => f.isBest)!;
    const other = frames.find((f) => !f.isBest)!;
    const catalog = openDatabase(join(out, '.photo-organizer', 'catalog.db'));
    try {
      const members = frames.map((f) => asPhotoId(f.id));
      replaceConflicts(catalog, 'local', [{ members, kind: 'cover', photo: asPhotoId(other.id), was: asPhotoId(best.id) }], new Date());
    } finally {
      catalog.close();
    }

    await page.goto(review.url);
    await page.evaluate(`location.hash = '#/group/${number}'`);
    await page.waitForSelector('#group-view:not([hidden]) .frame');
    const banner = page.locator('#conflicts .conflicts');
    expect(await banner.textContent()).toContain(`On the server you made ${other.name} the stack cover (this tool picked ${best.name}).`);
    await page.getByRole('button', { name: 'Keep your change' }).click();
    await expect.poll(() => page.locator('#conflicts .conflicts').count(), { timeout: 20_000 }).toBe(0);
    const after = (await reviewApi(review)(`groups/${number}`)).body.frames as { name: string; isBest: boolean }[];
    expect(after.find((f) => f.isBest)!.name).toBe(other.name);
    const reopened = openDatabase(join(out, '.photo-organizer', 'catalog.db'));
    try {
      expect(loadConflicts(reopened, 'local')).toEqual([]);
    } finally {
      reopened.close();
    }
  });
});
