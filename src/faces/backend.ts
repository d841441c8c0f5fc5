/**
 * The FaceBackend contract: pixels in, measured faces out. A backend owns its models (loaded
 * once when it is created) and releases them in close(). Backends run inside worker threads.
 */
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { humanVersion } from './human-files.js';

export interface FaceBackend {
  /** Short name ("human"). */
  readonly name: string;
  /**
   * Identifies the backend, its version and its measures; part of the catalog's cache key, so a
   * change here re-analyzes photos instead of mixing old and new numbers.
   */
  readonly analyzer: string;
  /** What runs its models, for figures and logs ("onnxruntime", "TF.js WASM"). */
  readonly runtime: string;
  /**
   * Every face found on one oriented RGB decode. Throws only for a broken backend, not a photo.
   * Without `descriptors` the faces' identity descriptors are left empty: they are most of the
   * cost, and only needed where the faces' places do not already tell people apart.
   */
  detect(image: DecodedImage, options?: DetectOptions): Promise<FaceRecord[]>;
  /**
   * The cheap first pass, the detector alone (and the mesh for the boxes it doubts): 'none' when
   * `image` shows no face detect() would keep; 'face' when it may; 'unsure' when only boxes too
   * small to judge remain (on a smaller copy: a look at the face-size decode settles them; on
   * that decode itself, detect() would keep none, as it crops the same boxes from the same pixels).
   */
  anyFace(image: DecodedImage): Promise<FirstPass>;
  /** The models this thread has loaded so far, by name (the detector alone until a photo shows a face). */
  loadedModels(): readonly string[];
  close(): Promise<void>;
}

export type FirstPass = 'none' | 'face' | 'unsure';

export interface DetectOptions {
  /** Compute identity descriptors (default true). */
  readonly descriptors?: boolean;
}

/** The backends that can be asked for by name once aliases and `auto` are resolved. */
export type FaceBackendKind = 'human';

/** A backend that could not start (missing package files, WASM failure): not a per-photo problem. */
export class FaceBackendUnavailable extends Error {
  override readonly name = 'FaceBackendUnavailable';
}

/**
 * Long side of the decode faces are measured on. Larger than the fingerprint's 440 px because the
 * landmark models crop the face and the eyes out of it: at 1200 px a face that fills a tenth of
 * a group photo's width keeps 120 px (mesh input is 192), its eyes ~30 px (iris input is 64).
 * 1600 px measured the same eye states and people on the bench's real frames (openness within
 * 4 %) for a third more CPU and WASM memory (a face thread's heap grew to 175 MB instead of
 * 116 MB): the models' inputs are fixed, so more pixels only cost decode time and memory.
 */
export const FACE_DECODE_SIDE = 1200;

/**
 * Bump when a measure changes meaning (measures.ts, filters in a backend, the copy the detector
 * runs on): cached analyses are redone. 3: the detector's answer comes from the first pass's copy.
 * 4: the models run on onnxruntime (outputs within ~1e-5 of TF.js's). 5: the first pass looks at
 * the face-size decode itself (most photos without faces are settled before, at fingerprinting).
 */
export const MEASURES_VERSION = 5;

/**
 * The catalog key of analyses by `kind` with this build: backend, its package version, the
 * decode size and the measures' version. Reads only package.json: no model is loaded.
 */
export function analyzerFor(kind: FaceBackendKind): string {
  switch (kind) {
    case 'human':
      return `human-${humanVersion()}/${FACE_DECODE_SIDE}/${MEASURES_VERSION}`;
  }
}

/** Loads a backend by kind. Imported lazily so that `--face-backend none` never loads a face model. */
export async function loadFaceBackend(kind: FaceBackendKind): Promise<FaceBackend> {
  switch (kind) {
    case 'human': {
      const { loadHumanBackend } = await import('./human-backend.js');
      return loadHumanBackend();
    }
  }
}
