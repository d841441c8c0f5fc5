/**
 * Before a run writes anything: can the output folder take files, and is there room for the
 * planned copies? And when a write fails anyway, one line that says which of read-only disk,
 * permission or full disk it is, instead of the raw errno (or SQLite's "database or disk is full").
 */
import { mkdirSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { OutputPlan } from './plan.js';

export type WriteProblem = 'read-only' | 'permission' | 'full';

/** The output cannot be written: its message is the one line to show. */
export class OutputWriteError extends Error {
  override readonly name = 'OutputWriteError';
  constructor(
    readonly problem: WriteProblem,
    message: string,
  ) {
    super(message);
  }
}

/** Room kept free beyond the planned bytes: the catalog, metadata.txt files, the report and the log grow too. */
export const SPACE_MARGIN_BYTES = 16 * 1024 * 1024;
export const SPACE_MARGIN_RATIO = 0.05;

const CODES: Readonly<Record<string, WriteProblem>> = {
  EROFS: 'read-only',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOSPC: 'full',
  EDQUOT: 'full',
  // better-sqlite3's code when the catalog cannot grow.
  SQLITE_FULL: 'full',
  SQLITE_READONLY: 'read-only',
};

/** Which whole-output problem an error is, or null for anything else (a file's own fault). */
export function writeProblemOf(error: unknown): WriteProblem | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (CODES[code] ?? null) : null;
}

/** The one line for a write problem under `root`; `path` is the file or folder that failed. */
export function writeProblemMessage(problem: WriteProblem, root: string, path: string = root): string {
  switch (problem) {
    case 'read-only':
      return `cannot write to ${root}: its disk is mounted read-only; choose another folder with -o`;
    case 'permission':
      return `cannot write to ${root}: permission denied for ${path} (running as ${userName()}); choose a folder you can write to with -o, or change its permissions`;
    case 'full':
      return `the disk holding ${root} is full (${formatBytes(freeBytes(root) ?? 0)} free): stopped without a half-written file; free some space and run the same command again to finish (files already written are kept)`;
  }
}

/** Turns a raw error into an OutputWriteError when it is a whole-output problem; else returns it as is. */
export function asWriteError(error: unknown, root: string, path?: string): unknown {
  if (error instanceof OutputWriteError) return error;
  const problem = writeProblemOf(error);
  return problem === null ? error : new OutputWriteError(problem, writeProblemMessage(problem, root, path));
}

/**
 * Checks that `root` (created when missing, as the run would) takes a file, by writing and
 * removing a small probe. Throws OutputWriteError with the one line to show.
 */
export function checkWritable(root: string): void {
  const probe = join(root, `.photo-organizer-probe-${process.pid}`);
  let failedAt = root;
  try {
    mkdirSync(root, { recursive: true });
    failedAt = probe;
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
  } catch (error) {
    // mkdir on a read-only mount reports ENOENT for a missing folder on some systems: look at
    // the nearest existing folder to tell.
    const problem = writeProblemOf(error) ?? (isReadOnlyMount(root) ? 'read-only' : null);
    if (problem === null) throw error;
    throw new OutputWriteError(problem, writeProblemMessage(problem, root, failedAt === probe ? root : nearestExisting(root)));
  }
}

/**
 * Checks that the disk of `root` has room for `bytes` more, with SPACE_MARGIN_* on top. Throws
 * OutputWriteError ('full') naming what is needed and what is free. Skipped where the system
 * cannot tell the free space.
 */
export function checkSpace(root: string, bytes: number): void {
  const free = freeBytes(root);
  if (free === null) return;
  const needed = Math.ceil(bytes * (1 + SPACE_MARGIN_RATIO)) + SPACE_MARGIN_BYTES;
  if (free >= needed) return;
  throw new OutputWriteError(
    'full',
    `not enough free space for the output in ${root}: the planned copies need ${formatBytes(bytes)} ` +
      `(${formatBytes(needed)} with a margin for the catalog and reports), and its disk has ${formatBytes(free)} free; ` +
      'nothing was written: free some space, or choose another folder with -o',
  );
}

/** Bytes available to this user on the disk holding `path` (or its nearest existing parent). */
export function freeBytes(path: string): number | null {
  try {
    const st = statfsSync(nearestExisting(path));
    return st.bavail * st.bsize;
  } catch {
    return null;
  }
}

function nearestExisting(path: string): string {
  let dir = path;
  while (statSync(dir, { throwIfNoEntry: false }) === undefined && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function isReadOnlyMount(path: string): boolean {
  // statfs has no read-only flag in Node; a probe in the nearest existing folder tells instead.
  const probe = join(nearestExisting(path), `.photo-organizer-probe-${process.pid}`);
  try {
    writeFileSync(probe, 'probe');
    rmSync(probe, { force: true });
    return false;
  } catch (error) {
    return writeProblemOf(error) === 'read-only';
  }
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** `3.2 MB`, `840 KB`: decimal units, as disks are sold and `df -H` shows. */
export function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.round(n / 1e3)} KB`;
}

/** Bytes the plan's copies add: destinations that already hold a file of the right size are not counted. */
export async function bytesToWrite(plan: OutputPlan): Promise<number> {
  let bytes = 0;
  for (const op of plan.operations) {
    if (op.kind !== 'copy') continue;
    const existing = await stat(op.to).catch(() => null);
    if (existing?.size !== op.size) bytes += op.size;
  }
  return bytes;
}
