/**
 * Worker-thread task: the whole-image quality of one photo measured on a QUALITY_SIDE decode, for
 * ranking a group (its fingerprint's quality was measured coarse). The same decode and measure as
 * a full-size fingerprint, so the ranking sees the numbers it always saw.
 */
import { measureQuality } from '../core/fingerprint.js';
import { toLuma } from '../core/pixels.js';
import type { ImageQuality } from '../core/types.js';
import { loadPixels } from '../media/load.js';
import { QUALITY_SIDE, taskPath } from './inspect-worker.js';

export interface QualityTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
}

/** The measures that need pixels; megapixels stay the fingerprint's (a listing may have set them). */
export type MeasuredQuality = Omit<ImageQuality, 'megapixels' | 'coarse'>;

export type QualityOutcome = { readonly ok: true; readonly quality: MeasuredQuality } | { readonly ok: false; readonly message: string };

export default async function measure(task: QualityTask): Promise<QualityOutcome> {
  try {
    const image = await loadPixels(taskPath(task.path), { maxSide: QUALITY_SIDE });
    const { megapixels: _, ...quality } = measureQuality(toLuma(image), image.width, image.height, 0);
    return { ok: true, quality };
  } catch (error) {
    // The file changed or went away since it was fingerprinted: the coarse measures stand.
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}
