/** --dry-run, --force-fresh, --limit, Ctrl+C and the progress display, on the small library. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { BIN, runCli } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';

describe('run modes', () => {
  let library: Library;
  let base: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-modes-'));
    library = await buildLibrary(join(base, 'Photos'), { variant: 'small' });
  });

  it('--dry-run previews each group and writes nothing at all, not even the catalog or a log', async () => {
    const out = join(base, 'dry');
    const r = await runCli(['-s', library.root, '-o', out, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    // One line per group, not one per file.
    expect(r.stdout).toMatch(/^group_0001: (burst|duplicate|similar), \d+ photos; best \S+/m);
    expect(r.stdout).toMatch(/^\d+ group folders? with \d+ files \(\d+ copies, [\d.]+ MB\) would be written to /m);
    expect(r.stdout).not.toMatch(/^copy /m);
    expect(r.stdout).toContain("Dry run: nothing was written. Each group's plan is listed above (--verbose lists every file).");
    expect(r.stdout).toMatch(/^Next: run the same command without --dry-run to write the groups\.$/m);
  });

  it('--dry-run --verbose lists every file', async () => {
    const r = await runCli(['-s', library.root, '-o', join(base, 'dry-verbose'), '--dry-run', '--verbose']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^copy DCIM\/100CANON\/IMG_0101\.JPG → group_\d{4}\/originals\/IMG_0101\.JPG$/m);
    expect(r.stdout).toMatch(/^write group_\d{4}\/metadata\.txt$/m);
  });

  it('keeps a log of what the terminal showed in OUT/logs, and says what to do next', async () => {
    const out = join(base, 'logged');
    const r = await runCli(['-s', library.root, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const logs = readdirSync(join(out, 'logs'));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^run_\d{4}-\d{2}-\d{2}_\d{6}\.log$/);
    const log = readFileSync(join(out, 'logs', logs[0]!), 'utf8');
    expect(log).toMatch(/^Fingerprinting: \d+ photos$/m);
    expect(log).toContain(r.stdout.split('\n').find((l) => l.startsWith('Found '))!);
    expect(r.stdout).toContain(`Log: ${join(out, 'logs', logs[0]!)}`);
    expect(r.stdout).toMatch(
      new RegExp(`^Next: look through the groups, change a pick or split a group, and apply: node \\S+ review -o ${out} --open$`, 'm'),
    );
  });

  it('--resume refuses another source than the run it continues, and leaves the tree alone', async () => {
    const out = join(base, 'resume-other');
    expect((await runCli(['-s', library.root, '-o', out])).code).toBe(0);
    const before = readdirSync(out).sort();
    const other = join(base, 'Other');
    mkdirSync(other, { recursive: true });
    const r = await runCli(['--resume', '-o', out, '-s', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--resume continues the last run in this output folder, whose source was ${library.root}, not ${other}`);
    expect(readdirSync(out).sort()).toEqual(before);
  });

  it('--dry-run after a real run reads the catalog but leaves it untouched', async () => {
    const out = join(base, 'real-then-dry');
    expect((await runCli(['-s', library.root, '-o', out])).code).toBe(0);
    const catalog = join(out, '.photo-organizer', 'catalog.db');
    const before = spawnSync('sha256sum', [catalog]).stdout.toString();
    const r = await runCli(['-s', library.root, '-o', out, '--dry-run', '--verbose', '-t', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\(\d+ from the catalog, 0 decoded\)/);
    // -t 3 keeps only the copies: the burst's files would go, and the plan says so.
    expect(r.stdout).toMatch(/^remove group_\d{4}\/originals\/IMG_0101\.JPG \(written by an earlier run, no longer needed\)$/m);
    expect(spawnSync('sha256sum', [catalog]).stdout.toString()).toBe(before);
    expect(readdirSync(join(out, 'reports')).filter((f) => f.startsWith('report_'))).toHaveLength(1);
  });

  it('--force-fresh forgets the catalog and decodes everything again', async () => {
    const out = join(base, 'fresh');
    expect((await runCli(['-s', library.root, '-o', out])).code).toBe(0);
    const r = await runCli(['-s', library.root, '-o', out, '--force-fresh']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Scanned ${library.photos.length} photos\\.$`, 'm'));
  });

  it('--limit takes the first photos in path order', async () => {
    const out = join(base, 'limited');
    const r = await runCli(['-s', library.root, '-o', out, '--limit', '3', '--min-group-size', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Scanned 3 photos\./m);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    expect(report.summary.photos).toBe(3);
  });

  it('--state-file puts the catalog where asked', async () => {
    const out = join(base, 'state');
    const state = join(base, 'elsewhere', 'my.db');
    expect((await runCli(['-s', library.root, '-o', out, '--state-file', state])).code).toBe(0);
    expect(existsSync(state)).toBe(true);
    expect(existsSync(join(out, '.photo-organizer'))).toBe(false);
  });

  it('stops cleanly on Ctrl+C with exit code 130 and says how to resume', async () => {
    const out = join(base, 'interrupted');
    const child = spawn(process.execPath, [BIN, '-s', library.root, '-o', out, '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // One Ctrl+C only: a second one means "quit at once".
      if (!sent && /Fingerprinting: \d+ photos\n/.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(130);
    expect(stdout).toMatch(/^Stopped while fingerprinting, after \d+ new fingerprints?; nothing is lost\.$/m);
    // The hint names the command as it was typed (here: node and the script).
    expect(stdout).toMatch(new RegExp(`^Resume with: node \\S*bin/photo-organizer\\.js --resume -o ${out}$`, 'm'));
    const resumed = await runCli(['-o', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Found \d+ groups?/);
  });

  it('shows a live progress bar with count and rate on a terminal', () => {
    const out = join(base, 'tty');
    const cmd = `${process.execPath} ${BIN} -s ${library.root} -o ${out} --threads 1`;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Fingerprinting\s+\[[█░]+\] \d+\/\d+ \(\d+%\)/);
    // The stage's last line has the rate. The live bar's rate and ETA wait for enough time to judge
    // by, which this small library may not give them; their rules are tested on a fake clock in
    // test/unit/progress-display.test.ts.
    expect(r.stdout).toMatch(/Fingerprinting: \d+ photos in [\d.]+s, [\d.]+\/s/);
    expect(r.stdout).toContain('Found ');
  });
});
