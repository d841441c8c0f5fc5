import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'photo-organizer.js');
const PACKAGE = join(import.meta.dirname, '..', '..', 'package.json');

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
    for (const flag of [
      '--source-type',
      '-s, --source',
      '-o, --output',
      '-t, --threshold',
      '--time-window',
      '--min-group-size',
      '--threads',
      '--resume',
      '--force-fresh',
      '--state-file',
      '--dry-run',
      '--verbose',
      '--limit',
    ]) {
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
    [['--source-type', 'cloud'], /Expected one of local, immich, hybrid for --source-type but received "cloud"/],
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

describe('help', () => {
  it('groups the options under headed sections, in order, with examples last', () => {
    const r = cli('--help');
    const headings = r.stdout.split('\n').filter((l) => /^[A-Z][^:]*:$/.test(l));
    expect(headings).toEqual([
      'Source:',
      'Grouping:',
      'Best photo:',
      'Output:',
      'Immich (with --source-type immich or hybrid):',
      'Run:',
      'Commands:',
      'Examples:',
    ]);
    const text = r.stdout.replace(/\s+/g, ' ');
    // Immich options sit in their own section, after the folder ones.
    expect(text.indexOf('--immich-url')).toBeGreaterThan(text.indexOf('Immich (with'));
    expect(text.indexOf('--dry-run')).toBeGreaterThan(text.indexOf('Run:'));
  });

  it('prints the version, and help for the program and for a command', () => {
    const version = cli('--version');
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe((JSON.parse(readFileSync(PACKAGE, 'utf8')) as { version: string }).version);
    const help = cli('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:');
    const review = cli('help', 'review');
    expect(review.code).toBe(0);
    expect(review.stdout).toMatch(/review \[options\]/);
    expect(review.stdout).toContain('--port');
  });

  const seedFlags: [string, RegExp][] = [
    ['--web-viewer', /--web-viewer is a flag of the Python photo organizer: the review page is a command here: .* review -o OUTPUT --open/],
    ['--cleanup', /--cleanup is a flag of the Python photo organizer: .*--undo/],
    ['--cpu-limit', /--cpu-limit .*--threads/],
    ['--gpu', /--gpu .*everything runs on the CPU/],
    ['--ignore-timestamp', /--ignore-timestamp .*--time-window 0/],
    ['--apple-library', /--apple-library: the Apple Photos source needs macOS/],
  ];
  for (const [flag, hint] of seedFlags) {
    it(`says where the seed's ${flag} went instead of a bare "unknown option"`, () => {
      const r = cli('-s', tmpdir(), '-o', join(tmpdir(), 'x'), flag);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(hint);
      expect(r.stderr).not.toContain('unknown option');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});

describe('refusals instead of silent reinterpretation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'po-refuse-'));
  const refused: [string[], string][] = [
    [
      ['--tag-only'],
      '--tag-only tags groups on an Immich server; a folder run has nothing to tag. To see the groups without writing anything, use --dry-run',
    ],
    [
      ['--immich-url', 'https://photos.example.com'],
      '--immich-url is for Immich runs, and this is a folder run (--source-type local): drop it, or add --source-type immich',
    ],
    [['--immich-album', 'Trip', '--stack'], '--immich-album, --stack are for Immich runs'],
    [['--undo'], '--undo takes back changes made on an Immich server'],
  ];
  for (const [args, message] of refused) {
    it(`refuses ${args.join(' ')} on a folder run, writing nothing`, () => {
      const out = join(dir, `out-${args[0]!.slice(2)}`);
      const r = cli('-s', dir, '-o', out, ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(spawnSync('test', ['-e', out]).status).not.toBe(0);
    });
  }
});

describe('the installed command', () => {
  const pkg = JSON.parse(readFileSync(PACKAGE, 'utf8')) as { bin: Record<string, string> };

  it('is photo-album-organizer (a name free on the npm registry), with photo-organizer kept as an alias', () => {
    expect(pkg.bin).toEqual({ 'photo-album-organizer': 'bin/photo-organizer.js', 'photo-organizer': 'bin/photo-organizer.js' });
  });

  it('runs from any folder through the PATH, names itself as typed in its hints, and keeps settings in the current folder', () => {
    // What `npm link` / `npm install -g .` make: a link on the PATH to the package's bin file.
    const home = mkdtempSync(join(tmpdir(), 'po-path-'));
    const binDir = join(home, 'bin');
    mkdirSync(binDir);
    symlinkSync(join(dirname(PACKAGE), pkg.bin['photo-album-organizer']!), join(binDir, 'photo-album-organizer'));
    const work = join(home, 'albums');
    mkdirSync(join(work, 'Photos'), { recursive: true });
    const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}` };
    const usage = spawnSync('photo-album-organizer', ['--help'], { cwd: work, env, encoding: 'utf8' });
    expect(usage.status, usage.stderr).toBe(0);
    expect(usage.stdout).toMatch(/^Usage: photo-album-organizer /);
    expect(usage.stdout).toContain('$ photo-album-organizer -s ~/Photos -o ~/Organized');
    // -r reads the settings file of the folder it runs in (no questions; it stops at the empty library's missing output).
    writeFileSync(join(work, '.photo_organizer_settings.json'), JSON.stringify({ version: 1, source: 'Photos' }));
    const saved = spawnSync('photo-album-organizer', ['-r'], { cwd: work, env, encoding: 'utf8' });
    expect(saved.status).toBe(2);
    expect(saved.stderr).toContain(`${join(work, '.photo_organizer_settings.json')}: "output" is not set`);
  });
});
