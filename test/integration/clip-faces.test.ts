/**
 * Faces judged on a clip's key frames, through the CLI with the real face models: two takes of
 * one man, made from the blink stills (test/fixtures/blink) — in one his eyes are open in every
 * key frame, in the other he blinks in one — and the take with open eyes must win, saying so.
 * Needs `npm run build`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/schema.js';
import { readReport } from '../../src/report/write.js';
import { BLINKING, OPEN_A, OPEN_B } from '../support/blink-pair.js';
import { type CliResult, runCli } from '../support/cli.js';
import { ffmpegPath } from '../support/clips.js';

const BLINK = join(import.meta.dirname, '..', 'fixtures', 'blink');

/** A clip showing each still for a second, a key frame every half second, with a capture time. */
function stillsClip(out: string, stills: readonly string[], creationTime: string): void {
  const inputs = stills.flatMap((s) => ['-loop', '1', '-t', '1', '-framerate', '10', '-i', join(BLINK, s)]);
  const concat = `${stills.map((_, i) => `[${i}:v]`).join('')}concat=n=${stills.length}:v=1:a=0,format=yuv420p[v]`;
  execFileSync(ffmpegPath(), [
    ...['-v', 'error', '-y', ...inputs, '-filter_complex', concat, '-map', '[v]'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '5', '-metadata', `creation_time=${creationTime}`, out],
  ]);
}

describe('takes of a clip judged on the faces of their key frames', () => {
  let dir: string;
  let run: CliResult;
  let report: Report;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'clip-faces-'));
    const src = join(dir, 'clips');
    mkdirSync(src);
    stillsClip(join(src, 'take-1.mp4'), [OPEN_A, BLINKING, OPEN_B], '2024-05-01T10:00:00Z');
    stillsClip(join(src, 'take-2.mp4'), [OPEN_A, OPEN_B, OPEN_A], '2024-05-01T10:00:06Z');
    run = await runCli(['-s', src, '-o', join(dir, 'out'), '--media-type', 'video', '--min-group-size', '2', '--threads', '2']);
    report = await readReport(join(dir, 'out', 'reports', 'latest.json'));
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('picks the take with open eyes over the one that blinks, and says why', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(report.groups).toHaveLength(1);
    const group = report.groups[0]!;
    expect(group.best).toBe('take-2.mp4');
    const reason = new Map(group.photos.map((p) => [p.relativePath, p.reason]));
    expect(reason.get('take-2.mp4')).toMatch(/^eyes open in all key frames/);
    expect(reason.get('take-1.mp4')).toMatch(/^eyes closed in 1 of \d key frames/);
    expect(run.stderr).toMatch(/^Faces: 2 clips/m);
    expect(run.stdout).toContain('Faces: seen in the key frames of 2 clips; open eyes and smiles counted in the best pick.');
  });
});
