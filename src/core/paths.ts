import type { FsPath } from './types.js';

/** Renders a path for people and reports: valid UTF-8 as is, any invalid byte as `\xNN`. */
export function displayPath(path: FsPath): string {
  if (typeof path === 'string') return path;
  let out = '';
  let i = 0;
  while (i < path.length) {
    const len = utf8SequenceLength(path, i);
    if (len === 0) {
      out += `\\x${path[i]!.toString(16).padStart(2, '0')}`;
      i += 1;
    } else {
      out += path.subarray(i, i + len).toString('utf8');
      i += len;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = buf[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/** Joins a directory and a name; stays a string unless either side is raw bytes. */
export function joinPath(dir: FsPath, name: FsPath): FsPath {
  if (typeof dir === 'string' && typeof name === 'string') {
    return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
  }
  const d = typeof dir === 'string' ? Buffer.from(dir) : dir;
  const n = typeof name === 'string' ? Buffer.from(name) : name;
  const sep = d.length > 0 && d[d.length - 1] === 0x2f ? Buffer.alloc(0) : Buffer.from('/');
  return Buffer.concat([d, sep, n]);
}

/** Last path segment (no directory). */
export function baseName(path: FsPath): FsPath {
  if (typeof path === 'string') return path.slice(path.lastIndexOf('/') + 1);
  return path.subarray(path.lastIndexOf(0x2f) + 1);
}

/** Raw bytes of a path, for byte-wise ordering and catalog keys. */
export function pathBytes(path: FsPath): Buffer {
  return typeof path === 'string' ? Buffer.from(path, 'utf8') : path;
}

/** A path from raw bytes: a string when the bytes are valid UTF-8. */
export function pathFromBytes(bytes: Buffer): FsPath {
  const s = bytes.toString('utf8');
  return Buffer.from(s, 'utf8').equals(bytes) ? s : Buffer.from(bytes);
}

/** Display form of `path` relative to `root` (the root's own prefix and slash removed). */
export function relativeDisplay(root: string, path: FsPath): string {
  const prefix = Buffer.from(root.endsWith('/') ? root : `${root}/`);
  const bytes = pathBytes(path);
  return displayPath(bytes.subarray(0, prefix.length).equals(prefix) ? bytes.subarray(prefix.length) : bytes);
}
