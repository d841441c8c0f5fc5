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
  writeFileSync(join(src, 'e-notes.mp4'), 'not a clip\n');
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

  it('groups the copies of one clip, and nothing else, with the largest as best', () => {
    expect(report.groups.map((g) => [g.kind, g.photos.map((p) => p.relativePath)])).toEqual([
      ['duplicate', ['a-original.mp4', 'b-small.mp4', 'c-trimmed.mp4']],
    ]);
    const best = report.groups[0]!.photos.find((p) => p.isBest);
    expect(best?.relativePath).toBe('a-original.mp4');
    expect(best?.reason).toMatch(/^best copy: largest frame and bitrate \(640x480, /);
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

  it('reports a text file named .mp4 in one line, and leaves the photo out', () => {
    const lines = run.stderr.split('\n').filter((l) => l.includes('e-notes.mp4'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/not a video \(looks like text\)/);
    expect(report.errors.map((e) => e.path)).toEqual([expect.stringMatching(/e-notes\.mp4$/)]);
    expect(JSON.stringify(report)).not.toContain('photo.jpg');
  });

  it('decodes nothing again on a second run', async () => {
    const again = await runCli(['-s', join(base, 'clips'), '-o', out, '--media-type', 'video', '--min-group-size', '2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('(5 from the catalog, 0 decoded)');
    const second = await readReport(join(out, 'reports', 'latest.json'));
    expect(second.groups.map((g) => g.photos.length)).toEqual([3]);
  });
});
