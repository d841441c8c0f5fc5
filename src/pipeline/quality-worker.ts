/**
 * Worker-thread task: the whole-image quality of one photo measured on a QUALITY_SIDE decode, for
 * ranking a group (its fingerprint's quality was measured coarse). The same decode and measure as
 * a full-size fingerprint, so the ranking sees the numbers it always saw.
 */
import { measureQuality } from '../core/fingerprint.js';
import { toLuma } from '../core/pixels.js';
import type { ImageQuality } from '../core/types.js';
import { loadPixels } from '../media/load.js';
import { lookForFaces, type NoFace, QUALITY_SIDE, taskPath } from './inspect-worker.js';

export interface QualityTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
  /** Also look for faces on the decode (faces/no-face-check.ts): its group is ranked on faces. */
  readonly faceCheck?: boolean;
}

/** The measures that need pixels; megapixels stay the fingerprint's (a listing may have set them). */
export type MeasuredQuality = Omit<ImageQuality, 'megapixels' | 'coarse'>;

export type QualityOutcome =
  | { readonly ok: true; readonly quality: MeasuredQuality; readonly noFace?: NoFace }
  | { readonly ok: false; readonly message: string };

export default async function measure(task: QualityTask): Promise<QualityOutcome> {
  try {
    const path = taskPath(task.path);
    const image = await loadPixels(path, { maxSide: QUALITY_SIDE });
    const { megapixels: _, ...quality } = measureQuality(toLuma(image), image.width, image.height, 0);
    const noFace = task.faceCheck === true ? await lookForFaces(image, path) : null;
    return { ok: true, quality, ...(noFace ? { noFace } : {}) };
  } catch (error) {
    // The file changed or went away since it was fingerprinted: the coarse measures stand.
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
