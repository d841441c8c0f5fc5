/**
 * Worker-thread task: read one photo, decode it small, fingerprint it. Runs inside the piscina
 * pool; a bad file comes back as an error record, never as an exception.
 */
import { fingerprintFromPixels } from '../core/fingerprint.js';
import type { Fingerprint, PhotoMetadata } from '../core/types.js';
import { MediaError } from '../media/contract.js';
import { loadPhoto } from '../media/load.js';

/**
 * Long side of the decode. libvips only decodes a JPEG at 1/8 scale when the shrink factor is 9
 * or more, so 440 gets a 4000 px (12 MP) photo decoded at 1/8 instead of 1/4.
 */
export const FINGERPRINT_SIDE = 440;

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
