/**
 * Worker-thread task: read one photo, decode it small, fingerprint it. Runs inside the piscina
 * pool; a bad file comes back as an error record, never as an exception.
 */
import { fingerprintFromPixels, MEASURE_SIDE } from '../core/fingerprint.js';
import type { Fingerprint, PhotoMetadata } from '../core/types.js';
import { MediaError } from '../media/contract.js';
import { loadPhoto } from '../media/load.js';

/**
 * Long side of the decode: the size sharpness is measured at, so the decode is the only resize.
 * libvips decodes a JPEG at 1/8 scale when the shrink factor is 9 or more and at 1/4 from 5, so a
 * 12 MP photo is decoded at 1/8 and a 1 MP one at 1/4 — most of a small photo's cost is its decode.
 */
export const FINGERPRINT_SIDE = MEASURE_SIDE;

export interface InspectTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
}

export type InspectOutcome =
  | { readonly ok: true; readonly meta: PhotoMetadata; readonly fingerprint: Fingerprint }
  | { readonly ok: false; readonly stage: 'inspect' | 'fingerprint'; readonly message: string };

export default async function inspect(task: InspectTask): Promise<InspectOutcome> {
  const path = typeof task.path === 'string' ? task.path : Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength);
  try {
    const { meta, image } = await loadPhoto(path, { maxSide: FINGERPRINT_SIDE });
    const fingerprint = fingerprintFromPixels(image, (meta.width * meta.height) / 1e6);
    return { ok: true, meta, fingerprint };
  } catch (error) {
    if (error instanceof MediaError) return { ok: false, stage: 'inspect', message: error.message };
    // Anything else is unexpected, but still about this one file: record it and carry on.
    return { ok: false, stage: 'fingerprint', message: error instanceof Error ? error.message : String(error) };
  }
}
