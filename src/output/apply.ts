/**
 * Carries out an output plan. Sources are only ever read. Every destination is written atomically,
 * a re-run skips what is already in place (so a killed run resumes), and one failing file is
 * recorded and does not stop the others.
 */
import type { Dirent } from 'node:fs';
import { mkdir, readdir, realpath, rmdir, stat, unlink } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { displayPath, pathBytes, pathFromBytes } from '../core/paths.js';
import type { FsPath } from '../core/types.js';
import {
  atomicCopyFile,
  atomicWriteFile,
  fileHolds,
  isErrno,
  lstatOrNull,
  removeTempFiles,
  sameFileContent,
  syncDirectory,
} from './atomic.js';
import { pathKey, relativeToRoot } from './plan.js';
import { asWriteError, writeProblemOf } from './preflight.js';
import type { CopyOperation, OutputOperation, OutputPlan, WriteOperation } from './plan.js';

export interface ApplyOptions {
  /**
   * Files an earlier run of this tool wrote that the plan no longer produces (see `staleOutputs`).
   * Each must lie inside a `group_NNNN` folder of the output root. Default none.
   */
  readonly stale?: readonly FsPath[];
  /** Called after each operation and each stale removal. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Stops before the next operation; the one in flight completes (it is atomic anyway). */
  readonly signal?: AbortSignal;
  /**
   * Skip a copy without reading it when the destination has the source's size and mtime (ms), as
   * rsync does; our copies carry the source mtime. Default false: compare the bytes.
   */
  readonly trustMtime?: boolean;
}

export interface ApplyFailure {
  /** The file at fault, absolute: the source of a copy, the destination of a write or removal. */
  readonly path: string;
  /** Destination relative to the output root. */
  readonly target: string;
  readonly message: string;
}

export interface ApplyResult {
  /** Files written (new or replaced). */
  readonly applied: number;
  /** Destinations already holding the right bytes. */
  readonly skipped: number;
  /** Stale files removed. */
  readonly removed: number;
  /** Temp files of an interrupted earlier run removed. */
  readonly cleanedTemps: number;
  readonly failed: readonly ApplyFailure[];
  /** True when the signal stopped the run before every operation was done. */
  readonly aborted: boolean;
}

/** Thrown before anything is touched when the plan or a stale path points outside the output root. */
export class OutputRootError extends Error {
  override readonly name = 'OutputRootError';
}

const GROUP_FOLDER = /^group_\d{4,}$/;

/**
 * Applies `plan` under `plan.root`, then removes `options.stale`. Never throws for one file; a
 * full, read-only or forbidden output throws OutputWriteError at the first file it stops.
 */
export async function applyPlan(plan: OutputPlan, options: ApplyOptions = {}): Promise<ApplyResult> {
  const root = checkedRoot(plan.root);
  const planned = new Set(plan.operations.map((op) => pathKey(op.to)));
  const stale = (options.stale ?? []).filter((p) => !planned.has(pathKey(p)));
  assertInside(root, plan.operations, stale);

  const total = plan.operations.length + stale.length;
  const counts = { applied: 0, skipped: 0, removed: 0, cleanedTemps: 0 };
  const failed: ApplyFailure[] = [];
  const dirs = new Map<string, Promise<string | null>>();
  let done = 0;
  let aborted = false;
  const tick = (): void => {
    done += 1;
    options.onProgress?.(done, total);
  };

  let realRoot: string;
  try {
    realRoot = await prepareRoot(root);
  } catch (error) {
    throw asWriteError(error, root);
  }
  // A full or read-only disk fails every later file too: stop at the first such error, with the
  // atomic writes leaving no half-written file, instead of one warning per remaining file.
  let diskError: { error: unknown; path: string } | null = null;
  for (const op of plan.operations) {
    if (options.signal?.aborted === true) {
      aborted = true;
      break;
    }
    try {
      let ready = dirs.get(op.dir);
      if (ready === undefined) {
        ready = prepareDir(op.dir, realRoot, planned, counts);
        dirs.set(op.dir, ready);
      }
      const refusal = await ready;
      if (refusal !== null) throw new Error(refusal);
      const outcome = op.kind === 'copy' ? await applyCopy(op, options.trustMtime === true) : await applyWrite(op);
      counts[outcome] += 1;
    } catch (error) {
      if (isDiskWide(error, op)) {
        diskError = { error, path: displayPath(op.to) };
        break;
      }
      failed.push({ path: faultPath(op), target: relativeToRoot(root, op.to), message: messageOf(error) });
    }
    tick();
  }
  if (diskError !== null) {
    await Promise.all([...dirs.keys(), root].map(syncDirectory)).catch(() => undefined);
    throw asWriteError(diskError.error, root, diskError.path);
  }

  if (!aborted) {
    const emptied = new Set<string>();
    for (const path of stale) {
      if (options.signal?.aborted === true) {
        aborted = true;
        break;
      }
      try {
        if (await removeStale(path, realRoot)) counts.removed += 1;
        for (const dir of groupDirsOf(root, path)) emptied.add(dir);
      } catch (error) {
        const target = relativeToRoot(root, path);
        failed.push({ path: displayPath(path), target, message: messageOf(error) });
      }
      tick();
    }
    // Deepest first, so originals/ goes before its group folder. rmdir only removes empty folders.
    for (const dir of [...emptied].sort((a, b) => b.length - a.length)) await removeIfEmpty(dir);
  }

  await Promise.all([...dirs.keys(), root].map(syncDirectory));
  return { ...counts, failed, aborted };
}

/** Whether a failed operation's error is about the output as a whole, not about this one source file. */
function isDiskWide(error: unknown, op: OutputOperation): boolean {
  const problem = writeProblemOf(error);
  if (problem === null) return false;
  // A photo we may not read is that photo's problem (the output is fine): only a copy's source can be it.
  const path = (error as { path?: unknown }).path;
  const fromSource =
    op.kind === 'copy' && (typeof path === 'string' || Buffer.isBuffer(path)) && displayPath(path) === displayPath(op.from);
  return !(problem === 'permission' && fromSource);
}

/** Names of the `group_NNNN` folders directly under `root`, sorted; [] when `root` does not exist. */
export async function listGroupFolders(root: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  return entries
    .filter((e) => e.isDirectory() && GROUP_FOLDER.test(e.name))
    .map((e) => e.name)
    .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
}

function checkedRoot(root: string): string {
  if (!isAbsolute(root) || normalize(root) !== root || (root.endsWith('/') && root !== '/')) {
    throw new OutputRootError(`Expected a normalized absolute output root but received "${root}"`);
  }
  return root;
}

/**
 * The lexical half of the root check, done for everything before the first write: each
 * destination and stale path must sit inside the root (stale ones inside a group folder), and no
 * destination or removal may be a source.
 */
function assertInside(root: string, operations: readonly OutputOperation[], stale: readonly FsPath[]): void {
  const sources = new Set<string>();
  for (const op of operations) if (op.kind === 'copy') sources.add(pathKey(op.from));
  for (const op of operations) {
    const name = pathBytes(op.name);
    const badName = name.length === 0 || name.includes(0x2f) || name.equals(DOT) || name.equals(DOTDOT);
    if (badName || !isInsideRoot(root, op.dir)) {
      throw new OutputRootError(`Refusing to write outside the output root ${root}: ${displayPath(op.to)}`);
    }
    if (sources.has(pathKey(op.to))) {
      throw new OutputRootError(`Refusing to overwrite a source photo: ${displayPath(op.to)}`);
    }
  }
  for (const path of stale) {
    const segments = segmentsUnder(root, path);
    const inGroup = segments !== null && segments.length >= 2 && GROUP_FOLDER.test(segments[0]!);
    if (!inGroup) {
      throw new OutputRootError(`Refusing to remove ${displayPath(path)}: not inside a group folder of the output root ${root}`);
    }
    if (sources.has(pathKey(path))) {
      throw new OutputRootError(`Refusing to remove a source photo: ${displayPath(path)}`);
    }
  }
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

function isInsideRoot(root: string, dir: string): boolean {
  const segments = segmentsUnder(root, dir);
  return segments !== null && segments.length >= 1;
}

/** Path segments below `root`, or null when the path is not lexically inside it. */
function segmentsUnder(root: string, path: FsPath): string[] | null {
  const bytes = pathBytes(path);
  const prefix = Buffer.from(root === '/' ? '/' : `${root}/`);
  if (bytes.length <= prefix.length || !bytes.subarray(0, prefix.length).equals(prefix)) return null;
  const segments = bytes.subarray(prefix.length).toString('latin1').split('/');
  return segments.some((s) => s === '' || s === '.' || s === '..') ? null : segments;
}

async function prepareRoot(root: string): Promise<string> {
  await mkdir(root, { recursive: true });
  return realpath(root);
}

/**
 * Creates a destination folder, checks that it really resolves inside the root (a symlinked group
 * folder must not lead writes elsewhere) and removes temp files a killed run left there. Answers
 * null when ready, else why the folder is refused.
 */
async function prepareDir(
  dir: string,
  realRoot: string,
  planned: ReadonlySet<string>,
  counts: { cleanedTemps: number },
): Promise<string | null> {
  await mkdir(dir, { recursive: true });
  const real = await realpath(dir);
  if (!isBelow(realRoot, real)) {
    return `Refusing to write outside the output root: ${dir} resolves to ${real}`;
  }
  counts.cleanedTemps += await removeTempFiles(dir, planned);
  return null;
}

async function applyCopy(op: CopyOperation, trustMtime: boolean): Promise<'applied' | 'skipped'> {
  const source = await stat(op.from);
  if (!source.isFile()) throw new Error(`Not a regular file: ${displayPath(op.from)}`);
  const existing = await lstatOrNull(op.to);
  if (existing?.isDirectory() === true) throw new Error(`A folder is in the way: ${displayPath(op.to)}`);
  if (existing?.isFile() && existing.size === source.size) {
    if (trustMtime && Math.floor(existing.mtimeMs) === Math.floor(source.mtimeMs)) return 'skipped';
    if (await sameFileContent(op.from, op.to)) return 'skipped';
  }
  await atomicCopyFile(op.from, op.dir, op.name, source);
  return 'applied';
}

async function applyWrite(op: WriteOperation): Promise<'applied' | 'skipped'> {
  const data = Buffer.from(op.content, 'utf8');
  const existing = await lstatOrNull(op.to);
  if (existing?.isDirectory() === true) throw new Error(`A folder is in the way: ${op.to}`);
  const same = existing?.isFile() === true && existing.size === data.length;
  if (same && (await fileHolds(op.to, data))) return 'skipped';
  await atomicWriteFile(op.dir, op.name, data);
  return 'applied';
}

/** Removes one stale file; false when it was already gone. */
async function removeStale(path: FsPath, realRoot: string): Promise<boolean> {
  const info = await lstatOrNull(path);
  if (info === null) return false;
  if (info.isDirectory()) throw new Error(`Not removing a folder: ${displayPath(path)}`);
  const parent = await realpath(parentOf(path));
  if (!isBelow(realRoot, parent)) {
    throw new Error(`Refusing to remove outside the output root: ${displayPath(path)} resolves to ${parent}`);
  }
  await unlink(path);
  return true;
}

/** The group folder and, when deeper, the intermediate folders holding `path` (as byte keys). */
function groupDirsOf(root: string, path: FsPath): string[] {
  const segments = segmentsUnder(root, path) ?? [];
  const dirs: string[] = [];
  let dir = pathKey(root);
  for (const segment of segments.slice(0, -1)) {
    dir = `${dir}/${segment}`;
    dirs.push(dir);
  }
  return dirs;
}

/** `dir` is a path key (bytes as latin1), so folders with non-UTF-8 names work too. */
async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await rmdir(pathFromBytes(Buffer.from(dir, 'latin1')));
  } catch {
    // Not empty, already gone, or not ours to judge: a folder is only ever removed when empty.
  }
}

function isBelow(realRoot: string, real: string): boolean {
  return real.startsWith(realRoot === '/' ? '/' : `${realRoot}/`);
}

function parentOf(path: FsPath): FsPath {
  const bytes = pathBytes(path);
  const parent = bytes.subarray(0, bytes.lastIndexOf(0x2f));
  return typeof path === 'string' ? parent.toString('utf8') : parent;
}

function faultPath(op: OutputOperation): string {
  return displayPath(op.kind === 'copy' ? op.from : op.to);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
