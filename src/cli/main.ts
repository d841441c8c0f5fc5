/**
 * Entry point: parse and validate the flags, run the organizer with a progress display, print
 * the summary. The only module that decides exit codes: 0 done, 1 failed, 2 bad usage,
 * 130 interrupted (resumable).
 */
import { CommanderError } from 'commander';
import { peekLatestRun } from '../catalog/runs.js';
import { DEFAULT_OPTIONS, hybridAsImmich, type RunOptions, validateOptions } from '../pipeline/options.js';
import { catalogPath, organize, RunSetupError } from '../pipeline/run.js';
import { formatImmichSummary } from './immich-summary.js';
import { buildProgram, explicitKeys } from './program.js';
import { ProgressDisplay } from './progress-display.js';
import { readExcludedPeople } from './excluded-people.js';
import { reviewRequest, runReview } from './review.js';
import { settingsRun } from './setup.js';
import { formatSummary } from './summary.js';

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** Options that describe this invocation rather than the run, so --resume never restores them. */
const PER_INVOCATION: readonly (keyof RunOptions)[] = ['resume', 'forceFresh', 'dryRun', 'verbose', 'threads', 'stateFile', 'undo'];

export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  const fail = (message: string, code: number): number => {
    io.stderr.write(`photo-organizer: error: ${message}${code === 2 ? ' (see --help)' : ''}\n`);
    return code;
  };
  const program = buildProgram()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // reported below, in our one-line format
    });
  try {
    program.parse([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return 0;
      return fail(error.message.replace(/^error: /, ''), 2);
    }
    throw error;
  }
  const review = reviewRequest(program);
  if (review !== null) return runReview(review, io);

  const given = program.opts<Partial<Record<keyof RunOptions, unknown>>>();
  let raw: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof RunOptions)[]) {
    if (given[key] !== undefined) raw[key] = given[key];
  }
  // The seed's hybrid source is an Immich run reading a local copy of the library.
  raw = hybridAsImmich(raw);
  // -i / -r: the options come from the setup or a settings file (typed flags on top), then run
  // through exactly the same validation and run as a command line.
  const setup = await settingsRun(program, raw, { stdin: process.stdin, stdout: io.stdout, stderr: io.stderr });
  if (setup !== null && 'exit' in setup) return setup.exit;
  if (setup !== null) raw = hybridAsImmich(setup.raw);
  if (raw.resume === true) {
    const restored = restoreInterrupted(raw, explicitKeys(program));
    if (restored) raw = restored;
  }
  let listed: ReturnType<typeof readExcludedPeople> = null;
  try {
    listed = raw.sourceType === 'immich' ? readExcludedPeople(process.cwd()) : null;
  } catch (error) {
    return fail((error as Error).message, 2);
  }
  if (listed !== null && Array.isArray(raw.excludedPeople)) raw = { ...raw, excludedPeople: [...new Set([...(raw.excludedPeople as string[]), ...listed.names])] };
  const checked = validateOptions(raw);
  if (!checked.ok) return fail(checked.message, 2);
  const options = checked.options;
  const immich = options.sourceType === 'immich';
  // The key is read here and handed to the Immich run alone: it is no run option, so it is never stored.
  const apiKey = setup !== null ? setup.apiKey : (program.opts<{ immichApiKey?: string }>().immichApiKey ?? null);
  if (!immich) {
    if (options.undo) return fail('--undo takes back changes made on an Immich server: use it with --source-type immich', 2);
    if (!options.source) return fail('--source is required for a local run (the folder holding your photos)', 2);
    if (!options.output) return fail('--output is required (the folder for the organized groups)', 2);
  }

  const display = new ProgressDisplay(io.stderr, io.stderr.isTTY === true, options.verbose);
  if (listed !== null) display.note('notice', `Excluding ${listed.names.length === 1 ? '1 person' : `${listed.names.length} people`} listed in ${listed.file}`);
  if (options.faceBackend === 'face_recognition' || options.faceBackend === 'mediapipe') {
    display.note('notice', `--face-backend ${options.faceBackend} is an alias here: using the built-in face analysis (human)`);
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      display.note('notice', 'Stopping after the photos in progress… (press Ctrl+C again to quit at once)');
      controller.abort();
    } else {
      // Everything finished so far is committed in the catalog; quitting now loses nothing either.
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await organize(options, { apiKey }, display, controller.signal);
    if (summary.dryRun) for (const line of [...(summary.actions?.planLines ?? []), ...summary.planLines]) io.stdout.write(`${line}\n`);
    for (const line of immich ? formatImmichSummary(summary, options.verbose) : formatSummary(summary, options.verbose)) io.stdout.write(`${line}\n`);
    return summary.interrupted ? 130 : 0;
  } catch (error) {
    if (error instanceof RunSetupError) return fail(error.message, 2);
    return fail(error instanceof Error ? error.message : String(error), 1);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * --resume: the last run's options (interrupted or not: re-running a finished one only reuses
 * the catalog), with whatever the user typed this time on top. Null when the catalog has no run.
 */
function restoreInterrupted(raw: Record<string, unknown>, explicit: Set<string>): Record<string, unknown> | null {
  const previous = peekLatestRun(catalogPath(raw as unknown as RunOptions));
  if (!previous) return null;
  let stored: Record<string, unknown>;
  try {
    stored = JSON.parse(previous.options) as Record<string, unknown>;
  } catch {
    return null;
  }
  const merged: Record<string, unknown> = { ...raw };
  for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof RunOptions)[]) {
    if (!explicit.has(key) && !PER_INVOCATION.includes(key) && key in stored) merged[key] = stored[key];
  }
  return merged;
}
