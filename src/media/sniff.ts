/**
 * Recognises a file's container from its first bytes, never from its name: photo libraries are
 * full of PNGs called .jpg and HEICs called .jpeg.
 */
import { ftypBrands } from './bmff.js';
import { MediaError } from './contract.js';

/**
 * What the bytes are. 'tiff' covers TIFF-based RAW too (DNG, NEF, ARW, CR2…): telling them apart
 * needs a walk of the IFDs, which raw.ts does. 'raf' is Fujifilm's own RAW container.
 */
export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'heic' | 'avif' | 'raf';

/** HEIF brands whose images are HEVC-coded (or generic HEIF that libheif handles). */
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);
const GENERIC_HEIF_BRANDS = new Set(['mif1', 'msf1']);
const AVIF_BRANDS = new Set(['avif', 'avis']);

/** The container format, or a MediaError ('not-image' or 'unsupported') saying why not. */
export function sniffFormat(bytes: Uint8Array): SniffedFormat {
  const b = bytes;
  const ascii = (start: number, text: string): boolean => {
    for (let i = 0; i < text.length; i++) if (b[start + i] !== text.charCodeAt(i)) return false;
    return true;
  };
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (ascii(0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'webp';
  // Classic TIFF (42), plus the TIFF variants RAW makers use: Olympus ORF ('RO', 'RS') and Panasonic RW2 (0x55).
  if (ascii(0, 'II*\0') || ascii(0, 'MM\0*') || ascii(0, 'IIRO') || ascii(0, 'IIRS') || ascii(0, 'MMOR') || ascii(0, 'IIU\0')) {
    return 'tiff';
  }
  // BigTIFF: libtiff inside sharp reads it; our RAW walker does not need to.
  if (ascii(0, 'II+\0') || ascii(0, 'MM\0+')) return 'tiff';
  if (ascii(0, 'FUJIFILMCCD-RAW')) return 'raf';
  if (ascii(4, 'ftyp')) return sniffIsoBmff(bytes);
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) throw new MediaError('unsupported', 'GIF images are not supported');
  if ((b[0] === 0xff && b[1] === 0x0a) || ascii(4, 'JXL ')) {
    throw new MediaError('unsupported', 'JPEG XL images are not supported');
  }
  if (ascii(0, 'BM') && isBmpHeaderSize(b)) throw new MediaError('unsupported', 'BMP images are not supported');
  if (looksLikeText(bytes)) throw new MediaError('not-image', 'not an image (looks like text)');
  throw new MediaError('not-image', 'not an image (unknown format)');
}

function sniffIsoBmff(bytes: Uint8Array): SniffedFormat {
  const brands = ftypBrands(bytes);
  // The ftyp box itself is cut off: a file that ends after a few bytes.
  if (brands === null) throw new MediaError('truncated', 'truncated or corrupt HEIF data');
  if (brands[0] === 'crx ') throw new MediaError('unsupported', 'Canon CR3 RAW files are not supported');
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  // AVIF is HEIF with AV1 inside: sharp's own libheif decodes it, HEVC it cannot.
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => GENERIC_HEIF_BRANDS.has(brand))) return 'heic';
  throw new MediaError('not-image', `not an image (ISO media file of type '${(brands[0] ?? '').trim()}', likely a video)`);
}

function isBmpHeaderSize(b: Uint8Array): boolean {
  const size = (b[14] ?? 0) | ((b[15] ?? 0) << 8) | ((b[16] ?? 0) << 16) | ((b[17] ?? 0) << 24);
  return [12, 40, 52, 56, 64, 108, 124].includes(size);
}

/**
 * True when the start of the file reads as UTF-8 text: no NUL, no control characters other than
 * whitespace and ESC, and almost no invalid sequences.
 */
export function looksLikeText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 1024);
  if (sample.length === 0) return false;
  for (const byte of sample) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  const text = Buffer.from(sample.buffer, sample.byteOffset, sample.length).toString('utf8');
  let invalid = 0;
  for (const ch of text) if (ch === '\ufffd') invalid++;
  // The sample may end inside a multi-byte character; allow that and a stray byte or two.
  return invalid <= Math.max(2, text.length / 50);
}

/** Video containers told apart by their first bytes. */
export type VideoContainer = 'mp4' | 'mov' | 'avi' | 'matroska' | 'asf' | 'flv' | 'mpeg-ps' | 'mpeg-ts';

/** QuickTime atoms a MOV without an ftyp box (older cameras) may start with. */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/**
 * The video container of the bytes (the first 200 are enough), or null when they are not a video
 * this tool reads: an HEIF/AVIF photo is ISO media too, and stays a photo.
 */
export function sniffVideo(bytes: Uint8Array): VideoContainer | null {
  const b = bytes;
  const ascii = (start: number, text: string): boolean => {
    for (let i = 0; i < text.length; i++) if (b[start + i] !== text.charCodeAt(i)) return false;
    return true;
  };
  if (ascii(4, 'ftyp')) {
    const brands = ftypBrands(bytes);
    if (brands === null) return null;
    const still = [...HEIC_BRANDS, ...GENERIC_HEIF_BRANDS, ...AVIF_BRANDS, 'crx '];
    if (brands.some((brand) => still.includes(brand))) return null;
    return brands[0] === 'qt  ' ? 'mov' : 'mp4';
  }
  if (QUICKTIME_ATOMS.has(String.fromCharCode(...b.subarray(4, 8)))) return 'mov';
  if (ascii(0, 'RIFF') && ascii(8, 'AVI ')) return 'avi';
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'matroska';
  if (b[0] === 0x30 && b[1] === 0x26 && b[2] === 0xb2 && b[3] === 0x75 && b[4] === 0x8e && b[5] === 0x66) return 'asf';
  if (ascii(0, 'FLV') && b[3] === 1) return 'flv';
  if (b[0] === 0 && b[1] === 0 && b[2] === 1 && (b[3] === 0xba || b[3] === 0xb3)) return 'mpeg-ps';
  // Transport streams: a sync byte every 188 bytes, or every 192 in AVCHD's .mts (4-byte timecode first).
  if (b[0] === 0x47 && b[188] === 0x47) return 'mpeg-ts';
  if (b[4] === 0x47 && b[196] === 0x47) return 'mpeg-ts';
  return null;
}
