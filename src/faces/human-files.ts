/**
 * Where the built-in backend's package files are, and the few facts about them that both its
 * light first pass and its full analysis need (on onnxruntime, or Human on TF.js where onnxruntime
 * does not load). Importing this loads neither TF.js nor Human.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { FaceBackendUnavailable } from './backend.js';
import { type ModelCache, userModelCache } from './onnx/runtime.js';

/** The models this backend needs, by Human's names (also their file names). */
export const MODELS = ['blazeface', 'facemesh', 'iris', 'emotion', 'faceres'] as const;

/**
 * The face detector's settings, shared by the first pass and Human's configuration: boxes
 * scoring above `minConfidence` are kept (at most `maxDetected`, overlaps above `iouThreshold`
 * suppressed), enlarged by `scale` before cropping (Human's defaults but the first and the last).
 */
export const DETECTOR = { minConfidence: 0.3, scale: 1.4, iouThreshold: 0.1, maxDetected: 30 } as const;

/**
 * Faces kept: the mesh model's own confidence separates faces from face-like things (on the
 * fixtures real faces score 1.00 and a dog 0.69), and below ~24 px the landmarks are guesses.
 */
export const KEEP = { meshScore: 0.8, minSide: 24 } as const;

/**
 * The first pass's rules: a photo whose detector score reaches `sure` goes to the full analysis
 * unchecked (faces score 0.78–0.94 on the first pass's copy, the landscapes it mistakes
 * 0.35–0.66); below it, a box whose mesh score exceeds `meshFace` is a face, and boxes smaller
 * than `judgedSide` px are upscaled too far to judge on the copy.
 */
export const FIRST_LOOK = { sure: 0.75, meshFace: 0.3, judgedSide: 64 } as const;

export interface PackageFiles {
  /** Human's Node build that uses @tensorflow/tfjs-core + tfjs-backend-wasm (not tfjs-node). */
  readonly entry: string;
  readonly models: string;
  /** Folder of tfjs-backend-wasm's .wasm binaries. */
  readonly wasm: string;
}

/**
 * Where the package files are. Human's `exports` map only offers its tfjs-node build, so the
 * WASM build is found next to it (require.resolve only resolves; it loads nothing).
 */
export function locatePackageFiles(): PackageFiles {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@vladmandic/human'));
  const files: PackageFiles = {
    entry: join(dist, 'human.node-wasm.js'),
    models: join(dist, '..', 'models'),
    wasm: dirname(require.resolve('@tensorflow/tfjs-backend-wasm')),
  };
  const needed = [
    files.entry,
    join(files.wasm, 'tfjs-backend-wasm-simd.wasm'),
    ...MODELS.flatMap((m) => [join(files.models, `${m}.json`), join(files.models, `${m}.bin`)]),
  ];
  const missing = needed.find((f) => !existsSync(f));
  if (missing) throw new FaceBackendUnavailable(`Human face models are incomplete (missing ${missing}); reinstall with npm ci`);
  return files;
}

/** Human's package version (its models change with it). Reads only package.json. */
export function humanVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@vladmandic/human');
  return (require(join(dirname(main), '..', 'package.json')) as { version: string }).version;
}

/** Where this build keeps Human's models converted for onnxruntime. */
export function humanModelCache(): ModelCache {
  return userModelCache(`human-${humanVersion()}`);
}
