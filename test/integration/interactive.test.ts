/**
 * The interactive setup (-i) in a real terminal (tmux), saved settings and -r: a newcomer
 * organizes a folder and an Immich library by answering questions, saves, comes back, edits one
 * section and runs; Ctrl+C quits cleanly; without a terminal nothing waits for an answer.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliResult } from '../support/cli.js';
import { type SeedAsset, seedFromLibrary } from '../support/fake-immich/seed.js';
import { type FakeImmich, startFakeImmich } from '../support/fake-immich/server.js';
import { buildLibrary, type Library } from '../support/library.js';
import { Terminal } from '../support/terminal.js';

const SETTINGS = '.photo_organizer_settings.json';

let library: Library;
let seeds: SeedAsset[];
const terminals: Terminal[] = [];
let fake: FakeImmich | null = null;

beforeAll(async () => {
  library = await buildLibrary(join(mkdtempSync(join(tmpdir(), 'po-interactive-lib-')), 'Photos'), { variant: 'small' });
  seeds = await seedFromLibrary(library);
});

afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  await fake?.close();
  fake = null;
});

afterAll(() => {
  for (const t of terminals) t.close();
});

/** A working folder (the setup's current folder) and a home of its own, so no real cache is touched. */
function workspace(): { work: string; home: string } {
  const base = mkdtempSync(join(tmpdir(), 'po-interactive-'));
  return { work: base, home: mkdtempSync(join(base, 'home-')) };
}

function open(args: readonly string[], cwd: string, env: Record<string, string>): Terminal {
  const t = Terminal.start(args, { cwd, env, cols: 160, rows: 50 });
  terminals.push(t);
  return t;
}

/** The CLI without a terminal (stdin closed), in `cwd`. */
function runIn(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('IMMICH_API_KEY' in env)) delete environment.IMMICH_API_KEY;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: environment });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function readSettings(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, SETTINGS), 'utf8')) as Record<string, unknown>;
}

describe('interactive setup of a folder run', () => {
  it('walks through every section, saves, offers the file next time, edits one section and runs', async () => {
    const { work, home } = workspace();
    const out = join(work, 'Organized');
    const t = open(['-i'], work, { HOME: home });
    await t.choose('Where are your photos?', 1);
    // Tab completes a typed path (it used to insert spaces): the folder's name and a slash.
    await t.question('Folder with your photos');
    t.type(library.root.slice(0, -3));
    t.press('Tab');
    await t.waitFor(`${library.root}/`);
    expect(t.screen()).not.toMatch(new RegExp(`${library.root.slice(0, -3)}\\s`));
    t.press('C-u');
    await t.answer('Folder with your photos', library.root);
    await t.answer('Folder for the organized copy', out);
    await t.answer(`${out} does not exist yet. Use it (it is created when the run starts)?`);
    // Nothing is made before the person chooses to run.
    expect(existsSync(out)).toBe(false);
    // The guide, then a value out of range: the schema's message, and the question stays.
    await t.question('Similarity threshold:');
    expect(t.screen()).toMatch(/0-3 +duplicates[\s\S]*4-6 +bursts[\s\S]*7-10 +similar scenes/);
    t.type('99');
    t.press('Enter');
    await t.waitFor('Expected an integer between 0 and 64 for --threshold but received 99');
    t.press('BSpace', 'BSpace');
    await t.answer('Similarity threshold:', '4');
    await t.answer('Time window in seconds');
    await t.answer('Smallest group kept', '2');
    await t.answer('Worker threads');
    await t.answer('Which files should be grouped?');
    await t.choose('Face analysis for choosing the best photo:', 3);
    await t.answer('Merge exposure brackets into hdr_merged.jpg (HDR)?', 'y');
    await t.answer('HDR tone', '2.6');
    await t.answer('Dry run:');
    await t.answer('Only the first N photos');
    await t.answer('Verbose:');
    await t.answer('Keep watching');
    let screen = await t.question('What now?');
    expect(screen).toContain(`[1] Source       folder ${library.root}`);
    expect(screen).toContain(`organized copy in ${out}`);
    expect(screen).toContain('[2] Processing   threshold 4 (bursts) · time window 300 s · groups of 2 or more');
    expect(screen).toContain('[3] Best photo   face analysis: none · HDR merge: yes (gamma 2.6)');
    expect(screen).toContain('[5] Run options  dry run: no · limit: all photos · verbose: no');

    await t.choose('What now?', 3);
    await t.waitFor(`Saved to ${join(work, SETTINGS)}`);
    expect(readSettings(work)).toMatchObject({
      version: 1,
      sourceType: 'local',
      source: library.root,
      output: out,
      threshold: 4,
      timeWindow: 300,
      minGroupSize: 2,
      faceBackend: 'none',
      enableHdr: true,
      hdrGamma: 2.6,
      dryRun: false,
    });
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
    await t.choose('What now?', 4);
    expect(await t.exitCode()).toBe(0);
    // Quitting leaves the disk as it was: no output folder was made for a run that never ran.
    expect(existsSync(out)).toBe(false);

    // Next time: the file is offered, and loading it goes straight to the summary.
    const again = open(['-i'], work, { HOME: home });
    await again.answer('Found saved settings in');
    screen = await again.question('What now?');
    expect(screen).not.toContain('1. Source');
    expect(screen).toContain('threshold 4 (bursts)');
    expect(screen).toContain(`Save these settings to ${join(work, SETTINGS)} (saved)`);
    await again.choose('What now?', 2);
    await again.choose('Edit which section?', 2);
    await again.answer('Similarity threshold:', '3');
    await again.answer('Time window in seconds', '0');
    await again.answer('Smallest group kept');
    await again.answer('Worker threads');
    await again.answer('Which files should be grouped?');
    screen = await again.question('What now?');
    expect(screen).toContain('threshold 3 (duplicates only) · time window off · groups of 2 or more');
    expect(
      screen
        .split('\n')
        .filter((l) => l.includes('Save these settings'))
        .at(-1),
    ).not.toContain('(saved)');
    await again.choose('What now?', 1);
    expect(await again.exitCode(120_000)).toBe(0);
    screen = again.screen();
    expect(screen).toMatch(/Found \d+ groups?/);
    expect(screen).toContain(`Report: ${join(out, 'reports', 'latest.json')}`);
    const report = JSON.parse(readFileSync(join(out, 'reports', 'latest.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(report.options).toMatchObject({
      threshold: 3,
      timeWindow: 0,
      minGroupSize: 2,
      faceBackend: 'none',
      enableHdr: true,
      hdrGamma: 2.6,
    });
    expect(readdirSync(out).some((f) => f.startsWith('group_'))).toBe(true);
    // Edited but not saved: the file still holds what was saved.
    expect(readSettings(work)['threshold']).toBe(4);
  });

  it('quits cleanly on Ctrl+C at a question: exit 130, no stack trace, no settings file', async () => {
    const { work, home } = workspace();
    const t = open(['-i'], work, { HOME: home });
    await t.choose('Where are your photos?', 1);
    await t.answer('Folder with your photos', library.root);
    await t.question('Folder for the organized copy');
    t.press('C-c');
    expect(await t.exitCode()).toBe(130);
    const screen = t.screen();
    expect(screen).toContain('Setup cancelled.');
    expect(screen).not.toMatch(/Error|\n\s+at /);
    expect(readdirSync(work).filter((f) => !f.startsWith('home-'))).toEqual([]);
  });
});

describe('interactive setup of an Immich run', () => {
  it('tests the connection on the spot, reports a wrong key, and never shows or saves the key', async () => {
    fake = await startFakeImmich(seeds);
    const { work, home } = workspace();
    const t = open(['-i'], work, { HOME: home });
    await t.choose('Where are your photos?', 2);
    await t.answer('Immich server address', fake.url);
    await t.secret('Immich API key', 'wrong-key-123');
    await t.waitFor('Immich v3.1.0 answers there, but: Immich said 401 Unauthorized for GET /api/users/me');
    await t.choose('What now?', 1);
    await t.secret('Immich API key', fake.apiKey);
    await t.waitFor(new RegExp(`Connected: Immich v3\\.1\\.0 at ${fake.url.replace(/\./g, '\\.')}/api, API key of `));
    await t.answer('Only the photos of one album');
    for (const q of [
      'Similarity threshold:',
      'Time window in seconds',
      'Smallest group kept',
      'Worker threads',
      'Which files should be grouped?',
      'Face analysis for choosing the best photo:',
    ])
      await t.answer(q);
    await t.answer('Tag-only:', 'y');
    for (const q of ['Create an album per group?', 'Mark the best photo', 'Archive the other photos', 'Stack each group'])
      await t.answer(q);
    await t.answer("Group each named person's photos separately?");
    await t.answer('Group by each combination of favourite people instead');
    await t.answer('Choose the best photo by the faces Immich found', 'y');
    await t.answer("Use Immich's own duplicate groups");
    await t.answer('Smart search:');
    await t.answer('Download original files');
    await t.answer('Folder with a local copy of the Immich library');
    await t.answer('Cache folder for downloaded pictures:');
    await t.answer('Cache size in MB:', '200');
    await t.answer("Check the server's TLS certificate?");
    await t.answer('Dry run:', 'y');
    await t.answer('Only the first N photos');
    await t.answer('Verbose:');
    const screen = await t.question('What now?');
    expect(screen).toContain(`Immich server ${fake.url} (Immich v3.1.0, API key of `);
    expect(screen).toContain('API key: from what you typed (never saved)');
    expect(screen).toContain('on the server: tag-only');
    expect(screen).toContain('grouping: best by server faces');
    await t.choose('What now?', 3);
    await t.waitFor('Saved to');
    const text = readFileSync(join(work, SETTINGS), 'utf8');
    expect(JSON.parse(text)).toMatchObject({
      version: 1,
      sourceType: 'immich',
      immichUrl: fake.url,
      tagOnly: true,
      immichUseServerFaces: true,
      immichCacheSize: 200,
      dryRun: true,
      output: null,
    });
    expect(text).not.toContain(fake.apiKey);
    expect(text).not.toContain('wrong-key-123');
    expect(text).not.toMatch(/api.?key/i);

    await t.choose('What now?', 1);
    expect(await t.exitCode(120_000)).toBe(0);
    expect(t.screen()).toContain('Dry run: nothing was changed');
    expect(fake.writes()).toEqual([]);
    expect(t.screen()).not.toContain(fake.apiKey);
  });

  it('asks for the key again when saved Immich settings are loaded, then goes to the summary', async () => {
    fake = await startFakeImmich(seeds);
    const { work, home } = workspace();
    writeFileSync(join(work, SETTINGS), JSON.stringify({ version: 1, sourceType: 'immich', immichUrl: fake.url, tagOnly: true }));
    const t = open(['-i'], work, { HOME: home });
    await t.answer('Found saved settings in');
    await t.secret('Immich API key', fake.apiKey);
    const screen = await t.question('What now?');
    expect(screen).toContain('Connected: Immich v3.1.0');
    expect(screen).not.toContain('1. Source');
    await t.choose('What now?', 4);
    expect(await t.exitCode()).toBe(0);
  });
});

describe('-r: saved settings without questions', () => {
  it('runs the default settings file with the flags typed on top', async () => {
    const { work } = workspace();
    // Relative paths in a settings file are taken from the file's folder.
    writeFileSync(
      join(work, SETTINGS),
      JSON.stringify(
        { version: 1, source: library.root, output: 'Out', threshold: 6, minGroupSize: 2, faceBackend: 'none', limit: 6 },
        null,
        2,
      ),
    );
    const run = await runIn(work, ['-r', '-t', '3', '--limit', '0']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`Using the settings in ${join(work, SETTINGS)}, with --threshold, --limit from the command line`);
    const report = JSON.parse(readFileSync(join(work, 'Out', 'reports', 'latest.json'), 'utf8')) as { options: Record<string, unknown> };
    expect(report.options).toMatchObject({
      threshold: 3,
      minGroupSize: 2,
      limit: 0,
      faceBackend: 'none',
      source: library.root,
      output: join(work, 'Out'),
    });
  });

  it.each([
    ['an unknown key', { version: 1, thresold: 4 }, 'bad.json: unknown setting "thresold" (did you mean "threshold"?)'],
    ['a wrong type', { version: 1, dryRun: 'yes' }, 'bad.json: "dryRun": expected true or false but received "yes"'],
    [
      'a value out of range',
      { version: 1, threshold: 99 },
      'bad.json: "threshold": Expected an integer between 0 and 64 for --threshold but received 99',
    ],
    [
      'a newer version',
      { version: 7, threshold: 4 },
      'bad.json was saved by a newer photo-organizer (settings version 7; this one reads up to version 1)',
    ],
    ['no version', { threshold: 4 }, 'bad.json: "version" is missing'],
    [
      'no photo folder',
      { version: 1, output: 'Out' },
      'bad.json: "source" is not set (the folder holding your photos); set it there or give -s',
    ],
  ])('refuses a file with %s, naming the file and the field', async (_, content, message) => {
    const { work } = workspace();
    writeFileSync(join(work, 'bad.json'), JSON.stringify(content));
    const run = await runIn(work, ['-r', 'bad.json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('fails at once, without a prompt, on Immich settings with no key anywhere', async () => {
    const { work } = workspace();
    // "At once" means before any work: not one request reaches the server the settings name.
    fake = await startFakeImmich(seeds);
    writeFileSync(join(work, SETTINGS), JSON.stringify({ version: 1, sourceType: 'immich', immichUrl: fake.url, tagOnly: true }));
    const run = await runIn(work, ['-r']);
    expect(run.signal).toBeNull();
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no Immich API key: settings files never hold it; set IMMICH_API_KEY');
    expect(run.stdout + run.stderr).not.toMatch(/\?\s*Immich API key/);
    expect(fake.calls).toEqual([]);
  });
});

describe('without a terminal', () => {
  it('-i says it needs one and exits 2', async () => {
    const { work } = workspace();
    const run = await runIn(work, ['-i']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the interactive setup (-i) needs a terminal');
    expect(existsSync(join(work, SETTINGS))).toBe(false);
  });

  it('-i and -r together are refused', async () => {
    const run = await runIn(workspace().work, ['-i', '-r']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('-i and -r do not go together');
  });
});
