/**
 * Reads a photo's bytes once, turning every file-system failure into a one-line MediaError.
 */
import { promises as fs } from 'node:fs';
import type { FsPath } from '../core/types.js';
import { MediaError } from './contract.js';

/**
 * Largest file we read into memory (1 GiB). The biggest RAW files (150 MP medium format) stay far
 * below it; anything larger is almost certainly a video or disk image with a photo's extension.
 */
export const MAX_FILE_BYTES = 1024 ** 3;

/**
 * Reusable read buffers of this thread: one per photo read at once (a worker thread reads one at a
 * time), at most SPARES kept, of at most SPARE_MAX bytes (a JPEG of ~50 MP; larger files get a
 * buffer of their own). A fresh buffer per photo costs the kernel a page fault per 4 KiB of it: on
 * a 12 MP JPEG (~4 MB) that was ~3 ms of system CPU, a tenth of its whole fingerprint.
 */
const spares: Buffer[] = [];
const SPARES = 2;
const SPARE_MAX = 16 * 1024 ** 2;

/**
 * The whole file lent to `use`, and taken back once `use` settles: read into one of this thread's
 * reusable buffers. Nothing `use` returns may keep a view of the bytes. Throws MediaError
 * ('empty', 'unreadable', 'too-large').
 */
export async function withPhotoBytes<T>(path: FsPath, use: (bytes: Buffer) => Promise<T>): Promise<T> {
  const { bytes, lent } = await readBytes(path);
  try {
    if (bytes.length === 0) throw new MediaError('empty', 'empty file (0 bytes)');
    return await use(bytes);
  } finally {
    if (lent !== null && spares.length < SPARES) spares.push(lent);
  }
}

/** The file's bytes, and the spare buffer they were read into (null: a buffer of their own). */
async function readBytes(path: FsPath): Promise<{ bytes: Buffer; lent: Buffer | null }> {
  try {
    const handle = await fs.open(path, 'r');
    try {
      const stat = await handle.stat();
      if (stat.size > MAX_FILE_BYTES) {
        throw new MediaError('too-large', `file too large: ${formatBytes(stat.size)} (over the ${formatBytes(MAX_FILE_BYTES)} limit)`);
      }
      const lent = stat.isFile() && stat.size <= SPARE_MAX ? spareOf(stat.size) : null;
      // A regular file in one read of its known size; readFile reads in 512 KiB steps, one thread-pool trip each.
      const bytes = stat.isFile() ? await readKnownSize(handle, lent ?? Buffer.allocUnsafe(stat.size), stat.size) : await handle.readFile();
      return { bytes, lent };
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw mediaErrorFromFs(error);
  }
}

/** A spare buffer of at least `size` bytes (the largest one kept, grown if needed). */
function spareOf(size: number): Buffer {
  const fit = spares.findIndex((b) => b.length >= size);
  if (fit >= 0) return spares.splice(fit, 1)[0]!;
  spares.pop();
  // Outside Node's small-buffer pool, and sized with room so a slightly larger photo still fits.
  return Buffer.allocUnsafeSlow(Math.min(SPARE_MAX, Math.ceil(size * 1.25)));
}

/** Up to `size` bytes from the start of the file (fewer if it shrank meanwhile), into `buffer`. */
async function readKnownSize(handle: fs.FileHandle, buffer: Buffer, size: number): Promise<Buffer> {
  let filled = 0;
  while (filled < size) {
    const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

const ERRNO_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'file not found',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a parent of the path is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ERR_FS_FILE_TOO_LARGE: 'file too large to read into memory',
};

/**
 * Maps a file-system error (or an already typed MediaError) to a MediaError. The message never
 * repeats the path: the error record that carries it already names the file, and a non-UTF-8
 * path would print as mojibake here.
 */
export function mediaErrorFromFs(error: unknown): MediaError {
  if (error instanceof MediaError) return error;
  const code = errorCode(error);
  const reason = code === undefined ? undefined : ERRNO_REASONS[code];
  if (code === 'ERR_FS_FILE_TOO_LARGE') return new MediaError('too-large', reason ?? 'file too large');
  if (reason !== undefined) return new MediaError('unreadable', reason);
  const text = error instanceof Error ? error.message : String(error);
  // Node formats errno messages as "CODE: description, syscall 'path'": keep the description only.
  const description = /^[A-Z0-9_]+: ([^,]+)/.exec(text)?.[1] ?? text;
  return new MediaError('unreadable', `cannot read file: ${oneLine(description)}${code === undefined ? '' : ` (${code})`}`);
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Collapses whitespace so a message stays on one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${+(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** The first `length` bytes of a file (fewer when it is shorter), for sniffing. Throws MediaError ('empty', 'unreadable'). */
export async function readHead(path: FsPath, length = 512): Promise<Buffer> {
  return readHeadInto(path, Buffer.alloc(length));
}

/**
 * The first bytes of a file read into `buffer` (as many as fit), as a view of it: for reading many
 * heads without leaving a buffer per file for the collector. Throws like readHead.
 */
export async function readHeadInto(path: FsPath, buffer: Buffer): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof fs.open>> | undefined;
  try {
    handle = await fs.open(path, 'r');
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead === 0) throw new MediaError('empty', 'empty file (0 bytes)');
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw mediaErrorFromFs(error);
  } finally {
    await handle?.close();
  }
}
