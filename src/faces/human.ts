/**
 * The built-in face backend: @vladmandic/human on TF.js's WebAssembly backend. Detection
 * (BlazeFace), the 468-point mesh refined by the iris model, the expression model (for "happy")
 * and the 1024-value identity descriptor (faceres). Every model and the WASM binaries come from
 * the npm packages' own files: nothing is downloaded, at install or at run time.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { analyzerFor, type FaceBackend, FaceBackendUnavailable } from './backend.js';
import { combineSmile, eyeMeasures, faceSharpness, type MeshPoint, meshBounds, smileShape } from './measures.js';
import { serveModelFiles } from './model-files.js';

/** The models this backend needs, by Human's names (also their file names). */
export const MODELS = ['blazeface', 'facemesh', 'iris', 'emotion', 'faceres'] as const;

/**
 * Faces kept: the mesh model's own confidence separates faces from face-like things (on the
 * fixtures real faces score 1.00 and a dog 0.69), and below ~24 px the landmarks are guesses.
 */
const MIN_MESH_SCORE = 0.8;
const MIN_FACE_PX = 24;

interface PackageFiles {
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

export function humanConfig(files: PackageFiles, modelBase: string): Partial<Config> {
  const off = { enabled: false };
  // Photos are independent: no frame-to-frame caching or skipping (Human is built for video).
  const everyTime = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: `${files.wasm}/`,
    // false: the WASM binary is read from disk by the Emscripten loader, not fetched.
    wasmPlatformFetch: false,
    modelBasePath: modelBase,
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    warmup: 'none',
    debug: false,
    filter: { ...off } as Config['filter'],
    gesture: off,
    body: off as Config['body'],
    hand: off as Config['hand'],
    object: off as Config['object'],
    segmentation: off as Config['segmentation'],
    face: {
      enabled: true,
      // rotation: straighten tilted heads before the mesh, so a 45° roll still gets good landmarks.
      detector: { ...everyTime, rotation: true, maxDetected: 30, minConfidence: 0.3, return: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      emotion: { ...everyTime, enabled: true, minConfidence: 0 },
      description: { ...everyTime, enabled: true, minConfidence: 0 },
      attention: off,
      antispoof: off,
      liveness: off,
      gear: off,
    } as Config['face'],
  };
}

/** Loads Human and its models; throws FaceBackendUnavailable when they cannot be loaded. */
export async function loadHumanBackend(): Promise<FaceBackend> {
  let human: Human;
  try {
    const files = locatePackageFiles();
    const require = createRequire(import.meta.url);
    const { Human: HumanClass } = require(files.entry) as { Human: new (config?: Partial<Config>) => Human };
    human = new HumanClass(humanConfig(files, serveModelFiles(files.models)));
    await human.load();
  } catch (error) {
    if (error instanceof FaceBackendUnavailable) throw error;
    throw new FaceBackendUnavailable(`Human face models could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Human logs a model that failed to load and carries on without it; here that is fatal.
  const loaded = new Set(human.models.loaded());
  const missing = MODELS.filter((m) => !loaded.has(m));
  if (missing.length > 0 || human.tf.getBackend() !== 'wasm') {
    throw new FaceBackendUnavailable(
      missing.length > 0 ? `Human could not load the ${missing.join(', ')} model(s)` : `TF.js runs on ${human.tf.getBackend()}, not wasm`,
    );
  }
  return new HumanBackend(human, analyzerFor('human'));
}

class HumanBackend implements FaceBackend {
  readonly name = 'human';
  private closed = false;

  constructor(
    private readonly human: Human,
    readonly analyzer: string,
  ) {}

  async detect(image: DecodedImage): Promise<FaceRecord[]> {
    if (this.closed) throw new Error('Expected an open face backend but it was closed');
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    let faces: FaceResult[];
    try {
      const result = await this.human.detect(input);
      if (result.error) throw new Error(result.error);
      faces = result.face;
    } finally {
      input.dispose();
    }
    const records: FaceRecord[] = [];
    for (const face of faces) {
      const record = toRecord(face, image);
      if (record) records.push(record);
    }
    return records;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const model of Object.values(this.human.models.models)) model?.dispose();
  }
}

function toRecord(face: FaceResult, image: DecodedImage): FaceRecord | null {
  const mesh = face.mesh as readonly MeshPoint[];
  const [bx, by, bw, bh] = face.box;
  if (mesh.length < 468 || face.faceScore < MIN_MESH_SCORE || Math.min(bw, bh) < MIN_FACE_PX) return null;
  const eyes = eyeMeasures(mesh);
  const shape = smileShape(mesh).score;
  const happy = face.emotion?.find((e) => e.emotion === 'happy')?.score ?? 0;
  const angle = face.rotation?.angle;
  const degrees = (radians: number | undefined): number => Math.round((((radians ?? 0) * 180) / Math.PI) * 10) / 10;
  return {
    confidence: face.boxScore,
    box: { x: bx / image.width, y: by / image.height, width: bw / image.width, height: bh / image.height },
    yaw: degrees(angle?.yaw),
    pitch: degrees(angle?.pitch),
    leftEye: eyes.left,
    rightEye: eyes.right,
    happy,
    smileShape: shape,
    smile: combineSmile(happy, shape),
    sharpness: faceSharpness(image, meshBounds(mesh)),
    descriptor: Float32Array.from(face.embedding ?? []),
  };
}
