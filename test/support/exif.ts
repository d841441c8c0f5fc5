/**
 * Test helper: write a small, exact EXIF block into a JPEG, or remove all metadata from one.
 *
 * Why not sharp's `withExif()`: it does write the Exif sub-IFD (its key `IFD2`, libexif's numbering)
 * correctly, but it always rewrites IFD0 Orientation to 1 (sharp keeps orientation in a separate
 * field) and adds resolution tags of its own. Building the APP1 segment by hand keeps every byte
 * under the test's control: exactly the tags asked for, nothing else.
 *
 * Layout written (little-endian TIFF, "II*\0"):
 *   APP1 "Exif\0\0" | TIFF header | IFD0 (+ExifIFD pointer, +GPS pointer) | Exif IFD | GPS IFD
 * inserted right after SOI; any EXIF APP1 segment already in the JPEG is dropped first.
 */

/** Capture-time and camera fields; each one given is written, each one absent is not. */
export interface ExifFields {
  /** IFD0 0x010F. */
  readonly make?: string;
  /** IFD0 0x0110. */
  readonly model?: string;
  /** IFD0 0x0112, 1..8. */
  readonly orientation?: number;
  /** IFD0 0x0131. */
  readonly software?: string;
  /** IFD0 0x0132 (DateTime, "ModifyDate" in exifr), `YYYY:MM:DD HH:MM:SS`. */
  readonly modifyDate?: string;
  /** Exif 0x9003, `YYYY:MM:DD HH:MM:SS`. */
  readonly dateTimeOriginal?: string;
  /** Exif 0x9004 (DateTimeDigitized, "CreateDate" in exifr), `YYYY:MM:DD HH:MM:SS`. */
  readonly createDate?: string;
  /** Exif 0x9291, fractional seconds digits, e.g. "35" = .35 s. */
  readonly subSecTimeOriginal?: string;
  /** Exif 0x9011, e.g. "+02:00". */
  readonly offsetTimeOriginal?: string;
  /** Exif 0x829A, seconds (written as a rational, 1/N when possible). */
  readonly exposureTime?: number;
  /** Exif 0x829D. */
  readonly fNumber?: number;
  /** Exif 0x8827 (ISOSpeedRatings / PhotographicSensitivity). */
  readonly iso?: number;
  /** Exif 0x920A, millimetres. */
  readonly focalLength?: number;
  /** Exif 0xA434. */
  readonly lensModel?: string;
  /** Exif 0x927C, the raw MakerNote (see appleMakerNote). */
  readonly makerNote?: Uint8Array;
  /** GPS IFD: decimal degrees (negative = S / W), altitude in metres above sea level. */
  readonly gps?: { readonly latitude: number; readonly longitude: number; readonly altitude?: number };
}

// TIFF field types.
const BYTE = 1;
const ASCII = 2;
const SHORT = 3;
const LONG = 4;
const RATIONAL = 5;
const UNDEFINED = 7;

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly count: number;
  /** Value bytes, little-endian, unpadded. */
  readonly data: Buffer;
}

function ascii(tag: number, text: string): Entry {
  const data = Buffer.from(`${text}\0`, 'latin1');
  return { tag, type: ASCII, count: data.length, data };
}

function short(tag: number, value: number): Entry {
  const data = Buffer.alloc(2);
  data.writeUInt16LE(value, 0);
  return { tag, type: SHORT, count: 1, data };
}

function long(tag: number, value: number): Entry {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(value, 0);
  return { tag, type: LONG, count: 1, data };
}

function bytes(tag: number, type: number, values: readonly number[]): Entry {
  return { tag, type, count: values.length, data: Buffer.from(values) };
}

function gcd(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}

/** A non-negative number as numerator/denominator: 1/N for short exposures, else 1/10000 precision. */
export function toRational(value: number): [number, number] {
  if (!Number.isFinite(value) || value < 0) throw new Error(`EXIF rational must be finite and >= 0: ${value}`);
  if (Number.isInteger(value)) return [value, 1];
  if (value < 1) {
    const inverse = 1 / value;
    if (Math.abs(inverse - Math.round(inverse)) < 1e-6) return [1, Math.round(inverse)];
  }
  const den = 10_000;
  const num = Math.round(value * den);
  const g = gcd(num, den);
  return [num / g, den / g];
}

function rationals(tag: number, values: readonly number[]): Entry {
  const data = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => {
    const [num, den] = toRational(v);
    data.writeUInt32LE(num, 8 * i);
    data.writeUInt32LE(den, 8 * i + 4);
  });
  return { tag, type: RATIONAL, count: values.length, data };
}

/** Bytes an IFD takes including its out-of-line values (each padded to an even length). */
function ifdSize(entries: readonly Entry[]): number {
  let size = 2 + 12 * entries.length + 4;
  for (const e of entries) if (e.data.length > 4) size += e.data.length + (e.data.length % 2);
  return size;
}

/** Writes one IFD at `offset` (relative to the TIFF header start) into `tiff`. Entries sorted by tag. */
function writeIfd(tiff: Buffer, offset: number, entries: readonly Entry[]): void {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  tiff.writeUInt16LE(sorted.length, offset);
  let dataOffset = offset + 2 + 12 * sorted.length + 4;
  sorted.forEach((e, i) => {
    const at = offset + 2 + 12 * i;
    tiff.writeUInt16LE(e.tag, at);
    tiff.writeUInt16LE(e.type, at + 2);
    tiff.writeUInt32LE(e.count, at + 4);
    if (e.data.length <= 4) {
      e.data.copy(tiff, at + 8);
    } else {
      tiff.writeUInt32LE(dataOffset, at + 8);
      e.data.copy(tiff, dataOffset);
      dataOffset += e.data.length + (e.data.length % 2);
    }
  });
  tiff.writeUInt32LE(0, offset + 2 + 12 * sorted.length); // no next IFD
}

const DATE_RE = /^\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2}$/;

function checkDate(name: string, value: string | undefined): void {
  if (value !== undefined && !DATE_RE.test(value)) {
    throw new Error(`${name} must look like "YYYY:MM:DD HH:MM:SS", got "${value}"`);
  }
}

/** The TIFF structure (what follows "Exif\0\0" in APP1). */
export function buildTiff(fields: ExifFields): Buffer {
  checkDate('modifyDate', fields.modifyDate);
  checkDate('dateTimeOriginal', fields.dateTimeOriginal);
  checkDate('createDate', fields.createDate);
  if (fields.orientation !== undefined && !(Number.isInteger(fields.orientation) && fields.orientation >= 1 && fields.orientation <= 8)) {
    throw new Error(`orientation must be 1..8, got ${fields.orientation}`);
  }

  const exif: Entry[] = [bytes(0x9000, UNDEFINED, [...Buffer.from('0232', 'latin1')])];
  if (fields.exposureTime !== undefined) exif.push(rationals(0x829a, [fields.exposureTime]));
  if (fields.fNumber !== undefined) exif.push(rationals(0x829d, [fields.fNumber]));
  if (fields.iso !== undefined) exif.push(short(0x8827, fields.iso));
  if (fields.dateTimeOriginal !== undefined) exif.push(ascii(0x9003, fields.dateTimeOriginal));
  if (fields.createDate !== undefined) exif.push(ascii(0x9004, fields.createDate));
  if (fields.offsetTimeOriginal !== undefined) exif.push(ascii(0x9011, fields.offsetTimeOriginal));
  if (fields.focalLength !== undefined) exif.push(rationals(0x920a, [fields.focalLength]));
  if (fields.subSecTimeOriginal !== undefined) exif.push(ascii(0x9291, fields.subSecTimeOriginal));
  if (fields.lensModel !== undefined) exif.push(ascii(0xa434, fields.lensModel));
  if (fields.makerNote !== undefined) exif.push(bytes(0x927c, UNDEFINED, [...fields.makerNote]));

  let gps: Entry[] | null = null;
  if (fields.gps !== undefined) {
    const dms = (deg: number): number[] => {
      const a = Math.abs(deg);
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      const s = Math.round(((a - d) * 60 - m) * 60 * 10_000) / 10_000;
      return [d, m, s];
    };
    gps = [
      bytes(0x0000, BYTE, [2, 3, 0, 0]),
      ascii(0x0001, fields.gps.latitude >= 0 ? 'N' : 'S'),
      rationals(0x0002, dms(fields.gps.latitude)),
      ascii(0x0003, fields.gps.longitude >= 0 ? 'E' : 'W'),
      rationals(0x0004, dms(fields.gps.longitude)),
    ];
    if (fields.gps.altitude !== undefined) {
      gps.push(bytes(0x0005, BYTE, [fields.gps.altitude >= 0 ? 0 : 1]));
      gps.push(rationals(0x0006, [Math.abs(fields.gps.altitude)]));
    }
  }

  // IFD0 holds pointers whose values depend on the sizes: use placeholders of the right size first.
  const ifd0Base: Entry[] = [];
  if (fields.make !== undefined) ifd0Base.push(ascii(0x010f, fields.make));
  if (fields.model !== undefined) ifd0Base.push(ascii(0x0110, fields.model));
  if (fields.orientation !== undefined) ifd0Base.push(short(0x0112, fields.orientation));
  if (fields.software !== undefined) ifd0Base.push(ascii(0x0131, fields.software));
  if (fields.modifyDate !== undefined) ifd0Base.push(ascii(0x0132, fields.modifyDate));
  const pointerCount = gps === null ? 1 : 2;
  const ifd0Offset = 8;
  const ifd0Bytes = ifdSize([...ifd0Base, ...Array.from({ length: pointerCount }, () => long(0, 0))]);
  const exifOffset = ifd0Offset + ifd0Bytes;
  const gpsOffset = exifOffset + ifdSize(exif);
  const total = gpsOffset + (gps === null ? 0 : ifdSize(gps));

  const ifd0 = [...ifd0Base, long(0x8769, exifOffset)];
  if (gps !== null) ifd0.push(long(0x8825, gpsOffset));

  const tiff = Buffer.alloc(total);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0Offset, 4);
  writeIfd(tiff, ifd0Offset, ifd0);
  writeIfd(tiff, exifOffset, exif);
  if (gps !== null) writeIfd(tiff, gpsOffset, gps);
  return tiff;
}

/** A complete APP1 segment: FFE1, length, "Exif\0\0", TIFF. */
export function buildExifSegment(fields: ExifFields): Buffer {
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), buildTiff(fields)]);
  if (payload.length + 2 > 0xffff) throw new Error('EXIF block too large for one APP1 segment');
  const header = Buffer.alloc(4);
  header.writeUInt16BE(0xffe1, 0);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([header, payload]);
}

interface Segment {
  readonly marker: number;
  readonly start: number;
  readonly end: number;
}

/** The marker segments between SOI and SOS (SOS and the entropy-coded data are left alone). */
function headerSegments(jpeg: Buffer): { segments: Segment[]; bodyStart: number } {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG (no SOI marker)');
  const segments: Segment[] = [];
  let pos = 2;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) throw new Error(`corrupt JPEG: expected a marker at byte ${pos}`);
    const marker = jpeg[pos + 1] ?? 0;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xda) return { segments, bodyStart: pos }; // SOS: stop here
    const length = jpeg.readUInt16BE(pos + 2);
    segments.push({ marker, start: pos, end: pos + 2 + length });
    pos += 2 + length;
  }
  throw new Error('corrupt JPEG: no SOS marker');
}

function isExifApp1(jpeg: Buffer, s: Segment): boolean {
  return s.marker === 0xe1 && jpeg.toString('latin1', s.start + 4, s.start + 10) === 'Exif\0\0';
}

/** Returns a copy of `jpeg` whose only EXIF is `fields` (APP1 right after SOI). */
export function writeExif(jpeg: Buffer, fields: ExifFields): Buffer {
  const { segments, bodyStart } = headerSegments(jpeg);
  const kept = segments.filter((s) => !isExifApp1(jpeg, s)).map((s) => jpeg.subarray(s.start, s.end));
  return Buffer.concat([jpeg.subarray(0, 2), buildExifSegment(fields), ...kept, jpeg.subarray(bodyStart)]);
}

/**
 * Returns a copy of `jpeg` with no metadata at all: every APP1..APP15 segment (EXIF, XMP, ICC,
 * Photoshop IRB...) and every COM segment removed. APP0 (JFIF) and the image data stay.
 */
export function stripMetadata(jpeg: Buffer): Buffer {
  const { segments, bodyStart } = headerSegments(jpeg);
  const kept = segments
    .filter((s) => !(s.marker >= 0xe1 && s.marker <= 0xef) && s.marker !== 0xfe)
    .map((s) => jpeg.subarray(s.start, s.end));
  return Buffer.concat([jpeg.subarray(0, 2), ...kept, jpeg.subarray(bodyStart)]);
}

/** True when the JPEG has an EXIF APP1 segment. */
export function hasExif(jpeg: Buffer): boolean {
  return headerSegments(jpeg).segments.some((s) => isExifApp1(jpeg, s));
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** EXIF `YYYY:MM:DD HH:MM:SS` of a wall-clock time given as ms "read as if UTC" (see CaptureTime). */
export function formatExifDate(wallClockMs: number): string {
  const d = new Date(wallClockMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}:${pad(d.getUTCMonth() + 1)}:${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

/** Inverse of formatExifDate: wall-clock ms read as UTC. */
export function parseExifDate(text: string): number {
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (m === null) throw new Error(`not an EXIF date: "${text}"`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

/**
 * DateTimeOriginal + SubSecTimeOriginal for a wall-clock time in ms (hundredths kept, as most
 * cameras write two sub-second digits).
 */
export function captureFields(wallClockMs: number): { dateTimeOriginal: string; subSecTimeOriginal: string } {
  const whole = Math.floor(wallClockMs / 1000) * 1000;
  const hundredths = Math.floor((wallClockMs - whole) / 10);
  return { dateTimeOriginal: formatExifDate(whole), subSecTimeOriginal: pad(hundredths) };
}

/**
 * An iPhone's MakerNote as a Live Photo still carries it: "Apple iOS\0", version 1, the byte order
 * ("MM" as iPhones write it), then one IFD at offset 14 (value offsets from the note's start) with
 * a HDR-ish SHORT (tag 0x000a) and the ContentIdentifier (0x0011) as ASCII.
 */
export function appleMakerNote(contentId: string, order: 'MM' | 'II' = 'MM'): Buffer {
  const le = order === 'II';
  const id = Buffer.from(`${contentId}\0`, 'latin1');
  const head = Buffer.concat([Buffer.from('Apple iOS\0', 'latin1'), Buffer.from([0, 1]), Buffer.from(order, 'latin1')]);
  const ifd = Buffer.alloc(2 + 2 * 12 + 4);
  const u16 = (v: number, at: number): number => (le ? ifd.writeUInt16LE(v, at) : ifd.writeUInt16BE(v, at));
  const u32 = (v: number, at: number): number => (le ? ifd.writeUInt32LE(v, at) : ifd.writeUInt32BE(v, at));
  u16(2, 0);
  u16(0x000a, 2);
  u16(SHORT, 4);
  u32(1, 6);
  u16(3, 10);
  u16(0x0011, 14);
  u16(ASCII, 16);
  u32(id.length, 18);
  u32(head.length + ifd.length, 22);
  return Buffer.concat([head, ifd, id]);
}
