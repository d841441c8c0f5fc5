/**
 * The interactive setup driven by a script of answers instead of a terminal: which questions
 * come in which order, what the summary says, and what is saved. (The terminal itself is tested
 * in test/integration/interactive.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Draft, SetupContext } from '../../src/cli/interactive/context.js';
import type { Choice, Prompter } from '../../src/cli/interactive/prompter.js';
import { connectImmich } from '../../src/cli/interactive/server.js';
import { interactiveSetup, notReady } from '../../src/cli/interactive/session.js';
import { summaryLines } from '../../src/cli/interactive/summary.js';
import { defaultSettings } from '../../src/cli/settings.js';
import type { ServerCheck, ServerCheckInput } from '../../src/sources/immich-check.js';

/** One expected question: the start of its message, and the answer (undefined: Enter, keeping the default). */
type Step = readonly [message: string, answer?: unknown];

/** A prompter that follows a script and fails on any question out of order; typed answers go through validation. */
function scripted(steps: readonly Step[]): Prompter & { asked: string[]; problems: string[] } {
  const queue = [...steps];
  const asked: string[] = [];
  const problems: string[] = [];
  const next = (message: string): Step => {
    asked.push(message);
    const step = queue.shift();
    if (!step || !message.startsWith(step[0])) throw new Error(`unexpected question "${message}" (expected "${step?.[0] ?? 'none'}")`);
    return step;
  };
  const typed = (step: Step, fallback: string | undefined, validate?: (v: string) => true | string): string => {
    const value = step[1] === undefined ? (fallback ?? '') : String(step[1]);
    const verdict = validate?.(value) ?? true;
    if (verdict !== true) {
      problems.push(verdict);
      throw new Error(`answer "${value}" refused: ${verdict}`);
    }
    return value;
  };
  return {
    asked,
    problems,
    text: async (q) => typed(next(q.message), q.default, q.validate),
    secret: async (q) => typed(next(q.message), undefined, q.validate),
    confirm: async (q) => {
      const step = next(q.message);
      return step[1] === undefined ? q.default : step[1] === true;
    },
    choose: async <T>(q: { message: string; choices: readonly Choice<T>[]; default?: T }) => {
      const step = next(q.message);
      const value = (step[1] === undefined ? (q.default ?? q.choices[0]!.value) : step[1]) as T;
      const choice = q.choices.find((c) => c.value === value);
      if (!choice || choice.disabled !== undefined) throw new Error(`"${String(value)}" is not a choice of "${q.message}"`);
      return value;
    },
  };
}

function context(
  prompt: Prompter,
  cwd: string,
  checkServer?: (input: ServerCheckInput) => Promise<ServerCheck>,
): SetupContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    prompt,
    say: (line = '') => lines.push(line),
    checkServer: checkServer ?? (async () => ({ ok: false, version: null, message: 'no server in this test' })),
    signal: new AbortController().signal,
    cwd,
  };
}

function start(overrides: Partial<Draft> = {}): Draft {
  return { settings: { ...defaultSettings(), threads: 2 }, apiKey: null, keyOrigin: null, server: null, ...overrides };
}

function folders(): { cwd: string; photos: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'po-session-'));
  const photos = join(cwd, 'Photos');
  mkdirSync(photos);
  return { cwd, photos };
}

const KEEP_PROCESSING: Step[] = [['Similarity threshold'], ['Time window'], ['Smallest group'], ['Worker threads'], ['Which files']];
const KEEP_RUN: Step[] = [['Dry run'], ['Only the first N'], ['Verbose'], ['Keep watching']];

describe('interactive setup', () => {
  it('asks the sections in order, then saves exactly what the summary shows', async () => {
    const { cwd, photos } = folders();
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', 'Photos'],
      ['Folder for the organized copy'],
      ['/', true], // "<folder> does not exist yet. Use it (it is created when the run starts)?"
      ['Similarity threshold', '7'],
      ['Time window'],
      ['Smallest group', '4'],
      ['Worker threads'],
      ['Which files', 'all'],
      ['Which key frames', 'iframe'],
      ['Most key frames', '6'],
      ['Face analysis', 'none'],
      ['Merge exposure brackets', true],
      ['HDR tone', '3'],
      ['Dry run', true],
      ['Only the first N', '50'],
      ['Verbose'],
      ['What now?', 'save'],
      ['What now?', 'run'],
    ]);
    const ctx = context(prompt, cwd);
    const result = await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 'settings.json') }, ctx);
    expect(result.kind).toBe('run');
    const settings = result.kind === 'run' ? result.draft.settings : null;
    expect(settings).toMatchObject({
      sourceType: 'local',
      source: photos,
      output: join(cwd, 'Organized'),
      threshold: 7,
      minGroupSize: 4,
      mediaType: 'all',
      videoStrategy: 'iframe',
      videoMaxFrames: 6,
      faceBackend: 'none',
      enableHdr: true,
      hdrGamma: 3,
      dryRun: true,
      limit: 50,
    });
    expect(JSON.parse(readFileSync(join(cwd, 'settings.json'), 'utf8'))).toEqual({ version: 1, ...settings });
    expect(ctx.lines.join('\n')).toContain(
      '[2] Processing   threshold 7 (similar scenes) · time window 300 s · groups of 4 or more · 2 threads',
    );
    expect(ctx.lines.join('\n')).toContain('photos and video clips · key frames: iframe, up to 6 per clip');
    expect(ctx.lines.join('\n')).toContain('[3] Best photo   face analysis: none · HDR merge: yes (gamma 3)');
    expect(ctx.lines.join('\n')).toContain('[5] Run options  dry run: yes · limit: first 50 photos · verbose: no');
  });

  it('asks how often to look when the run keeps watching, and shows it in the summary', async () => {
    const { cwd } = folders();
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', 'Photos'],
      ['Folder for the organized copy'],
      ['/', true],
      ...KEEP_PROCESSING,
      ['Face analysis'],
      ['Merge exposure brackets'],
      ['When someone blinks in the best photo'],
      ['Dry run'],
      ['Only the first N'],
      ['Verbose'],
      ['Keep watching', true],
      ['Look for changes every N seconds', '30'],
      ['What now?', 'run'],
    ]);
    const ctx = context(prompt, cwd);
    const result = await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 'settings.json') }, ctx);
    expect(result.kind === 'run' ? result.draft.settings : null).toMatchObject({ watch: true, pollInterval: 30 });
    expect(ctx.lines.join('\n')).toContain('watch: every 30 s');
  });

  it('creates no folder before the run: the output is made when the run starts', async () => {
    const { cwd } = folders();
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', 'Photos'],
      ['Folder for the organized copy', 'Sorted'],
      [`${join(cwd, 'Sorted')} does not exist yet. Use it (it is created when the run starts)?`, true],
      ...KEEP_PROCESSING,
      ['Face analysis'],
      ['Merge exposure brackets'],
      ['When someone blinks in the best photo'],
      ...KEEP_RUN,
      ['What now?', 'quit'],
      ['These settings are not saved. Quit anyway', true],
    ]);
    const ctx = context(prompt, cwd);
    expect(await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, ctx)).toEqual({ kind: 'quit' });
    expect(existsSync(join(cwd, 'Sorted'))).toBe(false);
    expect(ctx.lines).toContain(`  ${join(cwd, 'Sorted')} will be created when the run starts`);
  });

  it('warns before quitting with unsaved answers, and quits at once once they are saved', async () => {
    const { cwd, photos } = folders();
    const walk: Step[] = [
      ['Where are your photos?', 'local'],
      ['Folder with your photos', photos],
      ['Folder for the organized copy', join(cwd, 'Out')],
      ['/', true],
      ...KEEP_PROCESSING,
      ['Face analysis'],
      ['Merge exposure brackets'],
      ['When someone blinks in the best photo'],
      ...KEEP_RUN,
    ];
    const unsaved = scripted([
      ...walk,
      ['What now?', 'quit'],
      ['These settings are not saved. Quit anyway'],
      ['What now?', 'save'],
      ['What now?', 'quit'],
    ]);
    const ctx = context(unsaved, cwd);
    expect(await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, ctx)).toEqual({ kind: 'quit' });
    // Enter at the warning (default no) went back to the menu; after saving, quit asks nothing.
    expect(unsaved.asked.filter((q) => q.startsWith('These settings are not saved'))).toHaveLength(1);
    expect(existsSync(join(cwd, 's.json'))).toBe(true);
  });

  it('labels the face choices in plain words, and says "at least 2" for the group size', async () => {
    const { FACE_CHOICES } = await import('../../src/cli/interactive/best-photo.js');
    expect(FACE_CHOICES.map((c) => c.name)).toEqual([
      'Look at faces when the face model loads (auto)',
      'Always look at faces: the built-in face model (human)',
      'Ignore faces (none)',
    ]);
    const { cwd, photos } = folders();
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', photos],
      ['Folder for the organized copy', join(cwd, 'Out')],
      ['/', true],
      ['Similarity threshold'],
      ['Time window'],
      ['Smallest group', '1'],
    ]);
    await expect(
      interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, context(prompt, cwd)),
    ).rejects.toThrow('Expected an integer of at least 2 for --min-group-size but received 1');
  });

  it('keeps asking until a path and a number are acceptable, with the reasons', async () => {
    const { cwd } = folders();
    writeFileSync(join(cwd, 'file.txt'), 'x');
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', 'missing'],
    ]);
    await expect(
      interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, context(prompt, cwd)),
    ).rejects.toThrow(`There is no folder ${join(cwd, 'missing')}`);
    const second = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', 'Photos'],
      ['Folder for the organized copy', 'Photos'],
    ]);
    await expect(
      interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, context(second, cwd)),
    ).rejects.toThrow('The output must be another folder than the photo folder');
  });

  it('warns when the output lies inside the photo folder', async () => {
    const { cwd, photos } = folders();
    mkdirSync(join(photos, 'sorted'));
    const prompt = scripted([
      ['Where are your photos?', 'local'],
      ['Folder with your photos', photos],
      ['Folder for the organized copy', join(photos, 'sorted')],
      ...KEEP_PROCESSING,
      ['Face analysis'],
      ['Merge exposure brackets'],
      ['When someone blinks in the best photo'],
      ...KEEP_RUN,
      ['What now?', 'quit'],
      ['These settings are not saved. Quit anyway', true],
    ]);
    const ctx = context(prompt, cwd);
    expect(await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, ctx)).toEqual({ kind: 'quit' });
    expect(ctx.lines).toContain(
      `  Note: the output folder lies inside the photo folder. It is skipped when photos are searched, but consider a folder outside ${photos}.`,
    );
  });

  it('offers a TLS way out for an untrusted https server and can keep the settings anyway', async () => {
    const { cwd } = folders();
    const checks: ServerCheckInput[] = [];
    const prompt = scripted([
      ['Immich server address', 'https://photos.example.com'],
      ['Use the API key from the IMMICH_API_KEY environment variable?'],
      ['What now?', 'tls'],
      ['Only the photos of one album', 'Holidays'],
    ]);
    const ctx = context(prompt, cwd, async (input) => {
      checks.push(input);
      return input.verifySsl
        ? { ok: false, version: null, message: 'The TLS certificate of https://photos.example.com/api is not trusted' }
        : { ok: true, version: 'v3.1.0', server: 'https://photos.example.com/api', user: 'Me <me@example.com>', warning: null };
    });
    const draft = start({ settings: { ...defaultSettings(), sourceType: 'immich' }, apiKey: 'k-123', keyOrigin: 'environment' });
    const done = await connectImmich(draft, ctx, 'walkthrough');
    expect(checks.map((c) => [c.apiKey, c.verifySsl])).toEqual([
      ['k-123', true],
      ['k-123', false],
    ]);
    expect(done.settings).toMatchObject({ immichUrl: 'https://photos.example.com', verifySsl: false, immichAlbum: 'Holidays' });
    expect(ctx.lines).toContain('  Connected: Immich v3.1.0 at https://photos.example.com/api, API key of Me <me@example.com>.');
    expect(ctx.lines.join('\n')).not.toContain('k-123');
    expect(summaryLines(done).join('\n')).toContain('API key: from the IMMICH_API_KEY environment variable (never saved)');
  });

  it('asks about HDR merges and face swaps for an Immich run that writes a local tree', async () => {
    const { cwd } = folders();
    const settings = { ...defaultSettings(), sourceType: 'immich' as const, immichUrl: 'http://immich.local:2283' };
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ version: 1, ...settings }));
    const prompt = scripted([
      ['Found saved settings', true],
      ['What now?', 'edit'],
      ['Edit which section?', 'actions'],
      ['Tag-only'],
      ['Create an album per group?'],
      ['Mark the best photo'],
      ['Archive the other photos'],
      ['Stack each group'],
      ["Group each named person's photos"],
      ['Group by each combination of favourite people'],
      // The server's faces choose the best photo; a swap analyses the groups it may touch itself.
      ['Choose the best photo by the faces', true],
      ["Use Immich's own duplicate groups"],
      ['Smart search'],
      ['Download original files'],
      ['Folder with a local copy of the Immich library'],
      ['Folder for the organized copy', 'Sorted'],
      ['Merge exposure brackets', true],
      ['HDR tone', '2.8'],
      ['When someone blinks in the best photo', true],
      ['Cache folder'],
      ['Cache size in MB'],
      ["Check the server's TLS certificate?"],
      ['What now?', 'run'],
    ]);
    const draft = start({ apiKey: 'k', keyOrigin: 'environment' });
    const ctx = context(prompt, cwd, async () => ({
      ok: true,
      version: 'v3.1.0',
      server: 'http://immich.local:2283/api',
      user: 'Me <me@example.com>',
      warning: null,
    }));
    const result = await interactiveSetup({ initial: draft, overrides: {}, settingsPath: join(cwd, 's.json') }, ctx);
    expect(result.kind === 'run' && result.draft.settings).toMatchObject({
      output: join(cwd, 'Sorted'),
      immichUseServerFaces: true,
      enableHdr: true,
      hdrGamma: 2.8,
      enableFaceSwap: true,
      swapClosedEyes: true,
    });
    expect(ctx.lines.join('\n')).toContain('HDR merge: yes (gamma 2.8) · face swap: yes');
  });

  it('switching a folder setup to Immich also asks the Immich actions', async () => {
    const { cwd, photos } = folders();
    const settings = { ...defaultSettings(), source: photos, output: join(cwd, 'Out') };
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ version: 1, ...settings }));
    const prompt = scripted([
      ['Found saved settings', true],
      ['What now?', 'edit'],
      ['Edit which section?', 'source'],
      ['Where are your photos?', 'immich'],
      ['Immich server address', 'http://immich.local:2283'],
      ['Immich API key', 'typed-key'],
      ['What now?', 'keep'],
      ['Only the photos of one album'],
      ['Tag-only'],
      ['Create an album per group?', true],
      ['Album names start with:', 'Sorted-'],
      ['Mark the best photo'],
      ['Archive the other photos'],
      ['Stack each group'],
      ["Group each named person's photos", true],
      ['Only this person', 'Alice'],
      ['People to leave out', 'Rex, Mr Whiskers'],
      ['Choose the best photo by the faces'],
      ["Use Immich's own duplicate groups"],
      ['Smart search'],
      ['Download original files'],
      ['Folder with a local copy of the Immich library'],
      ['Also download the groups into a folder', ''],
      ['Cache folder'],
      ['Cache size in MB'],
      ["Check the server's TLS certificate?"],
      ['What now?', 'run'],
    ]);
    const result = await interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, context(prompt, cwd));
    expect(result.kind === 'run' && result.draft.settings).toMatchObject({
      sourceType: 'immich',
      immichUrl: 'http://immich.local:2283',
      createAlbums: true,
      albumPrefix: 'Sorted-',
      immichGroupByPerson: true,
      immichPerson: 'Alice',
      immichGroupByPeople: false,
      excludedPeople: ['Rex', 'Mr Whiskers'],
      output: null,
    });
    expect(result.kind === 'run' && result.draft.apiKey).toBe('typed-key');
  });

  it('flags typed with -i win over the loaded file', async () => {
    const { cwd, photos } = folders();
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ version: 1, source: photos, output: join(cwd, 'Out'), threshold: 4 }));
    const prompt = scripted([['Found saved settings'], ['What now?', 'run']]);
    const result = await interactiveSetup(
      { initial: start(), overrides: { threshold: 9 }, settingsPath: join(cwd, 's.json') },
      context(prompt, cwd),
    );
    expect(result.kind === 'run' && result.draft.settings.threshold).toBe(9);
  });

  it('reports an unusable settings file and starts from the defaults', async () => {
    const { cwd } = folders();
    writeFileSync(join(cwd, 's.json'), JSON.stringify({ version: 1, threshold: 'five' }));
    const prompt = scripted([['Found saved settings'], ['Where are your photos?']]);
    const ctx = context(prompt, cwd);
    await expect(interactiveSetup({ initial: start(), overrides: {}, settingsPath: join(cwd, 's.json') }, ctx)).rejects.toThrow(
      /unexpected question/,
    );
    expect(ctx.lines).toContain(
      `  Cannot use them: ${join(cwd, 's.json')}: "threshold": Expected an integer between 0 and 64 for --threshold but received "five"`,
    );
  });

  it('will not run what a command line would refuse', () => {
    const immich = { ...defaultSettings(), sourceType: 'immich' as const, immichUrl: 'http://immich.local' };
    expect(notReady(start({ settings: immich }))).toBe('no API key (edit Source)');
    expect(notReady(start({ settings: immich, apiKey: 'k' }))).toBe('choose an Immich action or a folder to download into (edit Actions)');
    expect(notReady(start({ settings: { ...immich, stack: true }, apiKey: 'k' }))).toBeNull();
    expect(notReady(start())).toBe('choose the photo folder and the output folder (edit Source)');
  });
});
