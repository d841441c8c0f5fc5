/**
 * The run log: `OUT/logs/run_<YYYY-MM-DD_HHMMSS>.log`, next to reports/, holding what the terminal
 * showed (progress lines, notices, warnings, the summary) as plain text, so a run can be looked
 * at after the terminal is gone. Lines are collected in memory and written once, at the end.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteFile } from '../output/atomic.js';

export const LOGS_FOLDER = 'logs';

/** Errors that mean the output folder cannot take a file at all: the run has said so already. */
const UNWRITABLE = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']);

// Terminal control sequences (colours, cursor moves) have no place in a text file.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is exactly what is matched here.
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

export class RunLog {
  private readonly lines: string[] = [];

  constructor(private readonly startedAt: Date) {}

  add(line: string): void {
    this.lines.push(line.replace(ANSI, '').replace(/\r/g, ''));
  }

  /** Where save() puts the log under `outputRoot`. */
  fileIn(outputRoot: string): string {
    return join(outputRoot, LOGS_FOLDER, logFileName(this.startedAt));
  }

  /**
   * Writes the log under an existing output folder (a run that never made it leaves no log).
   * Returns a problem to mention, or null when written or when the folder cannot take files.
   */
  async save(outputRoot: string): Promise<string | null> {
    if (!existsSync(outputRoot)) return null;
    const dir = join(outputRoot, LOGS_FOLDER);
    try {
      await mkdir(dir, { recursive: true });
      await atomicWriteFile(dir, logFileName(this.startedAt), `${this.lines.join('\n')}\n`);
      return null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && UNWRITABLE.has(code)) return null;
      return error instanceof Error ? error.message : String(error);
    }
  }
}

/** `run_2024-05-01_140307.log`, in local time like the file names of reports/. */
export function logFileName(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `run_${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}_${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}.log`;
}
