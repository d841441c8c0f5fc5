/**
 * The only module that imports sharp. Turns encoded bytes (JPEG, PNG, WebP, TIFF, AVIF, RAW
 * previews) or raw RGBA pixels into a small oriented sRGB decode, and sharp's failures into
 * MediaErrors.
 */
import sharp, { type Metadata, type ResizeOptions, type Sharp } from 'sharp';
import { type DecodedImage, MediaError } from './contract.js';
import { oneLine } from './file.js';
import { readJpegHeader } from './jpeg.js';

/** sharp's own default pixel limit (0x3FFF²), kept explicit so the too-large message can quote it. */
export const PIXEL_LIMIT = 268_402_689;

/** How to orient: from the file's EXIF, or a given EXIF orientation (1..8) that overrides it. */
export type OrientationSource = 'auto' | number;

export interface EncodedDecode {
  readonly image: DecodedImage;
  /** Size of the full image after orientation (what a viewer shows). */
  readonly width: number;
  readonly height: number;
  /** EXIF orientation that was applied, 1..8. */
  readonly orientation: number;
  /** The EXIF block libvips found ("Exif\0\0" + TIFF), for formats exifr cannot open (WebP). */
  readonly exif: Buffer | null;
}

let configured = false;

/**
 * sharp's process-wide settings, applied on first use rather than at import. One decode per worker
 * thread at a time: the pool already runs one worker per core, so libvips threads would only
 * contend. The operation cache is off because every file is decoded exactly once.
 */
function configure(): void {
  if (configured) return;
  sharp.cache(false);
  sharp.concurrency(1);
  configured = true;
}

/**
 * Decodes an encoded image, shrunk to fit `maxSide` × `maxSide` (never enlarged) and oriented.
 * JPEGs are shrunk inside the DCT (shrink-on-load), so the full image is never materialised.
 * `label` names the data in error messages ("JPEG", "RAW preview").
 */
export async function decodeEncoded(
  bytes: Uint8Array,
  options: { readonly maxSide: number; readonly orientation: OrientationSource; readonly label: string },
): Promise<EncodedDecode> {
  configure();
  const { label } = options;
  const header = readJpegHeader(bytes) ?? (await probe(bytes, label));
  const { width, height } = header;
  // Checked here, before any pixel is decoded, so a decompression bomb is refused in microseconds.
  if (width * height > PIXEL_LIMIT) throw tooLargeError(width, height);
  const orientation = validOrientation(options.orientation === 'auto' ? header.orientation : options.orientation);
  const swapped = orientation >= 5;
  // 'truncated' makes libjpeg's "premature end" warning fatal (a cut-off file would otherwise come
  // back with its missing half grey) while tolerating the harmless warnings many cameras trigger.
  const input = sharp(bytes, { failOn: 'truncated', limitInputPixels: PIXEL_LIMIT });
  // Where the orientation was read here, it is applied as read, so the size reported and the pixels agree.
  const how = options.orientation === 'auto' && header.source === 'libvips' ? 'auto' : orientation;
  const image = await finish(orient(input, how, options.maxSide), label, bytes);
  return {
    image,
    width: swapped ? height : width,
    height: swapped ? width : height,
    orientation,
    exif: header.exif,
  };
}

interface Header {
  readonly width: number;
  readonly height: number;
  readonly orientation: number | undefined;
  readonly exif: Buffer | null;
  /** Who read it: media/jpeg.ts for plain JPEGs, libvips for everything else. */
  readonly source: 'markers' | 'libvips';
}

/**
 * The header as libvips reads it. The probe runs without sharp's pixel limit so that an oversized
 * image is reported with its size, not with sharp's generic message.
 */
async function probe(bytes: Uint8Array, label: string): Promise<Header> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw sharpError(error, label, bytes);
  }
  if (!(meta.width > 0 && meta.height > 0)) throw new MediaError('corrupt', `corrupt ${label} data (no image size in header)`);
  return { width: meta.width, height: meta.height, orientation: meta.orientation, exif: meta.exif ?? null, source: 'libvips' };
}

/**
 * Shrinks already decoded, already oriented RGBA pixels (HEIC) to fit `maxSide`, alpha flattened
 * onto white.
 */
export async function decodeRgba(
  pixels: Uint8Array,
  size: { readonly width: number; readonly height: number },
  maxSide: number,
): Promise<DecodedImage> {
  configure();
  const input = sharp(pixels, { raw: { width: size.width, height: size.height, channels: 4 }, limitInputPixels: PIXEL_LIMIT });
  return finish(input.resize(fitInside(maxSide)), 'HEIF');
}

/**
 * Oriented RGB decode of a JPEG/PNG/WebP/TIFF/AVIF file's bytes, long side at most `maxSide`.
 * For later stages that need a bigger decode than the fingerprint's (face analysis).
 * HEIC and RAW files need `loadPixels` in load.ts instead.
 */
export async function decodeForAnalysis(bytes: Uint8Array, maxSide: number): Promise<DecodedImage> {
  return (await decodeEncoded(bytes, { maxSide, orientation: 'auto', label: 'image' })).image;
}

/**
 * JPEG bytes of a decode (RGB, as `loadPixels` gives it), for the review page's thumbnails and
 * merged pictures. `quality` 1..100, default 80; progressive so a large view shows early.
 * `exif` (libvips IFD names: IFD0 for the camera, IFD2 for the capture time) is written when given.
 */
export async function encodeJpeg(
  image: DecodedImage,
  quality = 80,
  exif?: Readonly<Record<'IFD0' | 'IFD2', Readonly<Record<string, string>>>>,
): Promise<Buffer> {
  configure();
  const input = sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } });
  const withTags = exif === undefined ? input : input.withExif({ IFD0: { ...exif.IFD0 }, IFD2: { ...exif.IFD2 } });
  return withTags.jpeg({ quality, progressive: image.width * image.height > 400_000 }).toBuffer();
}

/** A decode shrunk to `width` × `height` (box-filtered by libvips: a 12 MP frame in ~50 ms, not ~300 ms in JS). */
export async function shrinkRgb(
  image: { readonly data: Uint8Array; readonly width: number; readonly height: number },
  width: number,
  height: number,
): Promise<DecodedImage> {
  configure();
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Pixel size of a picture file as stored (for files this tool wrote, which carry no orientation). */
export async function pictureSize(file: string): Promise<{ readonly width: number; readonly height: number }> {
  configure();
  const meta = await sharp(file).metadata();
  return { width: meta.width ?? 0, height: meta.height ?? 0 };
}

/** The MediaError for an image over the pixel limit, naming its size. */
export function tooLargeError(width: number, height: number): MediaError {
  return new MediaError('too-large', `image too large: ${width}×${height} px (over the ${Math.floor(PIXEL_LIMIT / 1e6)} MP limit)`);
}

function fitInside(maxSide: number): ResizeOptions {
  return { width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, fastShrinkOnLoad: true };
}

/**
 * Explicit orientation as sharp operations. They are chained after resize on purpose: a rotate()
 * with an angle placed before resize() makes sharp rotate the full image first and gives up
 * shrink-on-load. After resize, sharp mirrors (flop) before it rotates, so the mirrored
 * orientations use the inverse angle of EXIF's "rotate, then mirror".
 */
const EXPLICIT: Readonly<Record<number, { angle: number; flop: boolean }>> = {
  1: { angle: 0, flop: false },
  2: { angle: 0, flop: true },
  3: { angle: 180, flop: false },
  4: { angle: 180, flop: true },
  5: { angle: 270, flop: true },
  6: { angle: 90, flop: false },
  7: { angle: 90, flop: true },
  8: { angle: 270, flop: false },
};

function orient(input: Sharp, orientation: OrientationSource, maxSide: number): Sharp {
  // Auto-orientation keeps shrink-on-load: sharp swaps the target box itself.
  if (orientation === 'auto') return input.rotate().resize(fitInside(maxSide));
  const step = EXPLICIT[orientation] ?? EXPLICIT[1]!;
  let out = input.resize(fitInside(maxSide));
  if (step.flop) out = out.flop();
  if (step.angle !== 0) out = out.rotate(step.angle);
  return out;
}

/** sRGB, alpha flattened onto white, 8-bit, 3 channels. */
async function finish(pipeline: Sharp, label: string, bytes?: Uint8Array): Promise<DecodedImage> {
  try {
    const { data, info } = await pipeline
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new MediaError('unsupported', `cannot convert ${label} to RGB (${info.channels} channels)`);
    }
    return { data, width: info.width, height: info.height };
  } catch (error) {
    throw sharpError(error, label, bytes);
  }
}

function validOrientation(value: number | undefined): number {
  return value !== undefined && Number.isInteger(value) && value >= 1 && value <= 8 ? value : 1;
}

const TRUNCATION = /premature end|truncat|unexpected end|end of (file|stream|data|input)|not enough data|short read|out of data/i;

/**
 * Maps a libvips/sharp failure to a one-line MediaError. `bytes` lets a failure be recognised as
 * truncation where the decoder's own message does not say so (libpng's "read error").
 */
function sharpError(error: unknown, label: string, bytes?: Uint8Array): MediaError {
  if (error instanceof MediaError) return error;
  const text = error instanceof Error ? error.message : String(error);
  if (/pixel limit/i.test(text)) return new MediaError('too-large', `image too large (over the ${Math.floor(PIXEL_LIMIT / 1e6)} MP limit)`);
  if (TRUNCATION.test(text) || (bytes !== undefined && endsEarly(bytes))) {
    return new MediaError('truncated', `truncated or corrupt ${label} data`);
  }
  if (/unsupported image format/i.test(text)) return new MediaError('corrupt', `corrupt ${label} data (not recognised by the decoder)`);
  // libvips prefixes each line with its plumbing ("Input buffer has corrupt header: VipsJpeg: …")
  // and often repeats the same line: keep each distinct reason once.
  const reasons = new Set(
    text
      .replace(/^Input (buffer|file) has corrupt header:/i, '')
      .split('\n')
      .map((line) => oneLine(line.replace(/^\s*(vips[a-z]*|[a-z0-9]+load(_buffer|_source)?|webp|png|jpeg|tiff|heif):\s*/i, '')))
      .filter((line) => line !== ''),
  );
  const reason = [...reasons].join('; ').slice(0, 160);
  return new MediaError('corrupt', `corrupt ${label} data (${reason || 'unreadable header'})`);
}

/** Whether the container's own framing says the file stops before its end (PNG without IEND, short WebP RIFF, TIFF IFD0 past the end). */
function endsEarly(bytes: Uint8Array): boolean {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return !b.subarray(Math.max(0, b.length - 64)).includes('IEND');
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF') return b.readUInt32LE(4) + 8 > b.length;
  // TIFF writers often put IFD0 after the pixel data, so a cut file points past its own end.
  const order = b.toString('latin1', 0, 2);
  if (b.length >= 8 && (order === 'II' || order === 'MM')) return (order === 'II' ? b.readUInt32LE(4) : b.readUInt32BE(4)) + 2 > b.length;
  return false;
}
