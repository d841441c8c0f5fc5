/**
 * Minimal ISO-BMFF (HEIF/AVIF container) reading: the ftyp brands for sniffing, and the bytes of
 * the Exif item. Every offset is bounds-checked; a malformed file yields null, never a throw.
 */

interface Box {
  readonly type: string;
  /** Absolute offset of the payload (after the size/type header). */
  readonly start: number;
  /** Absolute offset one past the end of the box. */
  readonly end: number;
}

/** Brands of the leading ftyp box (major brand first), or null when the file has none. */
export function ftypBrands(bytes: Uint8Array): string[] | null {
  const box = readBoxHeader(bytes, 0, bytes.length);
  if (box === null || box.type !== 'ftyp' || box.end - box.start < 8) return null;
  const brands = [fourcc(bytes, box.start)];
  // Skip minor_version (4 bytes) after the major brand; the rest are compatible brands.
  for (let p = box.start + 8; p + 4 <= box.end && brands.length < 64; p += 4) brands.push(fourcc(bytes, p));
  return brands;
}

/**
 * The TIFF block (starting at the II/MM byte-order mark) of the file's Exif item, or null. Written
 * here rather than left to exifr because exifr ignores iloc's base_offset, which libheif-written
 * files use, and then reads garbage.
 */
export function heifExifTiff(bytes: Uint8Array): Uint8Array | null {
  const meta = childBoxes(bytes, 0, bytes.length).find((b) => b.type === 'meta');
  if (meta === undefined || meta.end - meta.start < 4) return null;
  // meta is a FullBox: 4 bytes of version and flags before its children.
  const children = childBoxes(bytes, meta.start + 4, meta.end);
  const iinf = children.find((b) => b.type === 'iinf');
  const iloc = children.find((b) => b.type === 'iloc');
  if (iinf === undefined || iloc === undefined) return null;
  const itemId = exifItemId(bytes, iinf);
  if (itemId === null) return null;
  const idat = children.find((b) => b.type === 'idat');
  const item = itemBytes(bytes, iloc, itemId, idat);
  if (item === null || item.length < 8) return null;
  // The item starts with a 32-bit offset from its end to the TIFF header (usually 0 or 6).
  const declared = 4 + readUint(item, 0, 4);
  for (const start of [declared, 4, 10]) {
    if (start + 8 <= item.length && isTiffHeader(item, start)) return item.subarray(start);
  }
  return null;
}

function isTiffHeader(b: Uint8Array, p: number): boolean {
  return (
    (b[p] === 0x49 && b[p + 1] === 0x49 && b[p + 2] === 0x2a && b[p + 3] === 0) ||
    (b[p] === 0x4d && b[p + 1] === 0x4d && b[p + 2] === 0 && b[p + 3] === 0x2a)
  );
}

/** Item id of the first 'Exif' entry in iinf. */
function exifItemId(bytes: Uint8Array, iinf: Box): number | null {
  if (iinf.end - iinf.start < 6) return null;
  const version = bytes[iinf.start]!;
  const countSize = version === 0 ? 2 : 4;
  const first = iinf.start + 4 + countSize;
  for (const infe of childBoxes(bytes, first, iinf.end)) {
    if (infe.type !== 'infe' || infe.end - infe.start < 12) continue;
    const infeVersion = bytes[infe.start]!;
    // Versions 0 and 1 predate item types and cannot describe an Exif item.
    if (infeVersion < 2) continue;
    const idSize = infeVersion === 2 ? 2 : 4;
    const typeAt = infe.start + 4 + idSize + 2;
    if (typeAt + 4 > infe.end) continue;
    if (fourcc(bytes, typeAt) === 'Exif') return readUint(bytes, infe.start + 4, idSize);
  }
  return null;
}

/** Most extents an item may have; real files use one. */
const MAX_EXTENTS = 64;
/** Largest Exif item we accept (4 MiB): EXIF blocks are limited to 64 KiB in JPEG and rarely exceed it here. */
const MAX_ITEM_BYTES = 4 * 1024 * 1024;

/** Concatenated extents of one item, resolved through iloc (file offsets or the meta's idat). */
function itemBytes(bytes: Uint8Array, iloc: Box, itemId: number, idat: Box | undefined): Uint8Array | null {
  const end = iloc.end;
  let p = iloc.start;
  if (p + 8 > end) return null;
  const version = bytes[p]!;
  if (version > 2) return null;
  p += 4;
  const offsetSize = bytes[p]! >> 4;
  const lengthSize = bytes[p]! & 0xf;
  const baseOffsetSize = bytes[p + 1]! >> 4;
  const indexSize = version === 0 ? 0 : bytes[p + 1]! & 0xf;
  p += 2;
  if (![offsetSize, lengthSize, baseOffsetSize, indexSize].every((s) => s === 0 || s === 4 || s === 8)) return null;
  const idSize = version === 2 ? 4 : 2;
  const itemCount = readUint(bytes, p, version === 2 ? 4 : 2);
  p += version === 2 ? 4 : 2;
  for (let i = 0; i < itemCount; i++) {
    if (p + idSize + 2 + baseOffsetSize + 2 + (version === 0 ? 0 : 2) > end) return null;
    const id = readUint(bytes, p, idSize);
    p += idSize;
    const method = version === 0 ? 0 : bytes[p + 1]! & 0xf;
    if (version !== 0) p += 2;
    p += 2; // data_reference_index
    const base = readUint(bytes, p, baseOffsetSize);
    p += baseOffsetSize;
    const extentCount = readUint(bytes, p, 2);
    p += 2;
    const extentSize = indexSize + offsetSize + lengthSize;
    if (p + extentCount * extentSize > end) return null;
    if (id !== itemId) {
      p += extentCount * extentSize;
      continue;
    }
    if (extentCount === 0 || extentCount > MAX_EXTENTS || (method !== 0 && method !== 1)) return null;
    // construction_method 1 addresses the meta box's idat payload instead of the file.
    const [origin, limit] = method === 1 ? (idat === undefined ? [-1, -1] : [idat.start, idat.end]) : [0, bytes.length];
    if (origin < 0) return null;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let e = 0; e < extentCount; e++) {
      p += indexSize;
      const offset = origin + base + readUint(bytes, p, offsetSize);
      p += offsetSize;
      const declared = readUint(bytes, p, lengthSize);
      p += lengthSize;
      // A zero length means "to the end of the data".
      const length = declared === 0 ? limit - offset : declared;
      if (!Number.isSafeInteger(offset) || offset < origin || length < 0 || offset + length > limit) return null;
      total += length;
      if (total > MAX_ITEM_BYTES) return null;
      parts.push(bytes.subarray(offset, offset + length));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
  return null;
}

/** Most boxes read at one level: real files have a handful; the cap bounds hostile input. */
const MAX_BOXES = 1024;

function childBoxes(bytes: Uint8Array, start: number, end: number): Box[] {
  const boxes: Box[] = [];
  let p = start;
  while (p + 8 <= end && boxes.length < MAX_BOXES) {
    const box = readBoxHeader(bytes, p, end);
    if (box === null) break;
    boxes.push(box);
    p = box.end;
  }
  return boxes;
}

function readBoxHeader(bytes: Uint8Array, p: number, limit: number): Box | null {
  if (p + 8 > limit) return null;
  let size = readUint(bytes, p, 4);
  const type = fourcc(bytes, p + 4);
  let start = p + 8;
  if (size === 1) {
    if (p + 16 > limit) return null;
    size = readUint(bytes, p + 8, 8);
    start = p + 16;
  } else if (size === 0) {
    size = limit - p; // extends to the end of its parent
  }
  const end = p + size;
  if (!Number.isSafeInteger(end) || end < start || end > limit) return null;
  return { type, start, end };
}

function fourcc(bytes: Uint8Array, p: number): string {
  return String.fromCharCode(bytes[p] ?? 0, bytes[p + 1] ?? 0, bytes[p + 2] ?? 0, bytes[p + 3] ?? 0);
}

/** Big-endian unsigned integer of 0, 2, 4 or 8 bytes (8-byte values beyond 2^53 become unsafe and are rejected by callers). */
function readUint(bytes: Uint8Array, p: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + (bytes[p + i] ?? 0);
  return value;
}
