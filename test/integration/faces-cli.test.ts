/**
 * Face analysis through the real CLI: a burst of three frames of the group photo, two of them
 * out of focus, must give the sharp one as best with a reason about faces; a second run
 * analyzes nothing; --face-backend none and the seed's backend names behave as documented.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report, ReportGroup } from '../../src/report/schema.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { captureFields, writeExif } from '../support/exif.js';
import { fixturePhotoPath } from '../support/library.js';

const burstGroup = (r: Report): ReportGroup => r.groups.find((g) => g.photos.some((p) => p.relativePath === 'IMG_0102.JPG'))!;
const portraitGroup = (r: Report): ReportGroup => r.groups.find((g) => g.photos.some((p) => p.relativePath === 'copy-a.jpg'))!;

describe('best shot with faces, through the CLI', () => {
  let photos: string;
  let out: string;
  let first: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-faces-cli-'));
    photos = join(base, 'Photos');
    out = join(base, 'Organized');
    mkdirSync(photos);
    const group = sharp(fixturePhotoPath('people-group'));
    // Three frames 0.3 s apart from a camera on a tripod; the sharp frame is in the middle, so
    // neither "first" nor "last" can win by accident.
    const t0 = Date.UTC(2024, 4, 1, 14, 3, 7);
    const frames = [group.clone().blur(2.2), group.clone(), group.clone().blur(1.4)];
    for (const [i, frame] of frames.entries()) {
      const jpeg = writeExif(await frame.jpeg({ quality: 92 }).toBuffer(), captureFields(t0 + i * 300));
      writeFileSync(join(photos, `IMG_010${i + 1}.JPG`), jpeg);
    }
    // Copies of one portrait (no capture time): the same face in each, not worth analyzing.
    const portrait = sharp(fixturePhotoPath('portrait-smile'));
    await portrait.clone().toFile(join(photos, 'copy-a.jpg'));
    await portrait.clone().resize(400).jpeg({ quality: 80 }).toFile(join(photos, 'copy-b.jpg'));
    await portrait.clone().png().toFile(join(photos, 'copy-c.png'));
    first = await runCli(['-s', photos, '-o', out, '--threads', '2', '--verbose']);
  });

  it('picks the sharp frame and says why in faces', async () => {
    expect(first.code, first.stderr).toBe(0);
    // Only the burst: the portrait's copies are ranked on resolution and file quality.
    expect(first.stderr).toMatch(/^Faces: 3 photos in /m);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.groups).toHaveLength(2);
    for (const p of portraitGroup(report).photos) expect(p.reason).not.toMatch(/face/);
    // To the sketches a tripod burst is a "duplicate"; its capture times say it is not copies.
    const g = burstGroup(report);
    expect(g.best).toBe('IMG_0102.JPG');
    const byName = new Map(g.photos.map((p) => [p.relativePath, p.reason]));
    expect(byName.get('IMG_0102.JPG')).toMatch(/^5 faces, all eyes open, .*sharpest — beats IMG_010[13]\.JPG: sharper faces$/);
    expect(byName.get('IMG_0101.JPG')).toMatch(/faces \d+% as sharp/);
    expect(byName.get('IMG_0103.JPG')).toMatch(/faces \d+% as sharp/);
    const folder = readFileSync(join(out, 'group_0001', 'metadata.txt'), 'utf8');
    expect(folder).toContain(`reason: ${byName.get('IMG_0102.JPG')}`);
    expect(existsSync(join(out, 'group_0001', 'best_IMG_0102.JPG'))).toBe(true);
  });

  it('analyzes nothing again on a second run', async () => {
    const again = await runCli(['-s', photos, '-o', out, '--threads', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/^Faces:/m);
    expect(again.stdout).toMatch(/0 files written/);
  });

  it('ranks on whole-image measures with --face-backend none, and takes the seed names as aliases', async () => {
    const none = await runCli(['-s', photos, '-o', out, '--face-backend', 'none']);
    expect(none.code, none.stderr).toBe(0);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const burst = burstGroup(report);
    expect(burst.best).toBe('IMG_0102.JPG');
    for (const p of burst.photos) expect(p.reason).not.toMatch(/face/);

    const alias = await runCli(['-s', photos, '-o', out, '--face-backend', 'face_recognition']);
    expect(alias.code, alias.stderr).toBe(0);
    expect(alias.stderr).toContain('--face-backend face_recognition is an alias here: using the built-in face analysis (human)');
    const again = burstGroup(await readReport(join(out, 'reports', 'latest.json')));
    expect(again.photos.every((p) => /^5 faces/.test(p.reason))).toBe(true);
  });
});
