/**
 * `-i` (interactive setup) and `-r [FILE]` (saved settings, no questions): both end in a set of
 * raw run options that main() validates and runs exactly like a command line. Flags typed next to
 * either win over the file (and become the walkthrough's defaults). Prints only to the given
 * streams; returns exit codes rather than exiting.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FLAG_NAMES, OPTION_KEYS, type OptionKey, type OptionValues, validateValues } from '../pipeline/options.js';
import { checkImmichServer } from '../sources/immich-check.js';
import type { KeyOrigin } from './interactive/context.js';
import { isPromptCancel, terminalPrompter } from './interactive/prompter.js';
import { interactiveSetup } from './interactive/session.js';
import { explicitKeys } from './program.js';
import { loadSettings, pickSettings, SETTINGS_FILE, SettingsError, type Settings } from './settings.js';

export interface SetupIo {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Options to run (and the key, held apart: it is no run option), or the exit code to end with. */
export type SetupOutcome = { readonly raw: Record<string, unknown>; readonly apiKey: string | null } | { readonly exit: number };

interface SettingsFlags {
  readonly interactive?: boolean;
  /** `true` for a bare -r. */
  readonly runSettings?: string | true;
  readonly immichApiKey?: string;
}

/**
 * Handles -i / -r given `raw` (defaults with the typed flags on top). Null when neither flag was
 * given: the command line alone decides.
 */
export async function settingsRun(
  program: Command,
  raw: Record<string, unknown>,
  io: SetupIo,
  command: string,
): Promise<SetupOutcome | null> {
  const flags = program.opts<SettingsFlags>();
  if (flags.interactive !== true && flags.runSettings === undefined) return null;
  const fail = (message: string, code: number): SetupOutcome => {
    io.stderr.write(`photo-organizer: error: ${message}\n`);
    return { exit: code };
  };
  if (flags.interactive === true && flags.runSettings !== undefined) {
    return fail('-i and -r do not go together: -i asks the questions, -r runs saved settings without asking', 2);
  }
  const explicit = explicitKeys(program);
  const overrides: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) if (explicit.has(key)) overrides[key] = raw[key];
  // --source-type hybrid typed: its library folder (the seed's default) comes with it.
  if (explicit.has('sourceType') && raw.immichLibraryPath !== null) overrides.immichLibraryPath = raw.immichLibraryPath;
  const apiKey = flags.immichApiKey ?? null;
  if (flags.runSettings !== undefined) {
    return runSaved(resolve(flags.runSettings === true ? SETTINGS_FILE : flags.runSettings), raw, overrides, apiKey, io, fail);
  }
  if (io.stdin.isTTY !== true || io.stdout.isTTY !== true) {
    return fail(
      'the interactive setup (-i) needs a terminal; without one, run saved settings with -r FILE, or give the options as flags',
      2,
    );
  }
  // Folders and the server are asked for: only the values typed so far need to be valid.
  const checked = validateValues(raw);
  if (!checked.ok) return fail(`${checked.message} (see --help)`, 2);
  const origin = program.getOptionValueSource('immichApiKey');
  const keyOrigin: KeyOrigin | null = apiKey === null ? null : origin === 'env' ? 'environment' : 'command line';
  return interactive(checked.values, overrides as Partial<Settings>, apiKey, keyOrigin, io, command);
}

function runSaved(
  path: string,
  raw: Record<string, unknown>,
  overrides: Record<string, unknown>,
  apiKey: string | null,
  io: SetupIo,
  fail: (message: string, code: number) => SetupOutcome,
): SetupOutcome {
  let settings: Settings;
  try {
    const loaded = loadSettings(path);
    for (const note of loaded.notes) io.stderr.write(`${note}\n`);
    settings = loaded.settings;
  } catch (error) {
    if (error instanceof SettingsError) return fail(error.message, 2);
    throw error;
  }
  const merged = { ...raw, ...settings, ...overrides };
  if (merged.sourceType === 'local') {
    // Said in terms of the file, where the fix belongs (main's message would only name the flag).
    if (merged.source === null) return fail(`${path}: "source" is not set (the folder holding your photos); set it there or give -s`, 2);
    if (merged.output === null) return fail(`${path}: "output" is not set (the folder for the organized copy); set it there or give -o`, 2);
  }
  // Never a prompt here: -r must work unattended, so a missing key is an error at once.
  if (merged.sourceType === 'immich' && apiKey === null) {
    return fail('no Immich API key: settings files never hold it; set IMMICH_API_KEY (or pass --immich-api-key) and run again', 2);
  }
  const typed = Object.keys(overrides).map((k) => k as OptionKey);
  io.stderr.write(
    `Using the settings in ${path}${typed.length > 0 ? `, with ${typed.map((k) => FLAG_NAMES[k]).join(', ')} from the command line` : ''}\n`,
  );
  return { raw: merged, apiKey };
}

async function interactive(
  options: OptionValues,
  overrides: Partial<Settings>,
  apiKey: string | null,
  keyOrigin: KeyOrigin | null,
  io: SetupIo,
  command: string,
): Promise<SetupOutcome> {
  // Ctrl+C at a question arrives as a keypress (the terminal is in raw mode then); between
  // questions, while the server is checked, it is a signal: both end the setup the same way.
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  try {
    const result = await interactiveSetup(
      {
        initial: { settings: pickSettings(options), apiKey, keyOrigin, server: null },
        overrides,
        settingsPath: resolve(SETTINGS_FILE),
        command,
      },
      {
        prompt: terminalPrompter({ input: io.stdin, output: io.stdout, signal: controller.signal }),
        say: (line = '') => io.stdout.write(`${line}\n`),
        checkServer: checkImmichServer,
        signal: controller.signal,
        cwd: process.cwd(),
      },
    );
    if (result.kind === 'quit') {
      io.stdout.write('Nothing was run.\n');
      return { exit: 0 };
    }
    io.stdout.write('\n');
    return { raw: { ...options, ...result.draft.settings }, apiKey: result.draft.apiKey };
  } catch (error) {
    if (isPromptCancel(error) || controller.signal.aborted) {
      io.stderr.write('\nSetup cancelled.\n');
      return { exit: 130 };
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
