/**
 * Writes and reads report files: `OUT/reports/report_<YYYY-MM-DD_HHMMSS>.json` plus `latest.json`,
 * a real copy (not a symlink) so that it survives copying the folder anywhere.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { atomicWriteFile, removeTempFiles, syncDirectory } from '../output/atomic.js';
import { parseReport, ReportValidationError } from './schema.js';
import type { Report } from './schema.js';

export const REPORTS_FOLDER = 'reports';
export const LATEST_REPORT = 'latest.json';

export interface WrittenReport {
  /** Absolute path of the timestamped report. */
  readonly file: string;
  /** Absolute path of latest.json. */
  readonly latest: string;
}

/**
 * Validates `report` and writes it, pretty-printed (2 spaces), to both files atomically. A report
 * that fails validation is a bug upstream: it throws ReportValidationError and writes nothing.
 */
export async function writeReport(outputRoot: string, report: Report): Promise<WrittenReport> {
  const valid = parseReport(report, 'report to write');
  const text = `${JSON.stringify(valid, null, 2)}\n`;
  const dir = `${outputRoot.replace(/\/+$/, '')}/${REPORTS_FOLDER}`;
  const name = reportFileName(valid.generatedAt);
  await mkdir(dir, { recursive: true });
  await removeTempFiles(dir);
  // The timestamped file first: latest.json must never point at a run whose own file is missing.
  await atomicWriteFile(dir, name, text);
  await atomicWriteFile(dir, LATEST_REPORT, text);
  await syncDirectory(dir);
  return { file: `${dir}/${name}`, latest: `${dir}/${LATEST_REPORT}` };
}

/**
 * `report_2024-05-01_140307.json` from generatedAt's own wall-clock digits, so the name and the
 * content agree whatever the reader's time zone.
 */
export function reportFileName(generatedAt: string): string {
  const m = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(generatedAt);
  if (m === null) {
    throw new RangeError(`Expected an ISO date-time for generatedAt but received "${generatedAt}"`);
  }
  return `report_${m[1]}-${m[2]}-${m[3]}_${m[4]}${m[5]}${m[6]}.json`;
}

/** Reads and validates a report file; errors name the file and each offending field. */
export async function readReport(file: string): Promise<Report> {
  const text = await readFile(file, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ReportValidationError(`Invalid report (${file}): not JSON: ${reason}`, [{ field: '(root)', message: reason }]);
  }
  return parseReport(value, file);
}
