/**
 * Assets for the fake Immich server, made from a generated test library (test/support/library.ts):
 * the files' bytes as originals, a preview JPEG and a small WebP thumbnail rendered the way the
 * server renders them, a thumbhash computed like Immich computes it (RGBA fitted in 100 × 100),
 * and EXIF times taken from the library's truth. Deterministic: ids derive from the paths.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import exifr from 'exifr';
import sharp, { type Sharp } from 'sharp';
import { encodeThumbhash } from '../../../src/core/thumbhash.js';
import { decodeHeic } from '../../../src/media/heic.js';
import type { Library, LibraryPhoto } from '../library.js';

export interface SeedAsset {
  readonly id: string;
  /** Where it came from in the library (tests speak in these). */
  readonly relativePath: string;
  readonly originalFileName: string;
  readonly mime: string;
  readonly original: Buffer;
  readonly preview: Buffer;
  readonly thumbnail: Buffer;
  /** Base64 SHA-1 of the original, as Immich reports it. */
  readonly checksum: string;
  readonly thumbhash: string;
  readonly width: number;
  readonly height: number;
  /** UTC instant of DateTimeOriginal, null when the file has none. */
  readonly dateTimeOriginal: string | null;
  /** The camera's wall clock written as UTC (Immich's localDateTime). */
  readonly localDateTime: string;
  readonly timeZone: string | null;
  readonly fileCreatedAt: string;
  readonly fileModifiedAt: string;
  /** What Immich's exifInfo says of the camera (exposure time as its text, e.g. "1/250"). */
  readonly camera: {
    readonly make: string | null;
    readonly model: string | null;
    readonly exposureTime: string | null;
    readonly fNumber: number | null;
    readonly iso: number | null;
  };
  /** A VIDEO asset: its length in ms (Immich's `duration`); absent for stills. */
  readonly durationMs?: number;
}

/** A v4-shaped UUID derived from text, so every run of a test sees the same ids. */
export function uuidFor(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const cache = new Map<string, Promise<SeedAsset[]>>();

/** Seed assets for every photo of `library` (computed once per library root in this process). */
export function seedFromLibrary(library: Library): Promise<SeedAsset[]> {
  let pending = cache.get(library.root);
  if (!pending) {
    pending = Promise.all(library.photos.map((p) => seedAsset(library.root, p)));
    cache.set(library.root, pending);
  }
  return pending;
}

async function seedAsset(root: string, photo: LibraryPhoto): Promise<SeedAsset> {
  const original = await readFile(join(root, photo.relativePath));
  const pixels = await orientedPixels(original, photo.format);
  const { data, info } = await pixels.clone().resize(100, 100, { fit: 'inside' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const thumbhash = Buffer.from(encodeThumbhash(info.width, info.height, new Uint8Array(data))).toString('base64');
  const preview = await pixels.clone().resize(1440, 1440, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  const thumbnail = await pixels.clone().resize(250, 250, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 70 }).toBuffer();
  const times = exifTimes(photo);
  const camera = await cameraOf(original);
  return {
    id: uuidFor(photo.relativePath),
    relativePath: photo.relativePath,
    originalFileName: basename(photo.relativePath),
    mime: photo.format === 'jpeg' ? 'image/jpeg' : photo.format === 'png' ? 'image/png' : 'image/heic',
    original,
    preview,
    thumbnail,
    checksum: createHash('sha1').update(original).digest('base64'),
    thumbhash,
    width: photo.width,
    height: photo.height,
    ...times,
    fileModifiedAt: new Date(photo.mtimeMs).toISOString(),
    camera,
  };
}

/** The original's camera EXIF, as Immich's metadata extraction reports it. */
async function cameraOf(original: Buffer): Promise<SeedAsset['camera']> {
  const tags = ((await exifr.parse(original, { pick: ['Make', 'Model', 'ExposureTime', 'FNumber', 'ISO'] }).catch(() => null)) ??
    {}) as Record<string, unknown>;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const t = num(tags.ExposureTime);
  return {
    make: typeof tags.Make === 'string' ? tags.Make : null,
    model: typeof tags.Model === 'string' ? tags.Model : null,
    exposureTime: t === null ? null : t >= 1 ? String(t) : `1/${Math.round(1 / t)}`,
    fNumber: num(tags.FNumber),
    iso: num(tags.ISO),
  };
}

async function orientedPixels(bytes: Buffer, format: LibraryPhoto['format']): Promise<Sharp> {
  if (format === 'heif') {
    const d = await decodeHeic(bytes, 2000);
    return sharp(d.image.data, { raw: { width: d.image.width, height: d.image.height, channels: 3 } });
  }
  return sharp(bytes).rotate();
}

/**
 * Immich's view of the capture time: the instant, the wall clock, the zone. Without an EXIF date
 * the real server (metadata.service.ts getDates) stores the earliest file time — here the upload's
 * modification time — as dateTimeOriginal and localDateTime alike, with no zone.
 */
function exifTimes(photo: LibraryPhoto): Pick<SeedAsset, 'dateTimeOriginal' | 'localDateTime' | 'timeZone' | 'fileCreatedAt'> {
  if (photo.takenAt === null) {
    const t = new Date(photo.mtimeMs).toISOString();
    return { dateTimeOriginal: t, localDateTime: t, timeZone: null, fileCreatedAt: t };
  }
  const m = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(photo.takenAt)!;
  const ms = photo.subSec === null ? 0 : Math.round(Number(`0.${photo.subSec}`) * 1000);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  let offsetMin = 0;
  if (photo.offset !== null) {
    const o = /^([+-])(\d{2}):(\d{2})$/.exec(photo.offset)!;
    offsetMin = (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3]));
  }
  const instant = new Date(wall - offsetMin * 60_000).toISOString();
  return {
    dateTimeOriginal: instant,
    localDateTime: new Date(wall).toISOString(),
    timeZone: photo.offset === null ? null : `UTC${photo.offset}`,
    fileCreatedAt: instant,
  };
}
