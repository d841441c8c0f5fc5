/**
 * --enable-face-swap end to end. A group photo where no frame has everyone's eyes open is made
 * from the real-blink fixtures: two frames, each two people side by side (the same man from two
 * moments of the video), the left one blinking in one frame and the right one in the other. The
 * best frame gets face_swapped.jpg with the blinker's eyes from the other frame, once; a dry run
 * lists the swap; without closed eyes nothing is written.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import exifr from 'exifr';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { BLINKING, OPEN_A, OPEN_B, writeBlinkPair } from '../support/blink-pair.js';
import { runCli } from '../support/cli.js';
import { reviewApi, reviewCookie, startReview, stopReview } from '../support/review.js';

const ARGS = ['--enable-face-swap', '--min-group-size', '2', '--threads', '2'];
const CAMERA = { Make: 'Test', Model: 'Pair' };

describe('--enable-face-swap', () => {
  let base: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-swap-'));
    mkdirSync(join(base, 'blinks'));
    await writeBlinkPair(join(base, 'blinks', 'a.jpg'), OPEN_A, BLINKING, '2024:05:01 10:00:00', CAMERA);
    await writeBlinkPair(join(base, 'blinks', 'b.jpg'), BLINKING, OPEN_B, '2024:05:01 10:00:01', CAMERA);
    mkdirSync(join(base, 'open'));
    await writeBlinkPair(join(base, 'open', 'a.jpg'), OPEN_A, OPEN_B, '2024:05:01 10:00:00', CAMERA);
    await writeBlinkPair(join(base, 'open', 'b.jpg'), OPEN_B, OPEN_A, '2024:05:01 10:00:01', CAMERA);
  });

  it('lists the swap in a dry run (none with --no-swap-closed-eyes), writes face_swapped.jpg with the best frame’s EXIF, and swaps nothing twice', async () => {
    const out = join(base, 'Organized');
    const dry = await runCli(['-s', join(base, 'blinks'), '-o', out, '--dry-run', ...ARGS]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /swap eyes in [ab]\.jpg: the (1st|2nd) person from the left: (half-)?closed eyes, open ones from [ab]\.jpg → group_0001\/face_swapped\.jpg/,
    );
    expect(dry.stdout).toContain('1 swap planned');
    expect(existsSync(out)).toBe(false);
    // The seed's off switch, after the flag that turns swaps on.
    const off = await runCli(['-s', join(base, 'blinks'), '-o', out, '--dry-run', ...ARGS, '--no-swap-closed-eyes']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).not.toMatch(/swap eyes|Face swap/);

    const first = await runCli(['-s', join(base, 'blinks'), '-o', out, ...ARGS]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Face swap: closed eyes in the best photo of 1 group; 1 face_swapped.jpg written (1 new).');
    const swapped = join(out, 'group_0001', 'face_swapped.jpg');
    const tags = (await exifr.parse(swapped, { pick: ['DateTimeOriginal', 'Make', 'Model', 'Software'], reviveValues: false })) as Record<
      string,
      string
    >;
    expect(tags).toEqual({ Make: 'Test', Model: 'Pair', DateTimeOriginal: '2024:05:01 10:00:01', Software: 'photo-organizer face swap' });
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.groups[0]!.extras).toEqual(['face_swapped.jpg']);
    expect(report.groups[0]!.faceSwaps).toEqual([
      { person: expect.stringMatching(/person from the left$/), swapped: true, reason: null, region: 'eyes' },
    ]);

    const bytes = readFileSync(swapped);
    const again = await runCli(['-s', join(base, 'blinks'), '-o', out, ...ARGS]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 face_swapped.jpg written (0 new)');
    expect(again.stderr).not.toMatch(/Swapping eyes/);
    expect(readFileSync(swapped).equals(bytes)).toBe(true);

    // The review page shows the swap (at every size); picking another best photo drops it on apply.
    const review = await startReview(['-o', out]);
    try {
      const api = reviewApi(review);
      const group = (await api('groups/1')).body;
      expect(group.made).toEqual([expect.objectContaining({ kind: 'swap', name: 'face_swapped.jpg' })]);
      const { origin, cookie } = reviewCookie(review);
      for (const variant of ['grid', 'view', 'full']) {
        const res = await fetch(`${origin}/made/1/swap/${variant}?v=${group.made[0].version}`, { headers: { cookie } });
        expect(res.status, variant).toBe(200);
      }
      const other = group.frames.find((f: { isBest: boolean }) => !f.isBest);
      expect((await api('changes', { kind: 'pick', group: 1, photo: other.id })).status).toBe(200);
      const preview = (await api('apply')).body.sections[0].items;
      expect(preview[0].text).toContain('face_swapped.jpg removed (its photos changed: the next run of the organizer swaps them again)');
      expect((await api('apply', { confirm: true })).body.failed).toEqual([]);
      expect(existsSync(swapped)).toBe(false);
    } finally {
      await stopReview(review.child);
    }
    // The next run swaps the eyes of the new best photo's blinker.
    const rerun = await runCli(['-s', join(base, 'blinks'), '-o', out, ...ARGS]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(existsSync(swapped)).toBe(true);
  });

  it('writes nothing when nobody in the best photo has closed eyes', async () => {
    const out = join(base, 'OpenEyes');
    const r = await runCli(['-s', join(base, 'open'), '-o', out, ...ARGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Face swap: no best photo has closed eyes.');
    expect(existsSync(join(out, 'group_0001', 'face_swapped.jpg'))).toBe(false);
  });
});
