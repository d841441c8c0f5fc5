/**
 * --watch on a folder, as a user runs it (the built CLI): photos copied in while it watches are
 * organized within two cycles, a frame added to a burst changes that group only, a second
 * watcher on the same catalog is refused, and SIGTERM ends it with exit code 0.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { BIN, outputOf, runCli } from '../support/cli.js';
import { buildLibrary, type Library, type LibraryCluster } from '../support/library.js';

/** Copies `rel` from the staging library into the watched one, as a camera import does (temp name, then rename). */
function land(staging: string, watched: string, rel: string): void {
  const to = join(watched, rel);
  mkdirSync(dirname(to), { recursive: true });
  const temp = join(dirname(to), `.${Date.now()}.part`);
  copyFileSync(join(staging, rel), temp);
  const st = statSync(join(staging, rel));
  utimesSync(temp, st.atime, st.mtime);
  renameSync(temp, to);
}

/** Every group folder and its files, to see which changed. */
function tree(out: string): Map<string, string> {
  const folders = readdirSync(out).filter((f) => f.startsWith('group_'));
  return new Map(
    folders.map((f) => [
      f,
      readdirSync(join(out, f, 'originals'))
        .sort()
        .join(','),
    ]),
  );
}

describe('--watch on a folder', () => {
  let staging: Library;
  let watched: string;
  let out: string;
  let newBurst: LibraryCluster;
  let grown: LibraryCluster;
  let child: ReturnType<typeof spawn>;
  let ended: ReturnType<typeof outputOf>;
  let stdout = '';

  /** Resolves when stdout has `count` lines matching `pattern`, or fails after `ms`. */
  const until = (pattern: RegExp, count: number, ms = 90_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        const n = stdout.split('\n').filter((l) => pattern.test(l)).length;
        if (n >= count) resolve();
        else if (Date.now() - started > ms) reject(new Error(`no ${count}× ${pattern} in:\n${stdout}`));
        else setTimeout(check, 100);
      };
      check();
    });

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-watch-'));
    staging = await buildLibrary(join(base, 'staging'));
    watched = join(base, 'Photos');
    out = join(base, 'Organized');
    // Two bursts of four or more frames: one arrives whole while watching, one loses a frame until then.
    const bursts = staging.clusters.filter((c) => c.kind === 'burst' && c.members.length >= 4);
    newBurst = bursts[0]!;
    grown = bursts[1]!;
    for (const p of staging.photos) {
      if (!newBurst.members.includes(p.relativePath) && p.relativePath !== grown.members.at(-1))
        land(staging.root, watched, p.relativePath);
    }
    child = spawn(
      process.execPath,
      [BIN, '-s', watched, '-o', out, '--watch', '--poll-interval', '1', '--threads', '1', '--face-backend', 'none'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    ended = outputOf(child, (o) => {
      stdout = o;
    });
    await until(/^Watching /, 1);
  }, 180_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('organizes the library first, as a normal run', async () => {
    expect(stdout).toMatch(/Found \d+ groups/);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.groups.some((g) => g.photos.some((p) => newBurst.members.includes(p.relativePath)))).toBe(false);
  });

  it('refuses a second instance on the same catalog', async () => {
    const second = await runCli(['-s', watched, '-o', out, '--watch']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/another photo-organizer --watch \(process \d+\) is using the catalog/);
    const run = await runCli(['-s', watched, '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`process ${child.pid}`);
  });

  it('organizes a burst copied in within two cycles, in a group of its own with a new number', async () => {
    const before = tree(out);
    for (const rel of newBurst.members) land(staging.root, watched, rel);
    await until(/cycle \d+: .*group_\d{4} new/, 1);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const group = report.groups.find((g) => g.photos.some((p) => newBurst.members.includes(p.relativePath)))!;
    expect(group.photos.map((p) => p.relativePath).sort()).toEqual([...newBurst.members].sort());
    const after = tree(out);
    const folder = [...after.keys()].find((f) => !before.has(f))!;
    expect(after.get(folder)!.split(',')).toHaveLength(newBurst.members.length);
    // The groups that were there keep their folders, untouched.
    for (const [f, files] of before) expect(after.get(f)).toBe(files);
    expect(stdout.split('\n').filter((l) => /cycle \d+:/.test(l)).length).toBeLessThanOrEqual(2);
  });

  it('adds a frame to its burst, changing that group only', async () => {
    const before = tree(out);
    const cycles = stdout.split('\n').filter((l) => /cycle \d+:/.test(l)).length;
    land(staging.root, watched, grown.members.at(-1)!);
    await until(/cycle \d+: .*group_\d{4} changed/, 1);
    const line = stdout.split('\n').find((l) => /group_\d{4} changed/.test(l))!;
    // Events of the burst that arrived while its cycle ran may be counted here too: one photo is new.
    expect(line).toMatch(/\d+ changes?; \d+ photos \(1 new\), \d+ groups: group_\d{4} changed; /);
    const after = tree(out);
    const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
    expect(changed).toHaveLength(1);
    expect(after.get(changed[0]!)!.split(',')).toHaveLength(grown.members.length);
    expect(stdout.split('\n').filter((l) => /cycle \d+:/.test(l)).length).toBeLessThanOrEqual(cycles + 2);
  });

  it('stops on SIGTERM with exit code 0 within a few seconds', async () => {
    const t0 = Date.now();
    child.kill('SIGTERM');
    const result = await ended;
    expect(result.code, result.stderr).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(result.stdout).toContain('Stopped watching.');
    // The lock is gone with it: a run may use the catalog again.
    expect(readdirSync(join(out, '.photo-organizer')).some((f) => f.endsWith('.lock'))).toBe(false);
  });
});

describe('--watch on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'po-watch-cli-'));
  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr, stdout: r.stdout };
  };

  it('lists --watch and --poll-interval in --help, and takes the seed’s --daemon as --watch', () => {
    const help = cli('--help').stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--watch keep running: organize again whenever photos arrive or change');
    expect(help).toContain('--poll-interval <seconds>');
    expect(help).toContain('(--daemon is the same; stop with Ctrl+C)');
    const r = cli('-s', dir, '-o', join(dir, 'out'), '--daemon', '--dry-run');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--watch keeps a library organized and --dry-run changes nothing');
  });

  it('refuses a bad --poll-interval and Immich sync flags on a folder', () => {
    const bad = cli('-s', dir, '-o', join(dir, 'out'), '--watch', '--poll-interval', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Expected an integer between 1 and 86400 for --poll-interval but received 0');
    const sync = cli('-s', dir, '-o', join(dir, 'out'), '--watch', '--enable-bidir-sync');
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain('--enable-bidir-sync is for Immich runs');
  });

  it('asks for --watch with --enable-bidir-sync', () => {
    const r = cli('--source-type', 'immich', '--immich-url', 'http://127.0.0.1:9', '--tag-only', '--enable-bidir-sync');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--enable-bidir-sync works with --watch: add --watch');
  });
});
