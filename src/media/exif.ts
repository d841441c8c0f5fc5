/**
 * The only module that reads EXIF (through exifr). Turns a file's EXIF into the metadata fields
 * of PhotoMetadata. A broken or missing EXIF block never fails a photo: it yields fewer fields.
 */
import exifr from 'exifr';
import type { CaptureTime, GpsPosition, PhotoMetadata } from '../core/types.js';
import { appleContentId } from './apple-makernote.js';

/** The part of PhotoMetadata that comes from EXIF (size, format and orientation come from the decode). */
export type ExifFacts = Omit<PhotoMetadata, 'format' | 'width' | 'height' | 'orientation'>;

export const NO_EXIF: ExifFacts = {
  takenAt: null,
  make: null,
  model: null,
  lens: null,
  exposureTime: null,
  fNumber: null,
  iso: null,
  focalLength: null,
  gps: null,
  exif: [],
};

const PICK = [
  'Make',
  'Model',
  'LensModel',
  'DateTimeOriginal',
  'SubSecTimeOriginal',
  'OffsetTimeOriginal',
  'CreateDate',
  'SubSecTimeDigitized',
  'OffsetTimeDigitized',
  'ExposureTime',
  'FNumber',
  'ISO',
  'FocalLength',
  'GPSLatitude',
  'GPSLatitudeRef',
  'GPSLongitude',
  'GPSLongitudeRef',
  'GPSAltitude',
  'GPSAltitudeRef',
  // Only Apple's is read (a Live Photo's content identifier); exifr hands over the raw bytes.
  'MakerNote',
];

/**
 * One options object for every call: exifr keeps what it derives from an options object for the
 * life of the process, so a fresh literal per photo grew the heap by ~8 KB per photo.
 */
const PARSE_OPTIONS = {
  pick: PICK,
  makerNote: true,
  reviveValues: false,
  translateValues: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
} as const;

type Tags = Readonly<Record<string, unknown>>;

/**
 * EXIF facts from a whole file (JPEG, PNG, TIFF/RAW, HEIC) or a bare TIFF-structured EXIF block
 * (with or without the "Exif\0\0" prefix). Dates stay raw strings (`reviveValues: false`) so that
 * no time zone is guessed; enums stay numbers (`translateValues: false`).
 */
export async function readExif(source: Uint8Array | null): Promise<ExifFacts> {
  if (source === null || source.length < 8) return NO_EXIF;
  const input = hasExifPrefix(source) ? source.subarray(6) : source;
  let tags: unknown;
  try {
    tags = await exifr.parse(input, PARSE_OPTIONS);
  } catch {
    // exifr throws for containers it does not know and for some broken blocks: no EXIF, same as none.
    return NO_EXIF;
  }
  if (typeof tags !== 'object' || tags === null) return NO_EXIF;
  return factsFromTags(tags as Tags);
}

function hasExifPrefix(b: Uint8Array): boolean {
  return b[0] === 0x45 && b[1] === 0x78 && b[2] === 0x69 && b[3] === 0x66 && b[4] === 0 && b[5] === 0;
}

/** Builds the facts from exifr's merged tag object. Exported for tests. */
export function factsFromTags(tags: Tags): ExifFacts {
  const takenAt =
    parseCaptureTime(tags.DateTimeOriginal, tags.SubSecTimeOriginal, tags.OffsetTimeOriginal, 'DateTimeOriginal') ??
    parseCaptureTime(tags.CreateDate, tags.SubSecTimeDigitized, tags.OffsetTimeDigitized, 'CreateDate');
  const make = text(tags.Make);
  const model = text(tags.Model);
  const lens = text(tags.LensModel);
  const exposureTime = positive(tags.ExposureTime);
  const fNumber = positive(tags.FNumber);
  const iso = positive(tags.ISO);
  const focalLength = positive(tags.FocalLength);
  const gps = gpsPosition(tags);
  const dateTimeOriginal = text(tags.DateTimeOriginal);
  const contentId = tags.makerNote instanceof Uint8Array ? appleContentId(tags.makerNote) : null;
  const entries: [string, string | null][] = [
    ['Make', make],
    ['Model', model],
    ['LensModel', lens],
    ['DateTimeOriginal', dateTimeOriginal],
    // Only when it is what the capture time came from, so the line explains the time shown.
    ['CreateDate', dateTimeOriginal === null ? text(tags.CreateDate) : null],
    ['OffsetTimeOriginal', text(tags.OffsetTimeOriginal)],
    ['FNumber', fNumber === null ? null : decimal(fNumber, 1)],
    ['ExposureTime', exposureTime === null ? null : formatExposure(exposureTime)],
    ['ISO', iso === null ? null : String(Math.round(iso))],
    ['FocalLength', focalLength === null ? null : decimal(focalLength, 2)],
    ['GPSLatitude', gps === null ? null : decimal(gps.latitude, 6)],
    ['GPSLongitude', gps === null ? null : decimal(gps.longitude, 6)],
  ];
  return {
    takenAt,
    make,
    model,
    lens,
    exposureTime,
    fNumber,
    iso: iso === null ? null : Math.round(iso),
    focalLength,
    gps,
    exif: entries.filter((e): e is [string, string] => e[1] !== null),
    ...(contentId === null ? {} : { contentId }),
  };
}

const DATE_TIME = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * A capture time from EXIF's "YYYY:MM:DD HH:MM:SS" plus its optional sub-second digits and
 * "+HH:MM" offset. The wall clock is read as if it were UTC (no zone guessing). Zeroed, blank or
 * impossible dates give null.
 */
export function parseCaptureTime(dateTime: unknown, subSec: unknown, offset: unknown, source: CaptureTime['source']): CaptureTime | null {
  const value = text(dateTime);
  const m = value === null ? null : DATE_TIME.exec(value);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (year < 1800 || year > 2999 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const wholeMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over to 1 May: reject dates that do not exist.
  if (new Date(wholeMs).getUTCDate() !== day) return null;
  const fraction = fractionMs(m[7] ?? text(subSec));
  return {
    wallClockMs: wholeMs + fraction,
    offsetMinutes: offsetMinutes(m[8] ?? text(offset)),
    source,
  };
}

/** Milliseconds from sub-second digits: "5" → 500, "123456" → 123. */
function fractionMs(digits: string | null): number {
  if (digits === null || !/^\d+$/.test(digits)) return 0;
  return Math.min(999, Math.round(Number(`0.${digits}`) * 1000));
}

function offsetMinutes(value: string | null): number | null {
  if (value === null) return null;
  if (value === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(value);
  if (m === null) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3]);
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function gpsPosition(tags: Tags): GpsPosition | null {
  const latitude = degrees(tags.GPSLatitude, tags.GPSLatitudeRef, 'S');
  const longitude = degrees(tags.GPSLongitude, tags.GPSLongitudeRef, 'W');
  if (latitude === null || longitude === null) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  // Cameras without a fix often write 0/0 rather than leaving GPS out; no one shoots there.
  if (latitude === 0 && longitude === 0) return null;
  const altitude = finite(tags.GPSAltitude);
  const below = firstNumber(tags.GPSAltitudeRef) === 1;
  return { latitude, longitude, altitude: altitude === null ? null : below ? -altitude : altitude };
}

/** Decimal degrees from EXIF's [degrees, minutes, seconds] and its N/S/E/W reference. */
function degrees(value: unknown, ref: unknown, negativeRef: string): number | null {
  const parts = Array.isArray(value) ? value : [value];
  const [d, m = 0, s = 0] = parts.map((p) => (typeof p === 'number' && Number.isFinite(p) ? p : Number.NaN));
  if (d === undefined || [d, m, s].some((n) => Number.isNaN(n))) return null;
  const abs = d + m / 60 + s / 3600;
  return text(ref)?.toUpperCase() === negativeRef ? -abs : abs;
}

function firstNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if ((value instanceof Uint8Array || Array.isArray(value)) && value.length > 0) return finite(value[0]);
  if (typeof value === 'string') return finite(Number(value));
  return null;
}

function finite(value: unknown): number | null {
  if (Array.isArray(value) || value instanceof Uint8Array) return firstNumber(value);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function positive(value: unknown): number | null {
  const n = finite(value);
  return n !== null && n > 0 ? n : null;
}

/** A one-line printable string, or null when empty. EXIF strings arrive NUL-padded and space-padded. */
function text(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this removes.
  const printable = value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  const clean = printable.replace(/\s+/g, ' ').trim().slice(0, 200);
  return clean === '' ? null : clean;
}

function decimal(n: number, places: number): string {
  return String(Number(n.toFixed(places)));
}

/** "1/500" below a second when that fraction is faithful, else seconds ("0.6", "2", "30"). */
export function formatExposure(seconds: number): string {
  if (seconds < 1) {
    const denominator = Math.round(1 / seconds);
    if (denominator > 0 && Math.abs(1 / denominator - seconds) <= seconds * 0.03) return `1/${denominator}`;
  }
  return decimal(seconds, seconds < 1 ? 3 : 1);
}

/**
 * IFD0's Orientation (1..8) of a TIFF-structured EXIF block, read directly: the decode needs it
 * before it starts, sooner than exifr's parse of the whole block. 1 when the tag is absent or out
 * of range; null when the block's structure cannot be followed (the caller then asks libvips).
 */
export function exifOrientation(tiff: Uint8Array): number | null {
  const b = Buffer.from(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (b.length < 8) return null;
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const little = order === 'II';
  const u16 = (at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > b.length) return null;
  const count = u16(ifd);
  if (ifd + 2 + count * 12 > b.length) return null;
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    // Orientation: tag 0x0112, one SHORT (type 3), its value in the entry itself.
    if (u16(entry) !== 0x0112) continue;
    if (u16(entry + 2) !== 3 || u32(entry + 4) !== 1) return null;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}
