/**
 * The command line of --watch: the first cycle shows a normal run's progress and summary, then
 * one line per cycle (what arrived, what changed, how long); --verbose adds the cycles' notices
 * and progress. Ctrl+C or SIGTERM ends it after the photos in progress, with exit code 0.
 */
import { groupFolderName } from '../output/plan.js';
import type { RunOptions } from '../pipeline/options.js';
import type { ProgressSink } from '../pipeline/progress.js';
import type { Secrets } from '../pipeline/run.js';
import type { CycleOutcome } from '../pipeline/watch-run.js';
import { watchOrganize } from '../pipeline/watch-run.js';
import { type Clock, systemClock } from '../pipeline/watch.js';

export interface WatchIo {
  /** Prints a line (and keeps it for the run log). */
  readonly out: (line: string) => void;
  /** The progress display of the first cycle. */
  readonly display: ProgressSink;
  /** The first cycle's summary, as a run prints it. */
  readonly summary: (outcome: CycleOutcome) => string[];
  readonly signal: AbortSignal;
  readonly clock?: Clock;
}

/** Why --watch cannot go with these options, or null. */
export function watchRefusal(options: RunOptions): string | null {
  if (!options.watch) return options.enableBidirSync ? '--enable-bidir-sync works with --watch: add --watch' : null;
  if (options.dryRun)
    return '--watch keeps a library organized and --dry-run changes nothing: try the settings with --dry-run first, then --watch';
  if (options.sourceType === 'immich' && options.undo)
    return '--undo takes back what earlier runs did; it cannot be watched: run it without --watch';
  return null;
}

/** Runs --watch until the signal; returns the exit code. */
export async function runWatch(options: RunOptions, secrets: Secrets, io: WatchIo): Promise<number> {
  const clock = io.clock ?? systemClock;
  // Later cycles say what matters in their one line; their notices only with --verbose.
  const quiet: ProgressSink = options.verbose
    ? io.display
    : {
        start: () => {},
        update: () => {},
        finish: () => {},
        note: (kind, line) => (kind === 'problem' ? io.out(`warning: ${line}`) : undefined),
      };
  await watchOrganize(options, secrets, {
    clock,
    signal: io.signal,
    sink: io.display,
    quiet,
    cycleDone: (outcome) => {
      for (const line of outcome.number === 1 ? io.summary(outcome) : [cycleLine(outcome, clock.now())]) io.out(line);
    },
    say: (line) => io.out(`${clockTime(clock.now())} ${line}`),
    watching: (source) => io.out(`Watching ${source} for changes (every ${options.pollInterval} s); Ctrl+C stops.`),
    failed: (error, retryInMs) =>
      io.out(
        `${clockTime(clock.now())} cycle failed: ${error instanceof Error ? error.message : String(error)}; trying again in ${Math.round(retryInMs / 1000)} s`,
      ),
  });
  io.out('Stopped watching.');
  return 0;
}

/** `14:02:11 cycle 3: 2 changes; 48 photos (2 new), 10 groups: group_0010 new, group_0004 changed; 1.4 s` */
export function cycleLine(o: CycleOutcome, now: number): string {
  const s = o.summary;
  const why = o.reason === 'retry' ? 'again after a failure' : `${o.changes} change${o.changes === 1 ? '' : 's'}`;
  const head = `${clockTime(now)} cycle ${o.number}: ${why}`;
  if (s.interrupted) return `${head}; stopped (the next start goes on from here)`;
  const fresh = s.pictures.fingerprinted;
  const what = [
    ...o.groups.added.map((n) => `${groupFolderName(n)} new`),
    ...o.groups.changed.map((n) => `${groupFolderName(n)} changed`),
    ...o.groups.removed.map((n) => `${groupFolderName(n)} gone`),
  ];
  const shown = what.length > 6 ? [...what.slice(0, 6), `${what.length - 6} more`] : what;
  const errors = s.errors.length > 0 ? `, ${s.errors.length} not readable` : '';
  return (
    `${head}; ${s.photos} photos (${fresh} new${errors}), ${s.groups} group${s.groups === 1 ? '' : 's'}: ` +
    `${shown.length === 0 ? 'no group changed' : shown.join(', ')}; ${o.seconds.toFixed(1)} s`
  );
}

function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}
