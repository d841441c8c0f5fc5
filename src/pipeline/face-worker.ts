/**
 * Worker-thread task: find out cheaply whether a photo shows a face (detector on a small copy),
 * and only if it does, decode it at face size and measure its faces. The backend (and
 * its models) is created on the thread's first task and kept for the thread's life: each piscina
 * thread holds its own onnxruntime sessions, and the pool's close() ends the threads, which frees
 * them. A photo that cannot be analyzed comes back as data, never as an exception.
 */
import { getHeapStatistics } from 'node:v8';
import { threadId } from 'node:worker_threads';
import type { FaceAnalysis } from '../core/faces.js';
import { FACE_DECODE_SIDE, type FaceBackend, type FaceBackendKind, FaceBackendUnavailable, loadFaceBackend } from '../faces/backend.js';
import { loadPixels } from '../media/load.js';
import { keyFrameSheet } from '../media/video.js';

export interface FaceTask {
  /** A string path, or the raw bytes of a non-UTF-8 one (Buffers arrive as Uint8Array). */
  readonly path: string | Uint8Array;
  readonly backend: FaceBackendKind;
  /** Compute identity descriptors (see FaceBackend.detect). */
  readonly descriptors: boolean;
  /** A clip: the times (s) of the key frames to look at, analyzed as one sheet (core/clip-faces.ts). */
  readonly frames?: readonly number[];
}

/** Facts about the worker, so callers can check that models load once per thread. */
export interface FaceWorkerInfo {
  readonly threadId: number;
  /** How many times this thread has loaded the backend (1 after the first task). */
  readonly loads: number;
  /** Time the model load took, on the task that loaded them; null on every other task. */
  readonly loadMs: number | null;
  /** What runs the models (FaceBackend.runtime). */
  readonly runtime: string;
  /** The models this thread has loaded, after the task (FaceBackend.loadedModels). */
  readonly models: readonly string[];
  /** This thread's V8 heap in use, in bytes, after the task. */
  readonly v8Bytes: number;
}

export type FaceOutcome =
  | { readonly ok: true; readonly analysis: FaceAnalysis; readonly worker: FaceWorkerInfo }
  /** The backend cannot run on this machine: no photo can be analyzed. */
  | { readonly ok: false; readonly message: string };

// Per thread, not per process: every piscina worker evaluates this module on its own.
let backend: Promise<FaceBackend> | null = null;
let loads = 0;

export default async function analyzeFaces(task: FaceTask): Promise<FaceOutcome> {
  let loadMs: number | null = null;
  if (backend === null) {
    const t0 = performance.now();
    loads++;
    // Kept even when it fails: one failed load answers every later task at once.
    backend = loadFaceBackend(task.backend);
    await backend.then(
      () => (loadMs = performance.now() - t0),
      () => {},
    );
  }
  let faces: FaceBackend;
  try {
    faces = await backend;
  } catch (error) {
    return {
      ok: false,
      message: error instanceof FaceBackendUnavailable ? error.message : `face backend failed to start: ${messageOf(error)}`,
    };
  }
  // Read as the task ends, so a photo that grew the heap shows it.
  const worker = (): FaceWorkerInfo => ({
    threadId,
    loads,
    loadMs,
    runtime: faces.runtime,
    models: faces.loadedModels(),
    v8Bytes: getHeapStatistics().used_heap_size,
  });
  const path = typeof task.path === 'string' ? task.path : Buffer.from(task.path.buffer, task.path.byteOffset, task.path.byteLength);
  let width = 0;
  let height = 0;
  try {
    // One decode at face size (a clip's key frames as one sheet). Most photos without faces were
    // settled at fingerprinting (faces/no-face-check.ts): nearly every photo here shows one, and a
    // second, smaller decode for the first pass would cost more than it saves.
    const image =
      task.frames === undefined
        ? await loadPixels(path, { maxSide: FACE_DECODE_SIDE })
        : await keyFrameSheet(path, task.frames, FACE_DECODE_SIDE);
    ({ width, height } = image);
    // The cheap first pass: a photo without a face costs the detector alone. It looked at this
    // very decode, so 'unsure' (boxes too small to judge, none scored as a face) is final here: a
    // confirmation would crop the same boxes from the same pixels and find the same scores.
    if ((await faces.anyFace(image)) !== 'face')
      return { ok: true, analysis: { analyzer: faces.analyzer, width, height, faces: [], note: null }, worker: worker() };
    const found = await faces.detect(image, { descriptors: task.descriptors });
    return { ok: true, analysis: { analyzer: faces.analyzer, width, height, faces: found, note: null }, worker: worker() };
  } catch (error) {
    // The full analysis loads with the first face: if it cannot, no photo can be analyzed.
    if (error instanceof FaceBackendUnavailable) return { ok: false, message: error.message };
    // A file that decoded for its fingerprint but not here, or a model error on this one image.
    return { ok: true, analysis: { analyzer: faces.analyzer, width, height, faces: [], note: messageOf(error) }, worker: worker() };
  }
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
