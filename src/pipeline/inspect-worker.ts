/**
 * Worker-thread task: read one photo, decode it small, fingerprint it (its quality measured coarse,
 * see QUALITY_SIDE). Runs inside the piscina pool; a bad file comes back as an error record, never
 * as an exception.
 */
import { basename } from 'node:path';
import { fingerprintFromPixels } from '../core/fingerprint.js';
import type { Fingerprint, PhotoMetadata } from '../core/types.js';
import type { NoFaceSize } from '../faces/no-face-check.js';
import { type DecodedImage, MediaError } from '../media/contract.js';
import { type ClipLoadOptions, loadClip } from '../media/clip.js';
import { readHead } from '../media/file.js';
import { loadPhoto, loadPixels } from '../media/load.js';
import { sniffVideo } from '../media/sniff.js';
import { hasExtension, VIDEO_EXTENSIONS } from '../sources/local.js';

/**
 * Long side of the decode the grouping features (hashes, sketches, exposure) are made from. A
 * ~1 MP JPEG decodes at 1/4 scale inside the DCT for it (half the CPU of 440 px); a 12 MP one at
 * 1/8 as for 440.
 */
export const FINGERPRINT_SIDE = 220;

/**
 * Long side of the decode quality is measured at for ranking: 220 px softens a 0.6 px blur away.
 * libvips only decodes a JPEG at 1/8 scale when the shrink factor is 9 or more, so 440 gets a
 * 4000 px (12 MP) photo decoded at 1/8 instead of 1/4.
 */
export const QUALITY_SIDE = 440;

export interface InspectTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
  /** How clips are fingerprinted; null: photos only (--media-type image). */
  readonly clips: ClipLoadOptions | null;
  /** Decode at QUALITY_SIDE whatever the format: the photo will likely be ranked (core/bursts.ts). */
  readonly forRanking: boolean;
  /** Also look for faces on that decode (faces/no-face-check.ts): faces will be analyzed. */
  readonly faceCheck?: boolean;
}

/** A photo that surely shows no face: stored as analyzed, with none, at this size. */
export type NoFace = NoFaceSize;

export type InspectOutcome =
  | { readonly ok: true; readonly meta: PhotoMetadata; readonly fingerprint: Fingerprint; readonly noFace?: NoFace }
  | { readonly ok: false; readonly stage: 'inspect' | 'fingerprint'; readonly message: string };

export default async function inspect(task: InspectTask): Promise<InspectOutcome> {
  const path = taskPath(task.path);
  try {
    if (task.clips !== null && sniffVideo(await readHead(path)) !== null) {
      const clip = await loadClip(path, task.clips);
      return { ok: true, meta: clip.meta, fingerprint: clip.fingerprint };
    }
    // JPEG data decodes at the small size; HEIC, PNG… are decoded whole anyway, at the quality size.
    const loading = task.forRanking ? { maxSide: QUALITY_SIDE } : { maxSide: QUALITY_SIDE, shrinkOnLoadSide: FINGERPRINT_SIDE };
    const { meta, image } = await loadPhoto(path, loading).catch((error: unknown) => {
      // A file named like a clip whose bytes are neither a clip nor a photo: say what it is not.
      if (task.clips !== null && error instanceof MediaError && error.code === 'not-image' && isVideoName(path)) {
        throw new MediaError('not-image', error.message.replace('not an image', 'not a video'));
      }
      throw error;
    });
    // Coarse when smaller than a QUALITY_SIDE decode would be (not when the photo itself is that small).
    const coarse = Math.max(image.width, image.height) < Math.min(QUALITY_SIDE, Math.max(meta.width, meta.height));
    const fingerprint = fingerprintFromPixels(image, (meta.width * meta.height) / 1e6, coarse);
    const noFace = task.faceCheck === true && !coarse ? await lookForFaces(image, path) : null;
    return { ok: true, meta, fingerprint, ...(noFace ? { noFace } : {}) };
  } catch (error) {
    if (error instanceof MediaError) return { ok: false, stage: 'inspect', message: error.message };
    // Anything else is unexpected, but still about this one file: record it and carry on.
    return { ok: false, stage: 'fingerprint', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The size of the decode that settled it if photo `path` (decoded as `image`) surely shows no
 * face; null when it may (or the check failed: the face stage looks).
 */
export async function lookForFaces(image: DecodedImage, path: string | Buffer): Promise<NoFace | null> {
  try {
    // Imported on first use: a run with faces off loads none of the face modules.
    const [{ noFaceSize }, { FACE_DECODE_SIDE }] = await Promise.all([import('../faces/no-face-check.js'), import('../faces/backend.js')]);
    return await noFaceSize(image, () => loadPixels(path, { maxSide: FACE_DECODE_SIDE }));
  } catch {
    return null;
  }
}

/** A task's path as the file functions take it: a Buffer again for a non-UTF-8 one. */
export function taskPath(path: string | Uint8Array): string | Buffer {
  return typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength);
}

function isVideoName(path: string | Buffer): boolean {
  return hasExtension(basename(typeof path === 'string' ? path : path.toString('latin1')), VIDEO_EXTENSIONS);
}
