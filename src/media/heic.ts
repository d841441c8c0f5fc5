/**
 * HEIC/HEIF decoding through `heic-decode` (libheif compiled to WebAssembly), because sharp's
 * prebuilt libheif has no HEVC decoder. libheif applies the container's rotation and mirroring
 * (irot/imir), so the pixels come back as a viewer shows them.
 */
import { createRequire } from 'node:module';
import { type DecodedImage, MediaError } from './contract.js';
import { decodeRgba, PIXEL_LIMIT, tooLargeError } from './decode.js';
import { oneLine } from './file.js';

interface HeicPixels {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

interface HeicImageHandle {
  readonly width: number;
  readonly height: number;
  decode(): Promise<HeicPixels>;
}

/** The slice of heic-decode's CommonJS API used here (the package ships no types). */
interface HeicDecodeModule {
  all(input: { buffer: Uint8Array }): Promise<HeicImageHandle[] & { dispose(): void }>;
}

let heicDecode: HeicDecodeModule | null = null;

/** Loaded on first HEIC only: instantiating the WebAssembly module costs time and memory. */
function heicModule(): HeicDecodeModule {
  if (heicDecode === null) {
    const require = createRequire(import.meta.url);
    heicDecode = require('heic-decode') as HeicDecodeModule;
  }
  return heicDecode;
}

export interface HeicDecode {
  readonly image: DecodedImage;
  /** Full size as displayed (after the container's rotation). */
  readonly width: number;
  readonly height: number;
}

/** Major brands heic-decode accepts; it refuses a file by its major brand alone. */
const ACCEPTED_MAJOR = new Set(['mif1', 'msf1', 'heic', 'heix', 'hevc', 'hevx']);

/** Decodes the first image of a HEIF file and shrinks it to fit `maxSide`. Throws MediaError. */
export async function decodeHeic(bytes: Buffer, maxSide: number): Promise<HeicDecode> {
  const failure: LibheifFailure = { reason: null };
  let pixels: HeicPixels;
  try {
    pixels = await withLibheifLogCaptured(() => decodeFirstImage(bytes), failure);
  } catch (error) {
    throw heicError(error, failure.reason);
  }
  const data = new Uint8Array(pixels.data.buffer, pixels.data.byteOffset, pixels.data.byteLength);
  if (data.length !== pixels.width * pixels.height * 4)
    throw new MediaError('corrupt', 'corrupt HEIF data (decoder returned a short image)');
  const image = await decodeRgba(data, pixels, maxSide);
  return { image, width: pixels.width, height: pixels.height };
}

async function decodeFirstImage(bytes: Buffer): Promise<HeicPixels> {
  const images = await heicModule().all({ buffer: withAcceptedMajorBrand(bytes) });
  try {
    const first = images[0];
    if (first === undefined) throw new MediaError('corrupt', 'corrupt HEIF data (no image inside)');
    const { width, height } = first;
    if (!(width > 0 && height > 0)) throw new MediaError('corrupt', 'corrupt HEIF data (no image size)');
    // Checked before decoding: the full-size RGBA buffer takes 4 bytes per pixel.
    if (width * height > PIXEL_LIMIT) throw tooLargeError(width, height);
    return await first.decode();
  } finally {
    images.dispose();
  }
}

/**
 * heic-decode checks only the major brand, but files whose major brand is another HEIF brand with
 * 'heic' among the compatible ones are valid too: libheif reads them once the check passes.
 */
function withAcceptedMajorBrand(bytes: Buffer): Buffer {
  const major = bytes.toString('latin1', 8, 12);
  if (ACCEPTED_MAJOR.has(major)) return bytes;
  const copy = Buffer.from(bytes);
  copy.write('mif1', 8, 'latin1');
  return copy;
}

/** First arguments of the console.log calls libheif-js makes when it fails. */
const LIBHEIF_LOGS = new Set([
  'Could not create HEIF context',
  'Could not parse HEIF file',
  'Error loading image ids',
  'No images found',
  'Could not get image data for id',
  'Decoding image failed',
]);

interface LibheifFailure {
  reason: string | null;
}

let captureDepth = 0;
let originalLog: typeof console.log | null = null;
const listeners = new Set<LibheifFailure>();

/**
 * Runs `fn` while libheif-js's failure logs are intercepted. The wrapper prints the real reason to
 * stdout (which would cut through the CLI's progress display) and then fails with a vague "HEIF
 * image not found" or "HEIF processing error"; this keeps the reason for our message instead.
 * Every other console.log call passes through untouched. Decodes overlapping on one thread all
 * receive the first reason logged: at worst a message names the other file's problem.
 */
async function withLibheifLogCaptured<T>(fn: () => Promise<T>, failure: LibheifFailure): Promise<T> {
  if (captureDepth++ === 0) {
    // biome-ignore lint/suspicious/noConsole: libheif-js reports failures through console.log; this takes that channel over.
    const log = console.log;
    originalLog = log;
    console.log = (...args: unknown[]): void => {
      if (typeof args[0] !== 'string' || !LIBHEIF_LOGS.has(args[0])) {
        log.apply(console, args);
        return;
      }
      const detail = args.slice(1).find((a) => typeof a === 'string') ?? (args[2] as { message?: unknown } | undefined)?.message;
      const reason = typeof detail === 'string' ? detail : args[0];
      for (const listener of listeners) listener.reason ??= reason;
    };
  }
  listeners.add(failure);
  try {
    return await fn();
  } finally {
    listeners.delete(failure);
    if (--captureDepth === 0 && originalLog !== null) {
      console.log = originalLog;
      originalLog = null;
    }
  }
}

function heicError(error: unknown, logged: string | null): MediaError {
  if (error instanceof MediaError) return error;
  const thrown = oneLine(error instanceof Error ? error.message : String(error));
  const message = oneLine(logged ?? thrown).replace(/^Invalid input:\s*/i, '');
  if (/end of (file|data)|insufficient input|truncat|not enough data|outside of file/i.test(message)) {
    return new MediaError('truncated', 'truncated or corrupt HEIF data');
  }
  return new MediaError('corrupt', `corrupt HEIF data (${message.slice(0, 160) || 'decoder failed'})`);
}
