/**
 * Output folders that cannot take the run: a read-only disk, a folder the user may not write, a
 * disk without room. Each gets one line that says which, before a half-done tree — on real
 * mounts (a small tmpfs made here), so these need root; CI runs as root.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../../src/output/apply.js';
import { planOutput } from '../../src/output/plan.js';
import { OutputWriteError } from '../../src/output/preflight.js';
import { BIN, runCli } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';
import { photoMetadata } from '../support/records.js';

const isRoot = process.getuid?.() === 0;
/**
 * Whether user nobody can read the CLI: a clone inside a private folder (mktemp -d makes 0700
 * ones) cannot be run as another user, and then the permission case is skipped.
 */
const nobodyCanRun = isRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', BIN]).status === 0;
const mounts: string[] = [];

/** A tmpfs of `size` (e.g. `3m`) at a new folder; unmounted after the tests. */
function tmpfs(base: string, name: string, size: string): string {
  const dir = join(base, name);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount failed: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => statSync(join(dir, p)).isFile());
}

// Mounting needs root: skipped otherwise (CI runs as root).
describe.skipIf(!isRoot)('an output that cannot take the run (needs root: mounts a tmpfs)', () => {
  let base: string;
  let library: Library;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-disk-'));
    chmodSync(base, 0o755);
    library = await buildLibrary(join(base, 'Photos'), { variant: 'small' });
  });

  afterAll(() => {
    for (const dir of mounts.reverse()) spawnSync('umount', [dir]);
  });

  it('says the disk is read-only, in one line, and writes nothing', async () => {
    const mnt = tmpfs(base, 'ro', '3m');
    expect(spawnSync('mount', ['-o', 'remount,ro', mnt]).status).toBe(0);
    const out = join(mnt, 'Organized');
    const r = await runCli(['-s', library.root, '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `photo-organizer: error: cannot write to ${out}: its disk is mounted read-only; choose another folder with -o`,
    ]);
    expect(readdirSync(mnt)).toEqual([]);
  });

  it.skipIf(!nobodyCanRun)(
    'says permission is denied, naming the user, in one line (skipped when user nobody cannot read the clone)',
    () => {
      const locked = join(base, 'locked');
      mkdirSync(locked, { mode: 0o755 });
      const out = join(locked, 'Organized');
      // As nobody: root may write anywhere.
      const r = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, '-s', library.root, '-o', out],
        {
          cwd: base,
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        `photo-organizer: error: cannot write to ${out}: permission denied for ${locked} (running as nobody); choose a folder you can write to with -o, or change its permissions`,
      ]);
      expect(existsSync(out)).toBe(false);
    },
  );

  it('checks the free space before copying: one line, no group folder, no ENOSPC warnings', async () => {
    const mnt = tmpfs(base, 'small', '3m');
    const out = join(mnt, 'Organized');
    const r = await runCli(['-s', library.root, '-o', out, '--min-group-size', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/ENOSPC|database or disk is full/);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('photo-organizer: error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^photo-organizer: error: not enough free space for the output in ${out}: the planned copies need [\\d.]+ [KMG]B .* and its disk has [\\d.]+ [KMG]B free; nothing was written`,
      ),
    );
    expect(readdirSync(out).filter((f) => f.startsWith('group_'))).toEqual([]);
  });

  it('stops at the first full-disk error while copying, with no half-written file', async () => {
    const mnt = tmpfs(base, 'tiny', '1m');
    const src = join(base, 'big');
    mkdirSync(src);
    const photos = ['a.jpg', 'b.jpg', 'c.jpg'].map((name, i) => {
      const path = join(src, name);
      writeFileSync(path, Buffer.alloc(300_000, i + 1));
      return {
        photo: { path, relativePath: name, size: 300_000, mtimeMs: statSync(path).mtimeMs, meta: photoMetadata() },
        decision: { score: i === 0 ? 0.9 : 0.5, reason: 'test', isBest: i === 0 },
      };
    });
    const plan = planOutput({ outputRoot: join(mnt, 'Organized'), groups: [{ kind: 'burst', photos }] });
    const failure = await applyPlan(plan).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(OutputWriteError);
    expect((failure as OutputWriteError).problem).toBe('full');
    expect((failure as OutputWriteError).message).toMatch(
      /^the disk holding .*Organized is full \(\d+ KB free\): stopped without a half-written file/,
    );
    // Whatever was written is whole; no temp file is left behind.
    for (const file of filesUnder(join(mnt, 'Organized'))) {
      expect(file).not.toMatch(/(^|\/)\.[^/]*tmp/);
      if (file.endsWith('.jpg')) expect(statSync(join(mnt, 'Organized', file)).size).toBe(300_000);
    }
  });
});
