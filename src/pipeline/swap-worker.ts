/**
 * Worker-thread task: the face swap of one group (enhance/face-swap.ts). The face models are
 * loaded on the thread's first task and kept for its life, as in face-worker.ts. A swap that
 * cannot be made comes back as data.
 */
import { type SwapOutcome, type SwapRequest, swapEyes } from '../enhance/face-swap.js';
import { loadMeshFinder, type MeshFinder } from '../faces/landmarks.js';

type Wire<T> = Omit<T, 'best' | 'swaps'>;

export interface SwapTask extends Wire<SwapRequest> {
  /** String paths, or the raw bytes of non-UTF-8 ones (Buffers arrive as Uint8Array). */
  readonly best: string | Uint8Array;
  readonly swaps: readonly (Omit<SwapRequest['swaps'][number], 'donor'> & { readonly donor: string | Uint8Array })[];
}

export type SwapTaskOutcome =
  | { readonly ok: true; readonly jpeg: Uint8Array | null; readonly outcomes: readonly SwapOutcome[] }
  | { readonly ok: false; readonly message: string };

// Per thread: every piscina worker evaluates this module on its own.
let finder: Promise<MeshFinder> | null = null;

const path = (p: string | Uint8Array): string | Buffer => (typeof p === 'string' ? p : Buffer.from(p.buffer, p.byteOffset, p.byteLength));

export default async function swapTask(task: SwapTask): Promise<SwapTaskOutcome> {
  try {
    finder ??= loadMeshFinder();
    const result = await swapEyes(
      { ...task, best: path(task.best), swaps: task.swaps.map((s) => ({ ...s, donor: path(s.donor) })) },
      await finder,
    );
    return { ok: true, jpeg: result.jpeg, outcomes: result.outcomes };
  } catch (error) {
    return { ok: false, message: (error instanceof Error ? error.message : String(error)).split('\n')[0]! };
  }
}
