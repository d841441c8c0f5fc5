/**
 * `photo-organizer review`: serves the review page for the last run of a catalog on 127.0.0.1,
 * prints its address (with the access token), opens it with --open, and runs until Ctrl+C.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { reviewOpener } from '../pipeline/review-source.js';
import { catalogPath } from '../pipeline/run.js';
import { DEFAULT_OPTIONS } from '../pipeline/options.js';
import { ReviewSession, ReviewSetupError } from '../review/session.js';
import { startReviewServer } from '../review/server.js';
import { ThumbnailCache } from '../review/thumbs.js';

export interface ReviewFlags {
  readonly output?: string;
  readonly stateFile?: string;
  readonly immichCacheDir?: string;
  /** From --immich-api-key or IMMICH_API_KEY (commander reads the variable). */
  readonly immichApiKey?: string;
  readonly port: number;
  readonly open?: boolean;
  readonly cacheSize: number;
}

export interface ReviewIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

const integer = (value: string): number => (/^\s*\d+\s*$/.test(value) ? Number.parseInt(value, 10) : Number.NaN);

/** Thumbnail cache cap, MiB. */
const DEFAULT_CACHE_MB = 1024;

export function reviewCommand(): Command {
  return (
    new Command('review')
      .description(
        'review the groups of the last run in your browser: compare frames, change the best pick, split or merge groups, then apply',
      )
      .option('-o, --output <dir>', 'the output folder of the run to review')
      .option('--state-file <path>', 'its catalog file, when the run used --state-file')
      .option(
        '--immich-cache-dir <dir>',
        'an Immich run without -o or --state-file: the --immich-cache-dir it used',
        DEFAULT_OPTIONS.immichCacheDir,
      )
      .addOption(new Option('--immich-api-key <key>', 'an Immich run: its API key').env('IMMICH_API_KEY'))
      .addOption(new Option('--port <n>', 'port on 127.0.0.1').argParser(integer).default(0, 'a free one'))
      .option('--open', 'open the page in the default browser')
      .addOption(new Option('--cache-size <mb>', 'size cap of the thumbnail cache in MB').argParser(integer).default(DEFAULT_CACHE_MB))
      .addHelpText(
        'after',
        '\nKeys on the page: arrows move, Enter opens a group, space picks the best, x takes a photo out,\ns splits the group at the selected photo, m merges with the next group, u undoes, Esc goes back.',
      )
      .allowExcessArguments(false)
      // Errors reach main() as exceptions, printed there in the one-line format (exit code 2).
      .exitOverride()
      .configureOutput({ outputError: () => undefined })
      // main() runs the command (see reviewRequest): commander's actions cannot return exit codes.
      .action(() => undefined)
  );
}

/** The review command's flags when the command line asked for it, else null. */
export function reviewRequest(program: Command): ReviewFlags | null {
  if (program.args[0] !== 'review') return null;
  const command = program.commands.find((c) => c.name() === 'review');
  return command === undefined ? null : command.opts<ReviewFlags>();
}

/** Runs the review server until SIGINT/SIGTERM; returns the exit code (0, 1 failed, 2 bad usage). */
export async function runReview(flags: ReviewFlags, io: ReviewIo): Promise<number> {
  const fail = (message: string, code: number): number => {
    io.stderr.write(`photo-organizer: error: ${message}${code === 2 ? ' (see photo-organizer review --help)' : ''}\n`);
    return code;
  };
  if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535) {
    return fail(`Expected an integer between 0 and 65535 for --port but received ${describe(flags.port)}`, 2);
  }
  if (!Number.isInteger(flags.cacheSize) || flags.cacheSize < 1 || flags.cacheSize > 1024 * 1024) {
    return fail(`Expected an integer between 1 and 1048576 for --cache-size but received ${describe(flags.cacheSize)}`, 2);
  }
  const catalog = catalogOf(flags);
  if (catalog === null)
    return fail(
      '-o is required: the output folder of the run to review (or its --state-file, or for an Immich run without either, its --immich-cache-dir)',
      2,
    );

  let session: ReviewSession;
  try {
    session = await ReviewSession.open(catalog, {
      output: flags.output ?? null,
      open: reviewOpener({
        apiKey: flags.immichApiKey ?? null,
        cacheDir: flags.immichCacheDir === DEFAULT_OPTIONS.immichCacheDir ? null : (flags.immichCacheDir ?? null),
      }),
    });
  } catch (error) {
    if (error instanceof ReviewSetupError) return fail(error.message, 2);
    return fail(error instanceof Error ? error.message : String(error), 1);
  }
  let server: Awaited<ReturnType<typeof startReviewServer>> | null = null;
  try {
    const thumbs = await ThumbnailCache.open(join(dirname(catalog), 'review-cache'), flags.cacheSize * 1024 * 1024);
    try {
      server = await startReviewServer({
        session,
        thumbs,
        port: flags.port,
        onError: (error) =>
          io.stderr.write(`photo-organizer: review: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE')
        return fail(`port ${flags.port} is in use: choose another --port, or leave it out`, 2);
      throw error;
    }
    const s = session.summary();
    io.stdout.write(
      `Reviewing the run of ${s.run.finishedAt.slice(0, 16).replace('T', ' ')}: ${s.groups} groups, ${s.photos} photos` +
        `${s.decisions > 0 ? `, ${s.decisions} earlier decisions` : ''}.\n`,
    );
    io.stdout.write(`Open ${server.url}\n`);
    io.stdout.write('Press Ctrl+C to stop.\n');
    if (flags.open === true)
      openInBrowser(server.url, (problem) =>
        io.stderr.write(`notice: could not open a browser (${problem}): open the address above yourself\n`),
      );
    await stopSignal();
    io.stdout.write('Stopped.\n');
    return 0;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error), 1);
  } finally {
    await server?.close();
    await session.close();
  }
}

/**
 * The catalog to review: --state-file, else the one under -o, else an Immich run's catalog in the
 * cache folder (the only place a run without -o or --state-file keeps it); null when none is given or found.
 */
function catalogOf(flags: ReviewFlags): string | null {
  if (flags.stateFile !== undefined) return resolve(flags.stateFile);
  if (flags.output !== undefined) return join(resolve(flags.output), '.photo-organizer', 'catalog.db');
  const dir = flags.immichCacheDir ?? DEFAULT_OPTIONS.immichCacheDir;
  const inCache = catalogPath({ stateFile: null, output: null, immichCacheDir: dir });
  return dir !== DEFAULT_OPTIONS.immichCacheDir || existsSync(inCache) ? inCache : null;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** xdg-open / open / start, detached; a failure is reported, never thrown. */
function openInBrowser(url: string, onProblem: (problem: string) => void): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.on('error', (error) => onProblem(`${command}: ${error.message}`));
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) onProblem(`${command} exited with ${code}`);
    });
    child.unref();
  } catch (error) {
    onProblem(error instanceof Error ? error.message : String(error));
  }
}

function describe(value: number): string {
  return Number.isNaN(value) ? 'something that is not a number' : String(value);
}
