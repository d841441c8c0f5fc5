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
   * The cheap first pass on a small copy (long side FIRST_PASS_SIDE): 'none' when it shows no
   * face detect() would keep; 'face' when it does; 'unsure' when only boxes too small to judge
   * on the copy remain (detect with `confirm` then checks them at full size first).
   */
  anyFace(image: DecodedImage): Promise<FirstPass>;
  /** Bytes of the WebAssembly heap its models work in (0 while only the first pass has run), for figures. */
  wasmHeapBytes(): number;
  close(): Promise<void>;
}

export type FirstPass = 'none' | 'face' | 'unsure';

export interface DetectOptions {
  /** Compute identity descriptors (default true). */
  readonly descriptors?: boolean;
  /**
   * Check the detector's boxes with the mesh model alone before the full analysis, and stop
   * there when none would be kept: cheaper for a photo the first pass was unsure of (default false).
   */
  readonly confirm?: boolean;
  /**
   * A smaller copy of the same photo (the first pass's) to find faces on: the detector sees a
   * 256 px square either way, and its answer for the copy last given to anyFace is reused
   * instead of computed again. The landmarks are still measured on `image`.
   */
  readonly detectOn?: DecodedImage;
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
 * Long side of the first pass's copy. The detector sees a 256 px square whatever it is given, and
 * a photo with faces reuses its answer on this copy (DetectOptions.detectOn). A 12 MP JPEG decodes
 * to 512 or 800 px for the same CPU (libjpeg shrinks by 4 either way), and from 800 px the
 * detector's boxes give the full analysis the bench's judgements (eye states, people) of the
 * detector run on the 1200 px decode; from 512 or 640 px one small face of a group photo moved
 * enough for its eye to change state.
 */
export const FIRST_PASS_SIDE = 800;

/**
 * Bump when a measure changes meaning (measures.ts, filters in a backend, the copy the detector
 * runs on): cached analyses are redone. 3: the detector's answer comes from the first pass's copy.
 * 4: the models run on onnxruntime (outputs within ~1e-5 of TF.js's).
 */
export const MEASURES_VERSION = 4;

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

/** Loads a backend by kind. Imported lazily so that `--face-backend none` never loads TF.js. */
export async function loadFaceBackend(kind: FaceBackendKind): Promise<FaceBackend> {
  switch (kind) {
    case 'human': {
      const { loadHumanBackend } = await import('./human-backend.js');
      return loadHumanBackend();
    }
  }
}
