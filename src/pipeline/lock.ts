/**
 * One watcher per catalog: `--watch` holds `<catalog>.lock` (its process id) while it runs, so a
 * second watcher, or a run, on the same catalog is refused instead of fighting over the output
 * folder and the server. A lock left by a process that died (kill -9, power cut) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export class CatalogLockedError extends Error {}

export interface CatalogLock {
  readonly file: string;
  release(): void;
}

const lockFile = (catalog: string): string => `${catalog}.lock`;

/** The process id holding the catalog's lock, when that process is alive; else null. */
export function lockHolder(catalog: string): number | null {
  let text: string;
  try {
    text = readFileSync(lockFile(catalog), 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A one-line refusal naming the holder, or null when nobody holds the catalog. */
export function lockedMessage(catalog: string): string | null {
  const pid = lockHolder(catalog);
  if (pid === null || pid === process.pid) return null;
  return `another photo-organizer --watch (process ${pid}) is using the catalog ${catalog}: stop it first (kill ${pid}), or give another -o or --state-file`;
}

/** Takes the catalog's lock or throws CatalogLockedError with the refusal. */
export function lockCatalog(catalog: string): CatalogLock {
  const file = lockFile(catalog);
  mkdirSync(dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return { file, release: () => release(file) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const refusal = lockedMessage(catalog);
      if (refusal !== null) throw new CatalogLockedError(refusal);
      // Left by a process that is gone: remove it and try once more (another may win the race).
      rmSync(file, { force: true });
    }
  }
  throw new CatalogLockedError(lockedMessage(catalog) ?? `could not take the lock ${file}`);
}

function release(file: string): void {
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
  } catch {
    // Already gone: nothing to release.
  }
}
