/**
 * A folder of clips made from the fixture photographs, organized by the CLI with --media-type
 * video: copies (re-encoded smaller, at a lower bitrate, trimmed) share a duplicate group with the
 * best copy the largest; another scene and a bad clip stay out of it; the report and metadata.txt
 * tell duration, codec, frame rate and bitrate. Needs `npm run build`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import type { Report } from '../../src/report/schema.js';
import { type CliResult, runCli } from '../support/cli.js';
import { panClip, reencode } from '../support/clips.js';
import { appleMakerNote, writeExif } from '../support/exif.js';

let base: string;
let out: string;
let run: CliResult;
let report: Report;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'video-run-'));
  const src = join(base, 'clips');
  mkdirSync(src);
  const original = panClip(join(src, 'a-original.mp4'), {
    photo: 'boats-lake',
    seconds: 4,
    size: [640, 480],
    crf: 20,
    creationTime: '2024-05-01T10:00:00Z',
  });
  reencode(original, join(src, 'b-small.mp4'), { size: [320, 240], crf: 30 });
  reencode(original, join(src, 'c-trimmed.mp4'), { start: 1, seconds: 2.5 });
  panClip(join(src, 'd-other-scene.mov'), { photo: 'dandelions', seconds: 3, creationTime: '2024-05-01T10:00:20Z' });
  // Two takes of another scene 20 s apart, the second out of focus.
  panClip(join(src, 'h-take1.mp4'), { photo: 'stream-forest', seconds: 3, creationTime: '2024-05-01T10:10:00Z' });
  panClip(join(src, 'i-take2.mp4'), { photo: 'stream-forest', seconds: 3, startX: 12, blur: 2.5, creationTime: '2024-05-01T10:10:20Z' });
  writeFileSync(join(src, 'e-notes.mp4'), 'not a clip\n');
  writeFileSync(join(src, 'f-empty.mov'), '');
  const bytes = readFileSync(original);
  writeFileSync(join(src, 'g-cut.mp4'), bytes.subarray(0, Math.floor(bytes.length / 2)));
  writeFileSync(join(src, 'photo.jpg'), readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', 'fig-bowl.jpg')));
  out = join(base, 'Organized');
  run = await runCli(['-s', src, '-o', out, '--media-type', 'video', '--min-group-size', '2']);
  report = await readReport(join(out, 'reports', 'latest.json'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('a --media-type video run', () => {
  it('finishes normally', () => {
    expect(run.code, run.stderr).toBe(0);
  });

  it('groups the copies of one clip apart from the takes of another scene, with the largest copy as best', () => {
    expect(report.groups.map((g) => [g.kind, g.photos.map((p) => p.relativePath)])).toEqual([
      ['duplicate', ['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']],
      ['similar', ['h-take1.mp4', 'i-take2.mp4']],
    ]);
    const best = report.groups[0]!.photos.find((p) => p.isBest);
    expect(best?.relativePath).toBe('a-original.mp4');
    expect(best?.reason).toMatch(/^best copy: largest frame and bitrate \(640x480, /);
    expect(best?.format).toBe('video');
    expect(best?.video).toMatchObject({ codec: 'h264', fps: 15, rotation: 0, durationS: expect.closeTo(4, 1) });
    expect(best?.video?.keyFrames).toBeGreaterThanOrEqual(3);
  });

  it('writes the group folder with the clips, the best copy and their stream facts', () => {
    const folder = join(out, report.groups[0]!.id);
    expect(readdirSync(folder).sort()).toContain('best_a-original.mp4');
    const text = readFileSync(join(folder, 'metadata.txt'), 'utf8');
    expect(text).toMatch(/duration: 4\.\d\d s/);
    expect(text).toContain('codec: h264');
    expect(text).toContain('fps: 15');
    expect(text).toMatch(/bitrate: \d+ kb\/s/);
  });

  it('picks the sharp take over the blurred one, and says why', () => {
    const best = report.groups[1]!.photos.find((p) => p.isBest);
    expect(best?.relativePath).toBe('h-take1.mp4');
    expect(best?.reason).toMatch(/^sharpest, /);
  });

  const bad: [string, RegExp][] = [
    ['e-notes.mp4', /not a video \(looks like text\)/],
    ['f-empty.mov', /empty file/],
    ['g-cut.mp4', /not a readable video: .*moov atom not found/],
  ];
  for (const [name, message] of bad) {
    it(`reports ${name} in one line and in the report`, () => {
      const lines = run.stderr.split('\n').filter((l) => l.includes(name));
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(report.errors.find((e) => e.path.endsWith(name))?.message).toMatch(message);
    });
  }

  it('leaves the photo out of a video run', () => {
    expect(report.errors).toHaveLength(bad.length);
    expect(JSON.stringify(report)).not.toContain('photo.jpg');
  });

  it('decodes nothing again on a second run', async () => {
    const again = await runCli(['-s', join(base, 'clips'), '-o', out, '--media-type', 'video', '--min-group-size', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('(9 from the catalog, 0 decoded)');
    const second = await readReport(join(out, 'reports', 'latest.json'));
    expect(second.groups.map((g) => g.photos.length)).toEqual([3, 2]);
  });

  it('fingerprints the clips again when another strategy chooses their frames', async () => {
    const args = ['-s', join(base, 'clips'), '-o', out, '--media-type', 'video', '--min-group-size', '2', '--video-strategy', 'iframe'];
    const third = await runCli(args);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/\(\d+ from the catalog, 6 decoded\)/);
    const report3 = await readReport(join(out, 'reports', 'latest.json'));
    expect(report3.groups.map((g) => g.photos.length)).toEqual([3, 2]);
  });
});

describe('Live Photos in a --media-type all run', () => {
  let dir: string;
  let live: CliResult;
  let liveReport: Report;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'live-photos-'));
    const src = join(dir, 'phone');
    mkdirSync(src);
    const fixture = (name: string): Buffer => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'photos', `${name}.jpg`));
    // Each still carries its content identifier in an iPhone's MakerNote, as its MOV does in its QuickTime tags.
    const still = (name: string, photo: string, id: string): void =>
      writeFileSync(join(src, name), writeExif(fixture(photo), { make: 'Apple', makerNote: appleMakerNote(id) }));
    still('IMG_0001.JPG', 'fig-bowl', 'LIVE-0001-A');
    still('IMG_0002.JPG', 'fig-bowl', 'LIVE-0002-B');
    panClip(join(src, 'IMG_0001.MOV'), { photo: 'fig-bowl', seconds: 2, appleDate: '2024-05-01T12:00:00+0200', contentId: 'LIVE-0001-A' });
    // Renamed by an export: paired by its identifier.
    panClip(join(src, 'IMG_0002(1).MOV'), { photo: 'fig-bowl', seconds: 2, startX: 8, contentId: 'LIVE-0002-B' });
    // The same name as a still, another identifier: a clip of its own.
    still('IMG_0004.JPG', 'dandelions', 'LIVE-0004-D');
    panClip(join(src, 'IMG_0004.MOV'), { photo: 'dogs-window', seconds: 2, contentId: 'OTHER-0004-E' });
    // Two copies of a clip of their own, so the run groups clips too.
    const clip = panClip(join(src, 'VID_0003.mp4'), { photo: 'stream-forest', seconds: 3, creationTime: '2024-05-01T10:05:00Z' });
    reencode(clip, join(src, 'VID_0003 small.mp4'), { size: [160, 120] });
    live = await runCli(['-s', src, '-o', join(dir, 'out'), '--media-type', 'all', '--min-group-size', '2']);
    liveReport = await readReport(join(dir, 'out', 'reports', 'latest.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('groups photos and clips apart, and never a Live Photo video on its own', () => {
    expect(live.code, live.stderr).toBe(0);
    expect(liveReport.groups.map((g) => g.photos.map((p) => p.relativePath))).toEqual([
      ['IMG_0001.JPG', 'IMG_0002.JPG'],
      ['VID_0003 small.mp4', 'VID_0003.mp4'],
    ]);
    expect(JSON.stringify(liveReport)).not.toContain('IMG_0001.MOV');
    expect(JSON.stringify(liveReport)).not.toContain('IMG_0002(1).MOV');
    expect(live.stderr).toContain('2 Live Photo videos left out of the clips: each travels with its still');
  });

  it('keeps a clip whose identifier differs from its namesake still as a clip of its own', () => {
    expect(liveReport.ungrouped).toEqual(expect.arrayContaining(['IMG_0004.JPG', 'IMG_0004.MOV']));
  });

  it('copies each Live Photo video next to its still, named after it, and next to the best copy when the still is best', () => {
    const group = liveReport.groups[0]!;
    const folder = join(dir, 'out', group.id);
    expect(readdirSync(join(folder, 'originals')).sort()).toEqual(['IMG_0001.JPG', 'IMG_0001.MOV', 'IMG_0002.JPG', 'IMG_0002.MOV']);
    const best = group.photos.find((p) => p.isBest)!.relativePath;
    const bestFiles = readdirSync(folder).filter((f) => f.startsWith('best_'));
    expect(bestFiles.sort()).toEqual([`best_${best}`, `best_${best.replace('.JPG', '.MOV')}`]);
    const text = readFileSync(join(folder, 'metadata.txt'), 'utf8');
    expect(text).toContain('live_photo_video: IMG_0001.MOV');
    expect(text).toContain('live_photo_video: IMG_0002(1).MOV');
    expect(text.split('\n')[0]).toBe('Photo Group - 2 images');
  });

  it('counts photos and clips apart in the progress and the summary', () => {
    expect(live.stdout + live.stderr).toMatch(/Fingerprinting: 3 photos and 3 clips/);
    expect(live.stdout).toContain('Scanned 3 photos and 3 clips.');
    expect(live.stdout).toContain('(2 photos and 2 clips grouped, 2 alone)');
  });
});
