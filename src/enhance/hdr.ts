/**
 * The HDR merge of one exposure bracket: the frames decoded (oriented), each aligned to the
 * reference frame by a translation found on exposure-invariant bitmaps, cropped to the area all
 * of them show, fused (exposure fusion: each pixel from the frames that expose it well, blended
 * across scales so no seams show) and encoded as JPEG with the reference's camera and capture
 * time. Unlike the seed's Debevec merge with every exposure time set to 1, this needs no
 * exposure times at all, and unlike it, it aligns handheld frames first.
 */
import { cropToCommon, exposureShift, type Shift } from '../core/exposure-align.js';
import { fuseExposures } from '../core/fusion.js';
import type { RgbImage } from '../core/pixels.js';
import type { FsPath } from '../core/types.js';
import { encodeJpeg } from '../media/decode.js';
import { loadPixels } from '../media/load.js';

export interface HdrRequest {
  /** The frames, darkest first. */
  readonly frames: readonly FsPath[];
  /** Index in `frames` of the frame the others are aligned to. */
  readonly reference: number;
  /** --hdr-gamma: 2.2 keeps the fused tones. */
  readonly gamma: number;
  /** Longest side of the merge; larger frames are decoded smaller (bounds memory and time). */
  readonly maxSide: number;
  /** Camera and capture time of the reference, for the merge's EXIF. */
  readonly make: string | null;
  readonly model: string | null;
  /** `YYYY:MM:DD HH:MM:SS`, the reference's DateTimeOriginal, or null. */
  readonly takenAt: string | null;
}

export interface HdrResult {
  readonly jpeg: Buffer;
  readonly width: number;
  readonly height: number;
  /** Each frame's translation onto the reference, in decoded pixels. */
  readonly shifts: readonly Shift[];
}

/** A bracket that cannot be merged (frames of different sizes): the message says why. */
export class HdrError extends Error {
  override readonly name = 'HdrError';
}

/** Largest misalignment searched for, as a fraction of the long side (a handheld bracket moves a little). */
const MAX_SHIFT_FRACTION = 0.04;

const JPEG_QUALITY = 92;

export async function mergeBracket(request: HdrRequest): Promise<HdrResult> {
  if (request.frames.length < 2) throw new HdrError('a bracket needs at least two frames');
  const frames: RgbImage[] = [];
  for (const file of request.frames) frames.push(await loadPixels(file, { maxSide: request.maxSide }));
  const reference = frames[request.reference]!;
  const odd = frames.find((f) => f.width !== reference.width || f.height !== reference.height);
  if (odd !== undefined) {
    throw new HdrError(`its frames differ in size (${reference.width}x${reference.height} and ${odd.width}x${odd.height})`);
  }
  const maxShift = Math.max(4, Math.round(MAX_SHIFT_FRACTION * Math.max(reference.width, reference.height)));
  const shifts = frames.map((f, i) => (i === request.reference ? { dx: 0, dy: 0 } : exposureShift(reference, f, maxShift)));
  const fused = fuseExposures(cropToCommon(frames, shifts), { exponent: 2.2 / request.gamma });
  // No parentheses: libvips reads "text (more)" as text plus its own annotation and drops the rest.
  const ifd0: Record<string, string> = { Software: 'photo-organizer HDR merge' };
  if (request.make !== null) ifd0.Make = request.make;
  if (request.model !== null) ifd0.Model = request.model;
  if (request.takenAt !== null) ifd0.DateTime = request.takenAt;
  const ifd2: Record<string, string> = request.takenAt === null ? {} : { DateTimeOriginal: request.takenAt };
  const jpeg = await encodeJpeg(
    { data: Buffer.from(fused.data.buffer, fused.data.byteOffset, fused.data.byteLength), width: fused.width, height: fused.height },
    JPEG_QUALITY,
    { IFD0: ifd0, IFD2: ifd2 },
  );
  return { jpeg, width: fused.width, height: fused.height, shifts };
}
