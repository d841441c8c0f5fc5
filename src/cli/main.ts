/**
 * Entry point: parse and validate the flags, run the organizer with a progress display, print
 * the summary. The only module that decides exit codes: 0 done, 1 failed, 2 bad usage,
 * 130 interrupted (resumable).
 */
import { dirname, resolve } from 'node:path';
import { CommanderError } from 'commander';
import { z } from 'zod';
import { peekLatestRun } from '../catalog/runs.js';
import { DEFAULT_OPTIONS, hybridAsImmich, OPTION_KEYS, RESTORED_KEYS, type RunOptions, validateOptions } from '../pipeline/options.js';
import { lockedMessage } from '../pipeline/lock.js';
import { catalogPath, organize, RunSetupError, type RunSummary } from '../pipeline/run.js';
import { asWriteError, OutputWriteError } from '../output/preflight.js';
import { RunLog } from '../report/log.js';
import { commandName } from './command-name.js';
import { formatImmichSummary } from './immich-summary.js';
import { buildProgram, explicitKeys } from './program.js';
import { ProgressDisplay } from './progress-display.js';
import { readExcludedPeople } from './excluded-people.js';
import { refusal } from './refusals.js';
import { reviewRequest, runReview } from './review.js';
import { seedFlagHint } from './seed-flags.js';
import { settingsRun } from './setup.js';
import { formatSummary, quote } from './summary.js';
import { runWatch, watchRefusal } from './watch.js';

export interface Io {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

export async function main(argv: readonly string[], io: Io = process): Promise<number> {
  const command = commandName(argv[1], process.cwd());
  // What the terminal showed, kept for OUT/logs/ once the run knows its output folder.
  const log = new RunLog(new Date());
  const out = (line: string): void => {
    io.stdout.write(`${line}\n`);
    log.add(line);
  };
  const fail = (message: string, code: number): number => {
    const line = `photo-organizer: error: ${message}${code === 2 ? ' (see --help)' : ''}`;
    io.stderr.write(`${line}\n`);
    log.add(line);
    return code;
  };
  const program = buildProgram(command)
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
      // A flag of the Python tool: say where it went rather than only that it is unknown.
      const typed = error.code === 'commander.unknownOption' ? /'([^']+)'/.exec(error.message)?.[1] : undefined;
      const hint = typed === undefined ? null : seedFlagHint(typed, command);
      return fail(hint ?? error.message.replace(/^error: /, ''), 2);
    }
    throw error;
  }
  const review = reviewRequest(program);
  if (review !== null) return runReview(review, io);

  const given = program.opts<Record<string, unknown>>();
  let raw: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  for (const key of OPTION_KEYS) {
    if (given[key] !== undefined) raw[key] = given[key];
  }
  // The seed's name of --watch.
  if (given.daemon === true) raw.watch = true;
  // The seed's hybrid source is an Immich run reading a local copy of the library.
  raw = hybridAsImmich(raw);
  // -i / -r: the options come from the setup or a settings file (typed flags on top), then run
  // through exactly the same validation and run as a command line.
  const setup = await settingsRun(program, raw, { stdin: process.stdin, stdout: io.stdout, stderr: io.stderr }, command);
  if (setup !== null && 'exit' in setup) return setup.exit;
  if (setup !== null) raw = hybridAsImmich(setup.raw);
  const explicit = explicitKeys(program);
  const refused = refusal(raw, explicit, program.getOptionValueSource('immichApiKey') === 'cli');
  if (refused !== null) return fail(refused, 2);
  if (raw.resume === true) {
    const restored = restoreInterrupted(raw, explicit);
    if (typeof restored === 'string') return fail(restored, 2);
    if (restored) raw = restored;
  }
  let listed: ReturnType<typeof readExcludedPeople> = null;
  try {
    listed = raw.sourceType === 'immich' ? readExcludedPeople(process.cwd()) : null;
  } catch (error) {
    return fail((error as Error).message, 2);
  }
  if (listed !== null && Array.isArray(raw.excludedPeople))
    raw = { ...raw, excludedPeople: [...new Set([...(raw.excludedPeople as string[]), ...listed.names])] };
  const checked = validateOptions(raw);
  if (!checked.ok) return fail(checked.message, 2);
  const options = checked.options;
  const watchProblem = watchRefusal(options);
  if (watchProblem !== null) return fail(watchProblem, 2);
  // The key is read here and handed to the Immich run alone: it is no run option, so it is never stored.
  const apiKey = setup !== null ? setup.apiKey : (program.opts<{ immichApiKey?: string }>().immichApiKey ?? null);

  const display = new ProgressDisplay(io.stderr, io.stderr.isTTY === true, options.verbose, { transcript: (line) => log.add(line) });
  if (listed !== null)
    display.note(
      'notice',
      `Excluding ${listed.names.length === 1 ? '1 person' : `${listed.names.length} people`} listed in ${listed.file}`,
    );
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
  let logRoot: string | null = null;
  const summaryLines = (summary: RunSummary): string[] => {
    // The log goes next to the report: in the output folder, or (an Immich run without -o) in the cache folder.
    if (!summary.dryRun && summary.report) logRoot = dirname(dirname(summary.report.latest));
    const logFile = logRoot === null ? null : log.fileIn(logRoot);
    if (options.sourceType === 'immich')
      return formatImmichSummary(summary, { verbose: options.verbose, command, log: logFile, reviewWhere: reviewWhere(options) });
    return formatSummary(summary, { verbose: options.verbose, command, log: logFile });
  };
  try {
    if (options.watch) {
      return await runWatch(options, { apiKey }, { out, display, summary: (o) => summaryLines(o.summary), signal: controller.signal });
    }
    // A watch keeps this catalog's groups up to date: a run next to it would fight over them.
    const locked = options.dryRun ? null : lockedMessage(catalogPath(options));
    if (locked !== null) return fail(locked, 1);
    const summary = await organize(options, { apiKey }, display, controller.signal);
    if (summary.dryRun) for (const line of [...(summary.actions?.planLines ?? []), ...summary.planLines]) out(line);
    for (const line of summaryLines(summary)) out(line);
    return summary.interrupted ? 130 : 0;
  } catch (error) {
    if (error instanceof RunSetupError) return fail(error.message, 2);
    // A full or read-only disk met by the catalog (SQLite) says so in the same words as the files do.
    const written = options.output === null ? error : asWriteError(error, resolve(options.output));
    if (written instanceof OutputWriteError) return fail(written.message, 1);
    return fail(written instanceof Error ? written.message : String(written), 1);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // A dry run writes nothing at all, a log included; a run that never made its folder has none.
    if (logRoot === null && !options.dryRun && options.output !== null) logRoot = resolve(options.output);
    if (logRoot !== null) {
      const problem = await log.save(logRoot);
      if (problem !== null) io.stderr.write(`warning: the run log could not be written: ${problem}\n`);
    }
  }
}

const storedOptions = z.record(z.string(), z.unknown());

/**
 * --resume: the last run's options (interrupted or not: re-running a finished one only reuses
 * the catalog), with whatever the user typed this time on top. Null when the catalog has no run;
 * a message when what was typed contradicts the run to resume (another source).
 */
function restoreInterrupted(raw: Record<string, unknown>, explicit: Set<string>): Record<string, unknown> | string | null {
  const previous = peekLatestRun(catalogPath(raw as unknown as RunOptions));
  if (!previous) return null;
  const parsed = storedOptions.safeParse(safeJson(previous.options));
  if (!parsed.success) return null;
  const stored = parsed.data;
  // Organizing another folder into this output would replace the tree of the run being resumed.
  if (
    explicit.has('source') &&
    typeof stored.source === 'string' &&
    typeof raw.source === 'string' &&
    resolve(stored.source) !== resolve(raw.source)
  ) {
    const what = previous.stage === 'done' ? 'the last run' : 'the interrupted run';
    return (
      `--resume continues ${what} in this output folder, whose source was ${stored.source}, not ${resolve(raw.source)}: ` +
      'drop -s to resume it, or leave out --resume to organize the other folder (into another -o, to keep this tree)'
    );
  }
  const merged: Record<string, unknown> = { ...raw };
  for (const key of RESTORED_KEYS) {
    if (!explicit.has(key) && key in stored) merged[key] = stored[key];
  }
  return merged;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The options `review` needs to find an Immich run's catalog ('' for the default cache folder). */
function reviewWhere(options: RunOptions): string {
  if (options.stateFile) return `--state-file ${quote(options.stateFile)}`;
  if (options.output !== null) return `-o ${quote(options.output)}`;
  if (options.immichCacheDir !== DEFAULT_OPTIONS.immichCacheDir) return `--immich-cache-dir ${quote(options.immichCacheDir)}`;
  return '';
}
