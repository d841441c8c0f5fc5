/**
 * Crash-safe file writes: every file appears under its final name either complete or not at all.
 * Data goes to a temp name in the destination's own directory (same file system, so `rename` is
 * atomic), is fsynced, then renamed over the destination.
 */
import { constants } from 'node:fs';
import { copyFile, lstat, open, readdir, rename, rm } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { joinPath, pathBytes } from '../core/paths.js';
import type { FsPath } from '../core/types.js';

/** Bytes of the original name kept in a temp name: 255 is the usual limit, the suffix needs ~25. */
const TEMP_NAME_KEEP = 200;
const TEMP_SUFFIX = /\.tmp-\d+-\d+$/;
const CHUNK = 1 << 20;

// A plain counter, not a resource: with the pid it makes temp names unique within this process;
// EXCL opens catch the rest.
let tempCounter = 0;

/** `.<name>.tmp-<pid>-<n>`, built from bytes so non-UTF-8 names and long names stay valid. */
export function tempName(name: FsPath): Buffer {
  tempCounter += 1;
  const kept = pathBytes(name).subarray(0, TEMP_NAME_KEEP);
  return Buffer.concat([Buffer.from('.'), kept, Buffer.from(`.tmp-${process.pid}-${tempCounter}`)]);
}

/** Whether a directory entry looks like a temp file of ours (possibly left by a killed run). */
export function isTempName(name: FsPath): boolean {
  const bytes = pathBytes(name);
  return bytes[0] === 0x2e && TEMP_SUFFIX.test(bytes.toString('latin1'));
}

/** Writes `data` to `dir/name` atomically (temp + fsync + rename), with the given modification time if any. */
export async function atomicWriteFile(
  dir: string,
  name: FsPath,
  data: string | Uint8Array,
  options: { readonly mtimeMs?: number } = {},
): Promise<void> {
  await viaTemp(dir, name, async (tmp) => {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      if (options.mtimeMs !== undefined) await handle.utimes(new Date(), new Date(options.mtimeMs));
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Copies `from` to `dir/name` atomically and byte for byte (a reflink where the file system has
 * them), then stamps the source's times on it like the seed's `shutil.copy2`. `from` is only read.
 */
export async function atomicCopyFile(from: FsPath, dir: string, name: FsPath, source: Stats): Promise<void> {
  await viaTemp(dir, name, async (tmp) => {
    await copyFile(from, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    const handle = await open(tmp, 'r+');
    try {
      await handle.utimes(source.atimeMs / 1000, source.mtimeMs / 1000);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

async function viaTemp(dir: string, name: FsPath, fill: (tmp: FsPath) => Promise<void>): Promise<void> {
  const tmp = joinPath(dir, tempName(name));
  try {
    await fill(tmp);
    await rename(tmp, joinPath(dir, name));
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/**
 * Deletes the temp files (ours by name, regular files only) that a killed run left in `dir`,
 * except paths in `keep` (byte keys, latin1). Returns how many it removed.
 */
export async function removeTempFiles(dir: string, keep: ReadonlySet<string> = new Set()): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { encoding: 'buffer' })) {
    const path = joinPath(dir, entry);
    if (!isTempName(entry) || keep.has(pathBytes(path).toString('latin1'))) continue;
    const info = await lstatOrNull(path);
    if (info === null || !info.isFile()) continue;
    await rm(path, { force: true });
    removed += 1;
  }
  return removed;
}

/** fsync a directory so renames in it survive a power cut; a no-op where directories cannot be synced. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort by design: some platforms and file systems refuse fsync on directories, and the
    // files themselves are already synced.
  }
}

/** lstat that answers null for a missing path instead of throwing. */
export async function lstatOrNull(path: FsPath): Promise<Stats | null> {
  try {
    return await lstat(path);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return null;
    throw error;
  }
}

/** Whether two files hold the same bytes; reads both in 1 MiB chunks and stops at the first difference. */
export async function sameFileContent(a: FsPath, b: FsPath): Promise<boolean> {
  const ha = await open(a, 'r');
  try {
    const hb = await open(b, 'r');
    try {
      return await sameHandleContent(ha, hb);
    } finally {
      await hb.close();
    }
  } finally {
    await ha.close();
  }
}

async function sameHandleContent(ha: FileHandle, hb: FileHandle): Promise<boolean> {
  const [sa, sb] = await Promise.all([ha.stat(), hb.stat()]);
  if (sa.size !== sb.size) return false;
  const bufA = Buffer.allocUnsafe(Math.min(CHUNK, sa.size));
  const bufB = Buffer.allocUnsafe(bufA.length);
  for (let position = 0; ; ) {
    const [ra, rb] = await Promise.all([ha.read(bufA, 0, bufA.length, position), hb.read(bufB, 0, bufB.length, position)]);
    if (ra.bytesRead !== rb.bytesRead) return false;
    if (ra.bytesRead === 0) return true;
    if (!bufA.subarray(0, ra.bytesRead).equals(bufB.subarray(0, rb.bytesRead))) return false;
    position += ra.bytesRead;
  }
}

/** Whether a file holds exactly `data`. */
export async function fileHolds(path: FsPath, data: Buffer): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size !== data.length) return false;
    const current = Buffer.alloc(size);
    const { bytesRead } = await handle.read(current, 0, size, 0);
    return bytesRead === size && current.equals(data);
  } finally {
    await handle.close();
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
