/**
 * What the review needs to know of a finished run beyond its stored options: its folders as
 * absolute paths, and its report.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import type { Report } from '../report/schema.js';
import { LATEST_REPORT, readReport, REPORTS_FOLDER } from '../report/write.js';
import { ReviewSetupError } from '../review/source.js';
import type { RunOptions } from './options.js';

/**
 * The run's source folder (null for an Immich run) and output folder (null for an Immich run
 * without -o) as absolute paths. The stored options hold them as typed, which may be relative to
 * wherever that run was started: then -o of this command, the folder the default catalog sits
 * in, or the report (which records both absolute) tell.
 */
export function runFolders(
  options: RunOptions,
  catalog: string,
  outputHint: string | null,
): { source: string | null; output: string | null } {
  const output = runOutput(options, catalog, outputHint);
  if (options.sourceType !== 'local') return { source: null, output };
  if (output === null) throw new ReviewSetupError(`cannot tell where the run wrote its groups: give the run's output folder with -o`);
  if (options.source !== null && isAbsolute(options.source)) return { source: options.source, output };
  const fromReport = reportSource(output);
  if (fromReport === null)
    throw new ReviewSetupError(
      `cannot tell which folder the run read (its report ${join(output, REPORTS_FOLDER, LATEST_REPORT)} is missing)`,
    );
  return { source: fromReport, output };
}

/** The run's -o as an absolute path; null when the run had none or it cannot be told. */
function runOutput(options: RunOptions, catalog: string, outputHint: string | null): string | null {
  if (options.output !== null && isAbsolute(options.output)) return options.output;
  // An Immich run without -o changed the server only.
  if (options.output === null && options.sourceType !== 'local') return null;
  if (outputHint !== null) return resolve(outputHint);
  return catalog.endsWith(`${sep}${CATALOG_TAIL}`) ? dirname(dirname(catalog)) : null;
}

const CATALOG_TAIL = join('.photo-organizer', 'catalog.db');

function reportSource(output: string): string | null {
  try {
    const report = JSON.parse(readFileSync(join(output, REPORTS_FOLDER, LATEST_REPORT), 'utf8')) as { source?: unknown };
    return typeof report.source === 'string' && isAbsolute(report.source) ? report.source : null;
  } catch {
    return null;
  }
}

/** The run's latest.json, or null when it is missing or unreadable (the catalog has the rest). */
export async function previousReport(root: string): Promise<Report | null> {
  try {
    return await readReport(join(root, REPORTS_FOLDER, LATEST_REPORT));
  } catch {
    return null;
  }
}
