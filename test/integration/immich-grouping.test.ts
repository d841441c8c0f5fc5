/**
 * Grouping an Immich library: the full generated library (bursts, brackets, copies in other
 * formats, re-framed shots, look-alikes) uploaded to the fake server. The groups must match the
 * truth as well as a folder run does, only candidates may be downloaded, a re-run downloads
 * nothing, and a tiny cache stays under its cap while the local tree is written.
 */
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { runImmichCli } from '../support/fake-immich/cli.js';
import { pathOf, tagged, writeLines } from '../support/fake-immich/inspect.js';
import { seedFromLibrary } from '../support/fake-immich/seed.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';
import { buildLibrary, groupsToMap, type Library, pairwise, truthMap } from '../support/library.js';
import { reviewApi, startReview, stopReview } from '../support/review.js';

let library: Library;
let fake: FakeImmich;
let base: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'po-immich-full-'));
  library = await buildLibrary(join(base, 'Photos'));
  fake = await startFakeImmich(await seedFromLibrary(library), { pageSize: 20 });
});

afterAll(async () => {
  await fake.close();
});

function bytesUnder(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  return total;
}

describe('grouping an Immich library', () => {
  it('finds the true groups from thumbhash candidates and downloads nothing on a re-run', async () => {
    const cache = join(base, 'cache');
    const first = await runImmichCli(fake, ['--immich-cache-dir', cache, '--tag-only', '--threads', '2']);
    expect(first.code, first.stderr).toBe(0);
    const report = await readReport(join(cache, 'reports', 'latest.json'));
    const groups = report.groups.map((g) => g.photos.map((p) => pathOf(fake, p.path.split('/').pop()!)));
    const score = pairwise(truthMap(library), groupsToMap(groups));
    const downloads = fake.calls.filter((c) => c.path.endsWith('/thumbnail'));
    const downloaded = /Downloaded (\d+) pictures \(([^)]+)\)/.exec(first.stdout);
    console.log(
      `Immich: pairwise precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)}; ` +
        `${library.photos.length} photos, ${downloads.length} previews downloaded (${downloaded?.[2]}) on the first run`,
    );
    expect(score.precision).toBeGreaterThanOrEqual(0.97);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
    // Every photo of a true group was downloaded; at least some photos never were.
    const fetched = new Set(downloads.map((c) => pathOf(fake, c.path.split('/')[3]!)));
    for (const c of library.clusters) for (const m of c.members) expect(fetched.has(m), m).toBe(true);
    expect(fetched.size).toBeLessThan(library.photos.length);
    expect(report.summary.photos).toBe(library.photos.length);

    fake.clearCalls();
    const again = await runImmichCli(fake, ['--immich-cache-dir', cache, '--tag-only', '--threads', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Downloaded 0 pictures (0 B)');
    expect(fake.calls.filter((c) => c.path.endsWith('/thumbnail') || c.path.endsWith('/original'))).toEqual([]);
    expect(writeLines(fake)).toEqual([]);
    const report2 = await readReport(join(cache, 'reports', 'latest.json'));
    expect(report2.groups.map((g) => g.photos.map((p) => p.path))).toEqual(report.groups.map((g) => g.photos.map((p) => p.path)));
  });

  it('keeps a 1 MB cache under its cap while writing the local tree from previews', async () => {
    const cache = join(base, 'small-cache');
    const out = join(base, 'out');
    const run = await runImmichCli(fake, ['--immich-cache-dir', cache, '--immich-cache-size', '1', '-o', out, '--threads', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(bytesUnder(join(cache, 'assets'))).toBeLessThanOrEqual(1024 * 1024);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.groups.length).toBeGreaterThan(3);
    for (const g of report.groups) expect(readdirSync(join(out, g.folder!, 'originals'))).toHaveLength(g.photos.length);
    const downloaded = /Downloaded (\d+) pictures \(([\d.]+) MB\)/.exec(run.stdout);
    expect(Number(downloaded?.[2])).toBeGreaterThan(1);
  });

  it('ranks bursts of people on their faces, as for folders, analyzing each picture once; review shows the faces', async () => {
    const cache = join(base, 'faces-cache');
    const args = ['--immich-cache-dir', cache, '--tag-only', '--threads', '2', '--face-backend', 'auto'];
    const first = await runImmichCli(fake, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Faces: \d+ photos in /m);
    const report = await readReport(join(cache, 'reports', 'latest.json'));
    const people = report.groups.find((g) => g.photos.some((p) => p.relativePath.startsWith('DSC_220')))!;
    expect(people.photos.map((p) => p.relativePath).sort()).toEqual([
      'DSC_2201.jpg',
      'DSC_2202.jpg',
      'DSC_2203.jpg',
      'DSC_2204.jpg',
      'DSC_2205.jpg',
    ]);
    // Every frame is judged on its faces; the blurred frame is not the best.
    for (const p of people.photos) expect(p.reason, p.relativePath).toMatch(/faces/);
    expect(people.best).not.toBe('DSC_2203.jpg');

    const again = await runImmichCli(fake, args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/^Faces:/m);

    const review = await startReview(['--immich-cache-dir', cache], { IMMICH_API_KEY: fake.apiKey });
    try {
      const detail = (await reviewApi(review)(`groups/${Number(people.id.slice('group_'.length))}`)).body;
      expect(detail.frames.every((f: { faces: unknown[] }) => f.faces.length > 0)).toBe(true);
    } finally {
      await stopReview(review.child);
    }
  });

  it('merges the bracket into the local tree with --enable-hdr and tags its best photo, once', async () => {
    const cache = join(base, 'hdr-cache');
    const out = join(base, 'hdr-out');
    const args = ['--immich-cache-dir', cache, '-o', out, '--enable-hdr', '--create-albums', '--threads', '2'];
    const first = await runImmichCli(fake, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^Merging HDR: 1 brackets/m);
    expect(first.stdout).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (1 new).');
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const merged = report.groups.filter((g) => g.extras.includes('hdr_merged.jpg'));
    expect(merged.map((g) => g.photos.map((p) => p.relativePath).sort())).toEqual([['IMG_0120.JPG', 'IMG_0121.JPG', 'IMG_0122.JPG']]);
    expect(existsSync(join(out, merged[0]!.folder!, 'hdr_merged.jpg'))).toBe(true);
    const best = merged[0]!.photos.find((p) => p.isBest)!.relativePath;
    expect(tagged(fake, 'photo-organizer/modified/hdr-merged').map((p) => p.split('/').pop())).toEqual([best]);

    fake.clearCalls();
    const again = await runImmichCli(fake, args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/^Merging HDR/m);
    expect(again.stdout).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (0 new, 1 from earlier runs).');
    expect(writeLines(fake)).toEqual([]);
  });
});
