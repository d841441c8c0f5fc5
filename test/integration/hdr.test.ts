/**
 * --enable-hdr end to end on the generated library: its one exposure bracket (the stream shot at
 * 0, −2 and +2 EV, handheld: each frame shifted a little) becomes group_NNNN/hdr_merged.jpg,
 * which must hold the highlights of the dark frame and the shadows of the bright one, line up
 * with the frames (no ghosting), carry the reference frame's capture time, and be made once.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';
import { reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';

const PARK = '2024/2024-05-18 Park';
const BRACKET = [`${PARK}/IMG_0120.JPG`, `${PARK}/IMG_0121.JPG`, `${PARK}/IMG_0122.JPG`];
const ARGS = ['--enable-hdr', '--face-backend', 'none', '--threads', '2'];

/** Greyscale pixels at a common small size, for comparing tones of slightly different crops. */
async function grey(file: string, width = 160, height = 120): Promise<Uint8Array> {
  return new Uint8Array(await sharp(file).resize(width, height, { fit: 'fill' }).greyscale().raw().toBuffer());
}

const share = (px: Uint8Array, test: (v: number) => boolean): number => px.filter(test).length / px.length;

interface Plane {
  readonly d: Float32Array;
  readonly w: number;
  readonly h: number;
}

/** The fine detail of a picture at full size: a Laplacian of its grey, which double edges (ghosts) spoil. */
async function detail(file: string): Promise<Plane> {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const d = new Float32Array(w * info.height);
  for (let y = 1; y < info.height - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      d[i] = 4 * data[i]! - data[i - 1]! - data[i + 1]! - data[i - w]! - data[i + w]!;
    }
  }
  return { d, w, h: info.height };
}

/** Correlation of `a` with `b` shifted by (ox, oy): a(x, y) against b(x + ox, y + oy). */
function correlation(a: Plane, b: Plane, ox = 0, oy = 0): number {
  let n = 0;
  let sa = 0;
  let sb = 0;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let y = 0; y < a.h; y += 2) {
    for (let x = 0; x < a.w; x += 2) {
      const bx = x + ox;
      const by = y + oy;
      if (bx >= b.w || by >= b.h) continue;
      const u = a.d[y * a.w + x]!;
      const v = b.d[by * b.w + bx]!;
      n++;
      sa += u;
      sb += v;
      ab += u * v;
      aa += u * u;
      bb += v * v;
    }
  }
  return (ab - (sa * sb) / n) / Math.sqrt((aa - (sa * sa) / n) * (bb - (sb * sb) / n));
}

describe('--enable-hdr', () => {
  let library: Library;
  let out: string;
  let report: Report;
  let first: Awaited<ReturnType<typeof runCli>>;
  let folder: string;

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-hdr-'));
    library = await buildLibrary(join(base, 'Photos'));
    out = join(base, 'Organized');
    first = await runCli(['-s', library.root, '-o', out, ...ARGS]);
    report = await readReport(join(out, 'reports', 'latest.json'));
    folder = join(out, report.groups.find((g) => g.photos.some((p) => p.relativePath === BRACKET[0]))!.folder!);
  });

  it('merges the bracket, and only the bracket, into hdr_merged.jpg', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (1 new).');
    const withHdr = report.groups.filter((g) => g.extras.length > 0);
    expect(withHdr.map((g) => [g.photos.map((p) => p.relativePath).sort(), g.extras])).toEqual([[BRACKET, ['hdr_merged.jpg']]]);
    const best = withHdr[0]!.photos.find((p) => p.isBest)!.outputName!;
    expect(readdirSync(folder).sort()).toEqual([`best_${best}`, 'hdr_merged.jpg', 'metadata.txt', 'originals'].sort());
    expect(report.groups.filter((g) => g.extras.length === 0).every((g) => !existsSync(join(out, g.folder!, 'hdr_merged.jpg')))).toBe(true);
  });

  it('keeps the highlights of the dark frame and the shadows of the bright one, aligned with the frames', async () => {
    const merged = await grey(join(folder, 'hdr_merged.jpg'));
    const [, dark, bright] = await Promise.all(BRACKET.map((p) => grey(join(library.root, p))));
    const clipped = (px: Uint8Array): number => share(px, (v) => v >= 250);
    const deepShadow = (px: Uint8Array): number => share(px, (v) => v <= 30);
    expect(clipped(bright!)).toBeGreaterThan(0.05);
    expect(clipped(merged)).toBeLessThan(clipped(bright!) / 4);
    expect(deepShadow(dark!)).toBeGreaterThan(0.1);
    expect(deepShadow(merged)).toBeLessThan(deepShadow(dark!) / 3);
    // Aligned frames fuse into the scene itself: the merge's fine detail lines up with the middle
    // frame's (the merge is a crop of it, a few pixels in), far better than frames blended as shot.
    const mergedDetail = await detail(join(folder, 'hdr_merged.jpg'));
    const frames = await Promise.all(BRACKET.map((p) => detail(join(library.root, p))));
    let best = -1;
    for (let oy = 0; oy <= 8; oy++) for (let ox = 0; ox <= 8; ox++) best = Math.max(best, correlation(mergedDetail, frames[0]!, ox, oy));
    const unaligned: Plane = { ...frames[0]!, d: frames[0]!.d.map((v, i) => (v + frames[1]!.d[i]! + frames[2]!.d[i]!) / 3) };
    expect(best).toBeGreaterThan(0.7);
    expect(best).toBeGreaterThan(correlation(unaligned, frames[0]!) + 0.15);
    const meta = await sharp(join(folder, 'hdr_merged.jpg')).metadata();
    const ref = await sharp(join(library.root, BRACKET[0]!)).metadata();
    // Cropped to what every frame shows: at most a few percent smaller than a frame.
    expect(meta.width!).toBeLessThanOrEqual(ref.width!);
    expect(meta.width!).toBeGreaterThan(ref.width! * 0.95);
    expect(meta.height!).toBeGreaterThan(ref.height! * 0.95);
  });

  it('carries the reference frame’s camera and capture time', async () => {
    const tags = (await exifr.parse(join(folder, 'hdr_merged.jpg'), {
      pick: ['DateTimeOriginal', 'Make', 'Model'],
      reviveValues: false,
    })) as Record<string, string>;
    const refTags = (await exifr.parse(join(library.root, BRACKET[0]!), {
      pick: ['DateTimeOriginal', 'Make', 'Model'],
      reviveValues: false,
    })) as Record<string, string>;
    expect(tags).toEqual(refTags);
  });

  it('merges nothing twice, plans the merge in a dry run, and makes a new merge for another --hdr-gamma', async () => {
    const again = await runCli(['-s', library.root, '-o', out, ...ARGS]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (0 new, 1 from earlier runs).');
    expect(again.stdout).toMatch(/0 files written/);

    const dry = await runCli(['-s', library.root, '-o', out, ...ARGS, '--hdr-gamma', '3', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `merge HDR of ${BRACKET[1]}, ${BRACKET[0]}, ${BRACKET[2]} → ${report.groups.find((g) => g.extras.length > 0)!.id}/hdr_merged.jpg`,
    );

    const enhanced = join(out, '.photo-organizer', 'enhanced');
    const before = readdirSync(enhanced);
    const mean = (px: Uint8Array): number => px.reduce((s, v) => s + v, 0) / px.length;
    const tone22 = mean(await grey(join(folder, 'hdr_merged.jpg')));
    const brighter = await runCli(['-s', library.root, '-o', out, ...ARGS, '--hdr-gamma', '3']);
    expect(brighter.code, brighter.stderr).toBe(0);
    expect(brighter.stdout).toContain('(1 new)');
    const after = readdirSync(enhanced);
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    // The old merge is gone from the cache, the brighter one is in the folder.
    expect(mean(await grey(join(folder, 'hdr_merged.jpg')))).toBeGreaterThan(tone22 + 5);
  });

  it('keeps the merge through a review that leaves the bracket whole, and drops it when a frame leaves', async () => {
    const review = await startReview(['-o', out]);
    try {
      const api = reviewApi(review);
      const number = Number(report.groups.find((g) => g.extras.length > 0)!.id.slice('group_'.length));
      const group = (await api(`groups/${number}`)).body;
      // The page shows the merge, and serves it at every size.
      expect(group.made).toEqual([expect.objectContaining({ name: 'hdr_merged.jpg', label: 'HDR merge of the exposure bracket' })]);
      const { origin, cookie } = reviewCookie(review);
      for (const variant of ['grid', 'view', 'full']) {
        const res = await fetch(`${origin}/made/${number}/${variant}?v=${group.made[0].version}`, { headers: { cookie } });
        expect(res.status, variant).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
      }
      expect((await fetch(`${origin}/made/${number}/view`)).status).toBe(403);
      const plain = report.groups.find((g) => g.extras.length === 0)!;
      expect((await api(`groups/${Number(plain.id.slice('group_'.length))}`)).body.made).toEqual([]);
      expect((await fetch(`${origin}/made/${Number(plain.id.slice('group_'.length))}/view`, { headers: { cookie } })).status).toBe(404);
      const other = group.frames.find((f: { isBest: boolean }) => !f.isBest);
      expect((await api('changes', { kind: 'pick', group: number, photo: other.id })).status).toBe(200);
      const picked = (await api('apply')).body.sections[0].items;
      expect(picked).toHaveLength(1);
      expect(picked[0].text).not.toContain('hdr_merged.jpg');
      expect((await api('apply', { confirm: true })).body.failed).toEqual([]);
      expect(existsSync(join(folder, 'hdr_merged.jpg'))).toBe(true);

      expect((await api('changes', { kind: 'exclude', group: number, photo: other.id })).status).toBe(200);
      const excluded = (await api('apply')).body.sections[0].items;
      expect(excluded[0].text).toContain('hdr_merged.jpg removed (its frames changed: the next run of the organizer merges them again)');
      expect((await api('apply', { confirm: true })).body.failed).toEqual([]);
      expect(existsSync(join(folder, 'hdr_merged.jpg'))).toBe(false);
    } finally {
      await stopReview(review.child);
    }
    // The next run merges the two frames left.
    const rerun = await runCli(['-s', library.root, '-o', out, ...ARGS, '--hdr-gamma', '3']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (1 new).');
    expect(existsSync(join(folder, 'hdr_merged.jpg'))).toBe(true);
  });

  it('refuses a gamma out of range', async () => {
    const bad = await runCli(['-s', library.root, '-o', out, '--enable-hdr', '--hdr-gamma', 'bright']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected a number between 0.5 and 5 for --hdr-gamma but received something that is not a number');
  });
});
