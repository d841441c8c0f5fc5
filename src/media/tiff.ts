/**
 * A small, defensive TIFF structure reader: byte order, the IFD chain and SubIFDs. It reads tags,
 * never pixels, and is built for hostile input: every offset is bounds-checked, each IFD is read at
 * most once, and the number of IFDs, entries and values read is capped, so a crafted file cannot
 * loop, crash or make it allocate.
 */

export interface TiffEntry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Absolute offset of the value bytes (inline in the entry when they fit in 4 bytes). */
  readonly valueAt: number;
}

export interface TiffIfd {
  /** Absolute offset of the IFD. */
  readonly offset: number;
  /** 0 for IFD0, 1 for a SubIFD of IFD0, and so on; the IFD chain keeps its parent's depth. */
  readonly depth: number;
  readonly entries: ReadonlyMap<number, TiffEntry>;
}

export interface TiffFile {
  readonly littleEndian: boolean;
  /** IFD0 first, then the rest of the chain and SubIFDs in discovery order. */
  readonly ifds: readonly TiffIfd[];
}

export const TAG = {
  Compression: 0x103,
  Photometric: 0x106,
  StripOffsets: 0x111,
  Orientation: 0x112,
  StripByteCounts: 0x117,
  SubIFDs: 0x14a,
  JpegOffset: 0x201,
  JpegLength: 0x202,
  /** Panasonic RW2 keeps its full-size preview as the bytes of this tag. */
  PanasonicJpgFromRaw: 0x2e,
  DngVersion: 0xc612,
} as const;

/** Most IFDs visited in one file (DNGs have a handful). */
const MAX_IFDS = 64;
/** Most entries read from one IFD (real IFDs have well under 100). */
const MAX_ENTRIES = 1000;
/** Deepest SubIFD nesting followed. */
const MAX_DEPTH = 3;
/** Most values returned by one `uintValues` call. */
const MAX_VALUES = 4096;

const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

/** Whether the header is a TIFF (or a TIFF-based RAW) header we can walk: II/MM plus a known magic number. */
export function tiffHeader(bytes: Uint8Array): { littleEndian: boolean; ifd0: number } | null {
  if (bytes.length < 8) return null;
  const order = String.fromCharCode(bytes[0]!, bytes[1]!);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const magic = u16(bytes, 2, le);
  // 42 = TIFF; 0x4f52/0x5352 = Olympus ORF; 0x55 = Panasonic RW2.
  if (magic !== 42 && magic !== 0x4f52 && magic !== 0x5352 && magic !== 0x55) return null;
  return { littleEndian: le, ifd0: u32(bytes, 4, le) };
}

/**
 * All IFDs reachable from IFD0 through the next-IFD chain and SubIFDs (tag 0x14A). Returns null
 * when the header or IFD0 itself is unreadable; a bad pointer further on just ends that branch.
 */
export function readTiff(bytes: Uint8Array): TiffFile | null {
  const header = tiffHeader(bytes);
  if (header === null) return null;
  const le = header.littleEndian;
  const seen = new Set<number>();
  const ifds: TiffIfd[] = [];
  // Depth-first over (offset, depth); `seen` breaks cycles, MAX_IFDS bounds the total work.
  const pending: { offset: number; depth: number }[] = [{ offset: header.ifd0, depth: 0 }];
  while (pending.length > 0 && ifds.length < MAX_IFDS) {
    const { offset, depth } = pending.shift()!;
    if (seen.has(offset)) continue;
    seen.add(offset);
    const ifd = readIfd(bytes, offset, depth, le);
    if (ifd === null) {
      if (ifds.length === 0) return null;
      continue;
    }
    ifds.push(ifd.ifd);
    const subIfds = ifd.ifd.entries.get(TAG.SubIFDs);
    if (subIfds !== undefined && depth < MAX_DEPTH) {
      for (const sub of uintValues(bytes, le, subIfds, 16)) pending.push({ offset: sub, depth: depth + 1 });
    }
    if (ifd.next !== 0) pending.push({ offset: ifd.next, depth });
  }
  return { littleEndian: le, ifds };
}

/**
 * One IFD at `offset`, its value offsets counted from the start of `bytes` (a maker note's IFD
 * reads the same way with `bytes` being the note). Null when it does not fit in the bytes.
 */
export function readIfd(bytes: Uint8Array, offset: number, depth: number, le: boolean): { ifd: TiffIfd; next: number } | null {
  if (offset < 8 || offset + 2 > bytes.length) return null;
  const count = u16(bytes, offset, le);
  if (count === 0 || count > MAX_ENTRIES || offset + 2 + count * 12 + 4 > bytes.length) return null;
  const entries = new Map<number, TiffEntry>();
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    const tag = u16(bytes, at, le);
    const type = u16(bytes, at + 2, le);
    const n = u32(bytes, at + 4, le);
    const size = (TYPE_SIZES[type] ?? 0) * n;
    const valueAt = size <= 4 ? at + 8 : u32(bytes, at + 8, le);
    // Keep the first occurrence of a tag; skip entries of unknown type or whose value lies outside the file.
    if (size === 0 || valueAt + size > bytes.length || entries.has(tag)) continue;
    entries.set(tag, { tag, type, count: n, valueAt });
  }
  return { ifd: { offset, depth, entries }, next: u32(bytes, offset + 2 + count * 12, le) };
}

/** Unsigned integer values of a BYTE/SHORT/LONG/IFD entry, at most `max` of them. */
export function uintValues(bytes: Uint8Array, le: boolean, entry: TiffEntry, max = MAX_VALUES): number[] {
  const size = entry.type === 3 ? 2 : entry.type === 4 || entry.type === 13 ? 4 : entry.type === 1 || entry.type === 7 ? 1 : 0;
  if (size === 0) return [];
  const n = Math.min(entry.count, max, MAX_VALUES);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = entry.valueAt + i * size;
    values.push(size === 1 ? bytes[at]! : size === 2 ? u16(bytes, at, le) : u32(bytes, at, le));
  }
  return values;
}

/** First unsigned value of a tag in an IFD, or undefined. */
export function firstUint(bytes: Uint8Array, le: boolean, ifd: TiffIfd, tag: number): number | undefined {
  const entry = ifd.entries.get(tag);
  return entry === undefined ? undefined : uintValues(bytes, le, entry, 1)[0];
}

function u16(b: Uint8Array, p: number, le: boolean): number {
  return le ? b[p]! | (b[p + 1]! << 8) : (b[p]! << 8) | b[p + 1]!;
}

function u32(b: Uint8Array, p: number, le: boolean): number {
  return le
    ? (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000
    : ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) + b[p]! * 0x1000000;
}
