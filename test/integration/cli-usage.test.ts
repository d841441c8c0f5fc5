import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'photo-organizer.js');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('photo-organizer command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'po-cli-'));

  it('shows every seed flag and examples in --help', () => {
    const r = cli('--help');
    expect(r.code).toBe(0);
    // Help text wraps with the terminal width: compare with runs of whitespace folded.
    const text = r.stdout.replace(/\s+/g, ' ');
    for (const flag of ['--source-type', '-s, --source', '-o, --output', '-t, --threshold', '--time-window', '--min-group-size',
      '--threads', '--resume', '--force-fresh', '--state-file', '--dry-run', '--verbose', '--limit']) {
      expect(text).toContain(flag);
    }
    expect(text).toContain('Examples:');
    expect(text).toMatch(/threshold 0-64.*\(default: 5\)/);
    expect(text).toMatch(/0 ignores time \(default: 300\)/);
    expect(text).toMatch(/at least 2\) \(default: 3\)/);
  });

  const bad: [string[], RegExp][] = [
    [['-t', '99'], /Expected an integer between 0 and 64 for --threshold but received 99/],
    [['-t', 'five'], /Expected an integer between 0 and 64 for --threshold but received something that is not a number/],
    [['--min-group-size', '1'], /Expected an integer of at least 2 for --min-group-size but received 1/],
    [['--time-window', '-5'], /for --time-window but received -5/],
    [['--threads', '0'], /Expected an integer between 1 and 1024 for --threads but received 0/],
    [['--limit', '1.5'], /for --limit but received something that is not a number/],
    [['--source-type', 'cloud'], /Expected one of local, immich for --source-type but received "cloud"/],
    [['--frobnicate'], /unknown option '--frobnicate'/],
  ];
  for (const [args, message] of bad) {
    it(`rejects ${args.join(' ')} with one line and exit code 2`, () => {
      const r = cli('-s', dir, '-o', join(dir, 'out'), ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('asks for the source and output folders', () => {
    expect(cli('-o', join(dir, 'out')).stderr).toMatch(/--source is required/);
    expect(cli('-s', dir).stderr).toMatch(/--output is required/);
    const missing = cli('-s', join(dir, 'nope'), '-o', join(dir, 'out'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--source: folder not found/);
  });
});
