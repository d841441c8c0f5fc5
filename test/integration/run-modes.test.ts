/** --dry-run, --force-fresh, --limit, Ctrl+C and the progress display, on the small library. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
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

  it('--dry-run prints the plan and writes nothing at all, not even the catalog', async () => {
    const out = join(base, 'dry');
    const r = await runCli(['-s', library.root, '-o', out, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(r.stdout).toMatch(/^copy DCIM\/100CANON\/IMG_0101\.JPG → group_\d{4}\/originals\/IMG_0101\.JPG$/m);
    expect(r.stdout).toMatch(/^write group_\d{4}\/metadata\.txt$/m);
    expect(r.stdout).toMatch(/Dry run: nothing was written\. The plan has \d+ operations/);
  });

  it('--dry-run after a real run reads the catalog but leaves it untouched', async () => {
    const out = join(base, 'real-then-dry');
    expect((await runCli(['-s', library.root, '-o', out])).code).toBe(0);
    const catalog = join(out, '.photo-organizer', 'catalog.db');
    const before = spawnSync('sha256sum', [catalog]).stdout.toString();
    const r = await runCli(['-s', library.root, '-o', out, '--dry-run', '-t', '3']);
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
    expect(stdout).toMatch(/Interrupted after \d+ new fingerprints; nothing is lost\./);
    expect(stdout).toContain(`Resume with: photo-organizer --resume -o ${out}`);
    const resumed = await runCli(['-o', out, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Found \d+ groups?/);
  });

  it('shows a live progress bar with rate and ETA on a terminal', () => {
    const out = join(base, 'tty');
    const cmd = `${process.execPath} ${BIN} -s ${library.root} -o ${out} --threads 1`;
    const r = spawnSync('script', ['-qfec', cmd, '/dev/null'], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Fingerprinting\s+\[[█░]+\] \d+\/\d+ \(\d+%\)/);
    expect(r.stdout).toMatch(/ETA \d/);
    expect(r.stdout).toContain('Found ');
  });
});
