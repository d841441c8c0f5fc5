/**
 * RAW files through their embedded full-size JPEG preview, as culling tools do: no demosaicing,
 * and the preview shows the camera's own rendering. Finds every JPEG the TIFF structure points to,
 * keeps the ones libjpeg can decode, and picks the largest.
 */
import { MediaError } from './contract.js';
import { firstUint, readTiff, TAG, type TiffFile, type TiffIfd, uintValues } from './tiff.js';

/** File extensions (lower case, no dot) of TIFF-based RAW formats. */
export const RAW_EXTENSIONS: ReadonlySet<string> = new Set([
  'dng',
  'nef',
  'nrw',
  'arw',
  'srf',
  'sr2',
  'cr2',
  'pef',
  'orf',
  'rw2',
  'raw',
  'rwl',
  '3fr',
  'erf',
  'kdc',
  'dcr',
  'mef',
  'mos',
  'iiq',
  'srw',
]);

/** Photometric interpretations of sensor data: CFA (mosaic) and DNG's LinearRaw. */
const RAW_PHOTOMETRIC = new Set([32803, 34892]);
/** Compression schemes only RAW data uses (Sony ARW, Nikon NEF, lossy DNG, Kodak). */
const RAW_COMPRESSION = new Set([32767, 32769, 32770, 34713, 34892, 65000]);

export interface JpegSlice {
  /** The JPEG's bytes (a view into the file, not a copy). */
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface RawTiff {
  /**
   * Whether the structure itself says RAW: Canon's CR2 mark, a RAW maker's TIFF variant (ORF,
   * RW2), a DNGVersion tag, or an IFD of sensor data.
   */
  readonly sensorData: boolean;
  /** IFD0's Orientation, 1..8. */
  readonly orientation: number;
  /** The largest decodable embedded JPEG, or null. */
  readonly preview: JpegSlice | null;
}

/** Inspects a TIFF-structured file; null when its header or first IFD cannot be walked. */
export function inspectRawTiff(bytes: Uint8Array): RawTiff | null {
  const tiff = readTiff(bytes);
  if (tiff === null) return null;
  const le = tiff.littleEndian;
  const ifd0 = tiff.ifds[0]!;
  const orientation = firstUint(bytes, le, ifd0, TAG.Orientation) ?? 1;
  // Canon CR2 marks itself with "CR" right after the TIFF header.
  const isCr2 = bytes[8] === 0x43 && bytes[9] === 0x52;
  const sensorData =
    isCr2 || !isClassicTiff(bytes) || ifd0.entries.has(TAG.DngVersion) || tiff.ifds.some((ifd) => holdsSensorData(bytes, le, ifd));
  return {
    sensorData,
    orientation: orientation >= 1 && orientation <= 8 ? orientation : 1,
    preview: largestPreview(bytes, tiff),
  };
}

/** Magic number 42 (not one of the RAW makers' variants, which tiffHeader also accepts). */
export function isClassicTiff(bytes: Uint8Array): boolean {
  return (bytes[0] === 0x49 && bytes[2] === 42 && bytes[3] === 0) || (bytes[0] === 0x4d && bytes[2] === 0 && bytes[3] === 42);
}

function holdsSensorData(bytes: Uint8Array, le: boolean, ifd: TiffIfd): boolean {
  const photometric = firstUint(bytes, le, ifd, TAG.Photometric);
  const compression = firstUint(bytes, le, ifd, TAG.Compression);
  return (photometric !== undefined && RAW_PHOTOMETRIC.has(photometric)) || (compression !== undefined && RAW_COMPRESSION.has(compression));
}

/** The biggest (by pixels, then bytes) JPEG the file points to that libjpeg can decode. */
function largestPreview(bytes: Uint8Array, tiff: TiffFile): JpegSlice | null {
  let best: JpegSlice | null = null;
  for (const [start, length] of previewSpans(bytes, tiff)) {
    const candidate = jpegAt(bytes, start, length);
    if (candidate === null) continue;
    const area = candidate.width * candidate.height;
    const bestArea = best === null ? -1 : best.width * best.height;
    if (area > bestArea || (area === bestArea && best !== null && candidate.bytes.length > best.bytes.length)) best = candidate;
  }
  return best;
}

/** [offset, length] of every place an IFD says a JPEG lives. */
function previewSpans(bytes: Uint8Array, tiff: TiffFile): [number, number][] {
  const le = tiff.littleEndian;
  const spans: [number, number][] = [];
  for (const ifd of tiff.ifds) {
    const jpegOffset = firstUint(bytes, le, ifd, TAG.JpegOffset);
    const jpegLength = firstUint(bytes, le, ifd, TAG.JpegLength);
    if (jpegOffset !== undefined && jpegLength !== undefined) spans.push([jpegOffset, jpegLength]);
    const panasonic = ifd.entries.get(TAG.PanasonicJpgFromRaw);
    if (panasonic !== undefined && panasonic.type === 7) spans.push([panasonic.valueAt, panasonic.count]);
    // Old-style (6) and new-style (7) JPEG compression in strips: a whole JPEG when it is one
    // contiguous run. Sensor data can be lossless JPEG too; jpegAt rejects that by its SOF.
    const compression = firstUint(bytes, le, ifd, TAG.Compression);
    const photometric = firstUint(bytes, le, ifd, TAG.Photometric);
    const offsets = ifd.entries.get(TAG.StripOffsets);
    const counts = ifd.entries.get(TAG.StripByteCounts);
    if ((compression === 6 || compression === 7) && !RAW_PHOTOMETRIC.has(photometric ?? 0) && offsets && counts) {
      const o = uintValues(bytes, le, offsets, 64);
      const c = uintValues(bytes, le, counts, 64);
      if (o.length > 0 && o.length === c.length && o.every((v, i) => i === 0 || v === o[i - 1]! + c[i - 1]!)) {
        spans.push([o[0]!, c.reduce((a, b) => a + b, 0)]);
      }
    }
  }
  return spans;
}

/**
 * The JPEG at `start` when it is one libjpeg (and so sharp) can decode on its own: SOI, then a
 * baseline, extended or progressive frame (SOF0/1/2) and its own quantisation tables before the
 * first scan. That rules out lossless JPEG (SOF3, sensor data) and the abbreviated JPEGs of
 * JPEG-in-TIFF strips, whose tables live in the IFD. A span running past the end of the file is
 * cut at the end, so a truncated RAW surfaces as a truncated JPEG when decoded.
 */
export function jpegAt(bytes: Uint8Array, start: number, length: number): JpegSlice | null {
  if (start < 0 || start >= bytes.length || length < 4) return null;
  const end = Math.min(bytes.length, start + length);
  if (bytes[start] !== 0xff || bytes[start + 1] !== 0xd8) return null;
  let frame: { width: number; height: number } | null = null;
  let tables = false;
  let p = start + 2;
  // Each step advances at least one byte, so the walk ends within the span.
  while (p + 4 <= end) {
    if (bytes[p] !== 0xff) return null;
    const marker = bytes[p + 1]!;
    if (marker === 0xff) {
      p += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      p += 2;
      continue;
    }
    if (marker === 0xda) return frame !== null && tables ? { bytes: bytes.subarray(start, end), ...frame } : null;
    if (marker === 0xd9) return null;
    const segment = (bytes[p + 2]! << 8) | bytes[p + 3]!;
    if (segment < 2) return null;
    if (marker === 0xdb) tables = true;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (marker > 0xc2 || p + 9 > end) return null;
      const height = (bytes[p + 5]! << 8) | bytes[p + 6]!;
      const width = (bytes[p + 7]! << 8) | bytes[p + 8]!;
      if (width === 0 || height === 0) return null;
      frame = { width, height };
    }
    p += 2 + segment;
  }
  return null;
}

/**
 * Fujifilm RAF: a fixed header whose big-endian words at 84 and 88 give the offset and length of
 * a full-size JPEG (with its own EXIF, orientation included).
 */
export function rafPreview(bytes: Uint8Array): JpegSlice {
  if (bytes.length < 92) throw new MediaError('corrupt', 'corrupt RAF file (header cut short)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const preview = jpegAt(bytes, view.getUint32(84), view.getUint32(88));
  if (preview === null) throw new MediaError('unsupported', 'RAW file without an embedded JPEG preview');
  return preview;
}
