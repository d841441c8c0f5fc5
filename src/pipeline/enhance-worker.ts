/**
 * Worker-thread task: the HDR merge of one bracket (enhance/hdr.ts), off the main thread since a
 * 24 MP merge is seconds of arithmetic. A bracket that cannot be merged comes back as data.
 */
import { type HdrRequest, mergeBracket } from '../enhance/hdr.js';

export interface HdrTask extends Omit<HdrRequest, 'frames'> {
  /** String paths, or the raw bytes of non-UTF-8 ones (Buffers arrive as Uint8Array). */
  readonly frames: readonly (string | Uint8Array)[];
}

export type HdrOutcome =
  | { readonly ok: true; readonly jpeg: Uint8Array; readonly width: number; readonly height: number }
  | { readonly ok: false; readonly message: string };

export default async function mergeTask(task: HdrTask): Promise<HdrOutcome> {
  try {
    const frames = task.frames.map((p) => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
    const merged = await mergeBracket({ ...task, frames });
    return { ok: true, jpeg: merged.jpeg, width: merged.width, height: merged.height };
  } catch (error) {
    return { ok: false, message: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
  }
}
