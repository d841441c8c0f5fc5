/**
 * One photo file in, metadata plus a small oriented RGB decode out. Runs inside worker threads,
 * once per photo; every problem with the file surfaces as a MediaError with a one-line message.
 */
import { baseName } from '../core/paths.js';
import type { FsPath } from '../core/types.js';
import { heifExifTiff } from './bmff.js';
import { type DecodedImage, type LoadedPhoto, MediaError } from './contract.js';
import { decodeEncoded, type EncodedDecode } from './decode.js';
import { readExif } from './exif.js';
import { readHeadInto, withPhotoBytes } from './file.js';
import { decodeHeic } from './heic.js';
import { inspectRawTiff, isClassicTiff, RAW_EXTENSIONS, rafPreview } from './raw.js';
import { sniffFormat } from './sniff.js';

export interface LoadOptions {
  /** Longest side of the decode in pixels; smaller images are not enlarged. */
  readonly maxSide: number;
  /**
   * Longest side for the JPEG data libvips shrinks while decoding (JPEGs, RAW previews), where a
   * smaller decode is cheaper; the other formats are decoded whole whatever the size. Default: maxSide.
   */
  readonly shrinkOnLoadSide?: number;
}

/**
 * Reads a photo once and returns its metadata and a decode whose long side is at most
 * `options.maxSide`. Throws MediaError for any file that is not a decodable photo.
 */
export async function loadPhoto(path: FsPath, options: LoadOptions): Promise<LoadedPhoto> {
  const sides = sidesOf(options);
  return withPhotoBytes(path, (bytes) => photoOf(bytes, extensionOf(path), sides));
}

/** loadPhoto of the bytes lent to it: what it returns holds no view of them. */
async function photoOf(bytes: Buffer, extension: string, sides: Sides): Promise<LoadedPhoto> {
  const format = sniffFormat(bytes);
  // EXIF is parsed on this thread while libvips decodes on its own; readExif never rejects.
  const exifFromFile = format === 'webp' || format === 'raf' ? null : readExif(exifSource(bytes, format));
  const decoded = await decode(bytes, format, extension, sides);
  const facts = await (exifFromFile ?? readExif(decoded.exifSource));
  return {
    meta: {
      format: decoded.format,
      width: decoded.width,
      height: decoded.height,
      orientation: decoded.orientation,
      ...facts,
    },
    image: decoded.image,
  };
}

/**
 * Only the pixels: an oriented RGB decode of any supported photo, long side at most `maxSide`.
 * For stages that need a bigger decode than the fingerprint's (face analysis).
 */
export async function loadPixels(path: FsPath, options: LoadOptions): Promise<DecodedImage> {
  const sides = sidesOf(options);
  return withPhotoBytes(path, async (bytes) => (await decode(bytes, sniffFormat(bytes), extensionOf(path), sides)).image);
}

/** A JPEG's EXIF (APP1) is at most 64 KiB, after at most a small JFIF segment. */
const JPEG_EXIF_HEAD = 72 * 1024;

/**
 * A reader of JPEG capture times (wall clock, ms) from the files' first bytes, before any decode:
 * null for a file without one, not a JPEG, or unreadable (the fingerprint will say why). Its head
 * buffers are reused (72 KB per file read at once would otherwise wait for the collector: tens of
 * MB over a library).
 */
export function jpegCaptureTimes(): (path: FsPath) => Promise<number | null> {
  const free: Buffer[] = [];
  return async (path) => {
    const buffer = free.pop() ?? Buffer.allocUnsafe(JPEG_EXIF_HEAD);
    try {
      const head = await readHeadInto(path, buffer);
      if (sniffFormat(head) !== 'jpeg') return null;
      return (await readExif(head)).takenAt?.wallClockMs ?? null;
    } catch {
      return null;
    } finally {
      free.push(buffer);
    }
  };
}

const LABELS = { jpeg: 'JPEG', png: 'PNG', webp: 'WebP' } as const;

interface Decoded {
  /** PhotoMetadata.format: jpeg, png, webp, tiff, heif or raw. */
  readonly format: string;
  readonly image: DecodedImage;
  readonly width: number;
  readonly height: number;
  readonly orientation: number;
  /** Where EXIF lives when it cannot be read from the file bytes directly. */
  readonly exifSource: Uint8Array | null;
}

/** Longest sides of a decode: of whole decodes, and of JPEG data shrunk while decoding. */
interface Sides {
  readonly whole: number;
  readonly shrunk: number;
}

async function decode(bytes: Buffer, format: ReturnType<typeof sniffFormat>, extension: string, sides: Sides): Promise<Decoded> {
  const maxSide = sides.whole;
  switch (format) {
    case 'jpeg':
      return fromSharp(format, await decodeEncoded(bytes, { maxSide: sides.shrunk, orientation: 'auto', label: LABELS[format] }));
    case 'png':
    case 'webp':
      return fromSharp(format, await decodeEncoded(bytes, { maxSide, orientation: 'auto', label: LABELS[format] }));
    case 'avif':
      // libheif inside libvips has already applied the container's rotation: EXIF orientation does not apply to HEIF.
      return fromSharp('heif', await decodeEncoded(bytes, { maxSide, orientation: 1, label: 'AVIF' }));
    case 'heic': {
      const heic = await decodeHeic(bytes, maxSide);
      return { format: 'heif', image: heic.image, width: heic.width, height: heic.height, orientation: 1, exifSource: null };
    }
    case 'raf': {
      const preview = rafPreview(bytes);
      // The RAF preview is a complete camera JPEG: its own EXIF carries the orientation and metadata.
      const out = await decodeEncoded(preview.bytes, { maxSide: sides.shrunk, orientation: 'auto', label: 'RAW preview JPEG' });
      return { ...fromSharp('raw', out), exifSource: preview.bytes };
    }
    case 'tiff':
      return decodeTiff(bytes, extension, sides);
  }
}

/** TIFF proper goes to libtiff; TIFF-based RAW goes through its embedded JPEG preview. */
async function decodeTiff(bytes: Buffer, extension: string, sides: Sides): Promise<Decoded> {
  const namedRaw = RAW_EXTENSIONS.has(extension);
  const raw = inspectRawTiff(bytes);
  if (raw === null && (namedRaw || !isClassicTiff(bytes))) {
    throw new MediaError('corrupt', 'corrupt RAW file (unreadable TIFF structure)');
  }
  if (raw !== null && (raw.sensorData || namedRaw)) {
    if (raw.preview !== null) {
      // Previews rarely carry their own orientation; the RAW's IFD0 is authoritative and overrides any.
      const out = await decodeEncoded(raw.preview.bytes, {
        maxSide: sides.shrunk,
        orientation: raw.orientation,
        label: 'RAW preview JPEG',
      });
      return fromSharp('raw', out);
    }
    if (raw.sensorData) throw new MediaError('unsupported', 'RAW file without an embedded JPEG preview');
    // Named like a RAW but holding an ordinary image: decode it as the TIFF it is.
  }
  return fromSharp('tiff', await decodeEncoded(bytes, { maxSide: sides.whole, orientation: 'auto', label: 'TIFF' }));
}

function fromSharp(format: string, out: EncodedDecode): Decoded {
  return { format, image: out.image, width: out.width, height: out.height, orientation: out.orientation, exifSource: out.exif };
}

/** Where exifr should look: HEIF's Exif item located by us (see bmff.ts), else the whole file. */
function exifSource(bytes: Buffer, format: ReturnType<typeof sniffFormat>): Uint8Array {
  return format === 'heic' || format === 'avif' ? (heifExifTiff(bytes) ?? bytes) : bytes;
}

/**
 * A still's Live Photo content identifier (Apple MakerNote, media/apple-makernote.ts) read from
 * its EXIF alone, no pixels decoded; null when it has none or cannot be read.
 */
export async function stillContentId(path: FsPath): Promise<string | null> {
  try {
    return await withPhotoBytes(path, async (bytes) => {
      const format = sniffFormat(bytes);
      if (format === 'webp' || format === 'raf') return null;
      return (await readExif(exifSource(bytes, format))).contentId ?? null;
    });
  } catch (error) {
    if (error instanceof MediaError) return null;
    throw error;
  }
}

/** Lower-case extension of the file name without the dot, '' when none. */
export function extensionOf(path: FsPath): string {
  const name = baseName(path);
  const text = typeof name === 'string' ? name : name.toString('latin1');
  const dot = text.lastIndexOf('.');
  return dot <= 0 ? '' : text.slice(dot + 1).toLowerCase();
}

function sidesOf(options: LoadOptions): Sides {
  const sides = { whole: options.maxSide, shrunk: options.shrinkOnLoadSide ?? options.maxSide };
  checkMaxSide(sides.whole);
  checkMaxSide(sides.shrunk);
  return sides;
}

function checkMaxSide(maxSide: number): void {
  if (!Number.isInteger(maxSide) || maxSide < 1 || maxSide > 16384) {
    throw new RangeError(`Expected an integer between 1 and 16384 for maxSide but received ${maxSide}`);
  }
}
