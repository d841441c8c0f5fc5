/**
 * The built-in face backend: @vladmandic/human on TF.js's WebAssembly backend. Detection
 * (BlazeFace), the 468-point mesh refined by the iris model, the expression model (for "happy")
 * and the 1024-value identity descriptor (faceres). Every model and the WASM binaries come from
 * the npm packages' own files: nothing is downloaded, at install or at run time.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tf } from './tf.js';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { analyzerFor, type DetectOptions, type FaceBackend, FaceBackendUnavailable, type FirstPass } from './backend.js';
import { combineSmile, eyeMeasures, faceSharpness, type MeshPoint, meshBounds, smileShape } from './measures.js';
import { DetectorCache, pixelTensor } from './detector-cache.js';
import { serveModelFiles } from './model-files.js';
import { OnnxModels, userModelCache } from './onnx/runtime.js';
import { useClosedFormRotation } from './rotation.js';
import { useSharedIdentity } from './wasm-heap.js';

/** The models this backend needs, by Human's names (also their file names). */
export const MODELS = ['blazeface', 'facemesh', 'iris', 'emotion', 'faceres'] as const;

/**
 * Faces kept: the mesh model's own confidence separates faces from face-like things (on the
 * fixtures real faces score 1.00 and a dog 0.69), and below ~24 px the landmarks are guesses.
 */
const MIN_MESH_SCORE = 0.8;
const MIN_FACE_PX = 24;
/** The first pass's confirmation on its small copy: mesh score of a face, box judged from (px). */
const CONFIRM_MESH_SCORE = 0.3;
const CONFIRM_MIN_PX = 64;
/** A first-pass detector score from which a photo goes to the full analysis unchecked. */
const DETECTOR_SURE = 0.75;

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
      // Off until a call asks for them (fullAnalysis): Human loads a model on the first call that
      // enables it, so a thread that only ever sees photos without faces loads the detector alone.
      mesh: { enabled: false },
      iris: { enabled: false },
      emotion: { ...everyTime, enabled: false, minConfidence: 0 },
      description: { ...everyTime, enabled: false, minConfidence: 0 },
      attention: off,
      antispoof: off,
      liveness: off,
      gear: off,
    } as Config['face'],
  };
}

/** Loads Human and its models; throws FaceBackendUnavailable when they cannot be loaded. */
export async function loadHumanBackend(runtime: ModelRuntime = 'onnx'): Promise<FaceBackend> {
  return new HumanBackend(await loadHuman({}, runtime), analyzerFor('human'));
}

/** What runs the models: onnxruntime where its native binding loads, or TF.js's WASM kernels. */
export type ModelRuntime = 'onnx' | 'tfjs';

/**
 * A loaded Human with this backend's configuration (the bench times its steps directly), its
 * face settings changed by `face` (the face swap's mesh finder keeps its models switched on).
 */
export async function loadHuman(face: Partial<Config['face']> = {}, runtime: ModelRuntime = 'onnx'): Promise<Human> {
  let human: Human;
  try {
    const files = locatePackageFiles();
    const require = createRequire(import.meta.url);
    const { Human: HumanClass } = require(files.entry) as { Human: new (config?: Partial<Config>) => Human };
    const config = humanConfig(files, serveModelFiles(files.models));
    human = new HumanClass({ ...config, face: { ...config.face, ...face } as Config['face'] });
    if (runtime === 'onnx') runOnOnnx(human, files.models);
    await human.load();
    useClosedFormRotation();
    useSharedIdentity();
  } catch (error) {
    if (error instanceof FaceBackendUnavailable) throw error;
    throw new FaceBackendUnavailable(`Human face models could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Human logs a model that failed to load and carries on without it; here that is fatal.
  const missing = missingModels(human, ['blazeface']);
  if (missing.length > 0 || human.tf.getBackend() !== 'wasm') {
    throw new FaceBackendUnavailable(
      missing.length > 0 ? `Human could not load the ${missing.join(', ')} model(s)` : `TF.js runs on ${human.tf.getBackend()}, not wasm`,
    );
  }
  return human;
}

/**
 * Moves every model Human loads onto onnxruntime (onnx/runtime.ts) as it loads it: Human loads a
 * model on the first call that enables it, always through its own `load`, before using it.
 */
function runOnOnnx(human: Human, folder: string): void {
  const onnx = OnnxModels.create(folder, userModelCache(`human-${human.version}`));
  if (onnx === null) return;
  const load = human.load.bind(human);
  human.load = async (settings) => {
    await load(settings);
    await onnx.adopt(human.models.models, MODELS);
  };
  onnxSessions.set(human, onnx);
}
const onnxSessions = new WeakMap<Human, OnnxModels>();

/** What runs `human`'s models (onnxruntime unless its binding did not load, or TF.js was asked for). */
export function runtimeOf(human: Human): ModelRuntime {
  return onnxSessions.has(human) ? 'onnx' : 'tfjs';
}

const OFF = { enabled: false };
const ON = { enabled: true };
/**
 * Per-call settings. Human merges a call's settings into its own for good, so every call states
 * every switch it depends on.
 */
const fullAnalysis = (descriptors: boolean): Partial<Config> =>
  ({
    face: {
      detector: { rotation: true },
      mesh: { enabled: true, keepInvalid: false },
      iris: ON,
      emotion: ON,
      description: descriptors ? ON : OFF,
    },
  }) as Partial<Config>;
/**
 * The first pass's confirmation: the detector's boxes checked by the mesh model alone; keepInvalid
 * returns the boxes the mesh rejects too, with their score, so their size can be seen.
 */
const meshOnly = {
  face: { detector: { rotation: true }, mesh: { enabled: true, keepInvalid: true }, iris: OFF, emotion: OFF, description: OFF },
} as Partial<Config>;

function missingModels(human: Human, needed: readonly (typeof MODELS)[number][]): string[] {
  const loaded = new Set(human.models.loaded());
  return needed.filter((m) => !loaded.has(m));
}

class HumanBackend implements FaceBackend {
  readonly name = 'human';
  readonly runtime: string;
  private closed = false;
  private readonly detector: DetectorCache;

  constructor(
    private readonly human: Human,
    readonly analyzer: string,
  ) {
    this.detector = new DetectorCache(human);
    this.runtime = runtimeOf(human) === 'onnx' ? 'onnxruntime' : 'TF.js WASM';
  }

  async anyFace(image: DecodedImage): Promise<FirstPass> {
    const best = await this.bestDetectorScore(image);
    if (best <= (this.human.config.face.detector?.minConfidence ?? 0)) return 'none';
    // Faces score 0.78–0.94 here, the landscapes it mistakes 0.35–0.66: a sure hit needs no check.
    if (best >= DETECTOR_SURE) return 'face';
    // The detector alone takes some landscapes (boats, a fig, a lake) for faces at 0.35–0.66; the
    // mesh model on the same small copy scores them 0–0.02 where a face of 64 px or more scores
    // ~1. Smaller boxes are upscaled too far to be judged here (real faces of 23–47 px scored
    // 0–0.26): they are checked again at full size (detect's `confirm`).
    const boxes = await this.run(image, meshOnly, image);
    if (boxes.some((f) => f.faceScore > CONFIRM_MESH_SCORE)) return 'face';
    return boxes.some((f) => Math.min(f.box[2], f.box[3]) < CONFIRM_MIN_PX) ? 'unsure' : 'none';
  }

  /** The best anchor's score, which Human's NMS would keep if above its threshold. */
  private async bestDetectorScore(image: DecodedImage): Promise<number> {
    const outputs = this.detector.outputs(image);
    // Score outputs are [1, anchors, 1]; the others hold boxes and keypoints.
    const best = tf.tidy(() => tf.max(tf.concat(outputs.filter((t) => t.shape[2] === 1).map((t) => tf.reshape(t, [-1])))));
    const logit = (await best.data())[0]!;
    best.dispose();
    return 1 / (1 + Math.exp(-logit));
  }

  async detect(image: DecodedImage, options: DetectOptions = {}): Promise<FaceRecord[]> {
    const descriptors = options.descriptors ?? true;
    const detectOn = options.detectOn ?? image;
    // The same detector and mesh as the full analysis, so a face it would keep is never dropped.
    if (options.confirm && !(await this.run(image, meshOnly, detectOn)).some(keeps)) return [];
    const faces = await this.run(image, fullAnalysis(descriptors), detectOn);
    // The landmark models load on the first call that needs them (their files were checked at start).
    const missing = missingModels(this.human, descriptors ? MODELS : MODELS.filter((m) => m !== 'faceres'));
    if (missing.length > 0) throw new Error(`Human could not load the ${missing.join(', ')} model(s)`);
    const records: FaceRecord[] = [];
    for (const face of faces) {
      const record = toRecord(face, image);
      if (record) records.push(record);
    }
    return records;
  }

  /** Human's pipeline on `image`, its detector's outputs those of `detectOn` (the same photo). */
  private async run(image: DecodedImage, settings: Partial<Config>, detectOn: DecodedImage): Promise<FaceResult[]> {
    if (this.closed) throw new Error('Expected an open face backend but it was closed');
    // The models a call needs are loaded before its image tensor exists. Loaded inside Human's
    // call instead, their weights (kept for the thread's life) land above the photo's tensors in
    // the WASM heap, and the freed space below cannot take a larger photo: the heap grew to
    // ~90 MB for ~35 MB live at most.
    await this.human.load(settings);
    const input = pixelTensor(image);
    try {
      const result = await this.detector.during(detectOn, image, () => this.human.detect(input, settings));
      if (result.error) throw new Error(result.error);
      return result.face;
    } finally {
      input.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.detector.forget();
    for (const model of Object.values(this.human.models.models)) model?.dispose();
    onnxSessions.get(this.human)?.dispose();
  }
}

/** Whether a face Human found is one this backend keeps (a real face, large enough to measure). */
function keeps(face: FaceResult): boolean {
  const [, , bw, bh] = face.box;
  return face.mesh.length >= 468 && face.faceScore >= MIN_MESH_SCORE && Math.min(bw, bh) >= MIN_FACE_PX;
}

function toRecord(face: FaceResult, image: DecodedImage): FaceRecord | null {
  const mesh = face.mesh as readonly MeshPoint[];
  const [bx, by, bw, bh] = face.box;
  if (!keeps(face)) return null;
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
