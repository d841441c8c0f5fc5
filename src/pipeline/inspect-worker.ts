/**
 * Worker-thread task: read one photo, decode it small, fingerprint it. Runs inside the piscina
 * pool; a bad file comes back as an error record, never as an exception.
 */
import { basename } from 'node:path';
import { fingerprintFromPixels } from '../core/fingerprint.js';
import type { Fingerprint, PhotoMetadata } from '../core/types.js';
import { MediaError } from '../media/contract.js';
import { type ClipLoadOptions, loadClip } from '../media/clip.js';
import { readHead } from '../media/file.js';
import { loadPhoto } from '../media/load.js';
import { sniffVideo } from '../media/sniff.js';
import { hasExtension, VIDEO_EXTENSIONS } from '../sources/local.js';

/**
 * Long side of the decode. libvips only decodes a JPEG at 1/8 scale when the shrink factor is 9
 * or more, so 440 gets a 4000 px (12 MP) photo decoded at 1/8 instead of 1/4.
 */
export const FINGERPRINT_SIDE = 440;

export interface InspectTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
  /** How clips are fingerprinted; null: photos only (--media-type image). */
  readonly clips: ClipLoadOptions | null;
}

export type InspectOutcome =
  | { readonly ok: true; readonly meta: PhotoMetadata; readonly fingerprint: Fingerprint }
  | { readonly ok: false; readonly stage: 'inspect' | 'fingerprint'; readonly message: string };

export default async function inspect(task: InspectTask): Promise<InspectOutcome> {
  const path = typeof task.path === 'string' ? task.path : Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength);
  try {
    if (task.clips !== null && sniffVideo(await readHead(path)) !== null) {
      const clip = await loadClip(path, task.clips);
      return { ok: true, meta: clip.meta, fingerprint: clip.fingerprint };
    }
    const { meta, image } = await loadPhoto(path, { maxSide: FINGERPRINT_SIDE }).catch((error: unknown) => {
      // A file named like a clip whose bytes are neither a clip nor a photo: say what it is not.
      if (task.clips !== null && error instanceof MediaError && error.code === 'not-image' && isVideoName(path)) {
        throw new MediaError('not-image', error.message.replace('not an image', 'not a video'));
      }
      throw error;
    });
    const fingerprint = fingerprintFromPixels(image, (meta.width * meta.height) / 1e6);
    return { ok: true, meta, fingerprint };
  } catch (error) {
    if (error instanceof MediaError) return { ok: false, stage: 'inspect', message: error.message };
    // Anything else is unexpected, but still about this one file: record it and carry on.
    return { ok: false, stage: 'fingerprint', message: error instanceof Error ? error.message : String(error) };
  }
}

function isVideoName(path: string | Buffer): boolean {
  return hasExtension(basename(typeof path === 'string' ? path : path.toString('latin1')), VIDEO_EXTENSIONS);
}
