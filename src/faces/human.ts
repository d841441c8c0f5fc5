/**
 * The built-in face backend: @vladmandic/human on TF.js's WebAssembly backend. Detection
 * (BlazeFace), the 468-point mesh refined by the iris model, the expression model (for "happy")
 * and the 1024-value identity descriptor (faceres). Every model and the WASM binaries come from
 * the npm packages' own files: nothing is downloaded, at install or at run time.
 */
import { createRequire } from 'node:module';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { FaceBackendUnavailable } from './backend.js';
import type { RawOutput } from './detector-input.js';
import type { DetectorRun, FirstPass } from './first-pass.js';
import { DETECTOR, humanModelCache, locatePackageFiles, MODELS, type PackageFiles } from './human-files.js';
import { type FoundFace, faceRecord, keepsFace } from './face-record.js';
import type { MeshPoint } from './measures.js';
import { serveModelFiles } from './model-files.js';
import { OnnxModels } from './onnx/human-models.js';
import { ModelSessions } from './onnx/runtime.js';
import { rotationWindow, useClosedFormRotation } from './rotation.js';
import { tf } from './tf.js';
import { heapTensor, useSharedIdentity } from './wasm-heap.js';

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
      detector: { ...everyTime, rotation: true, ...DETECTOR, return: false },
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

/** What runs the models: onnxruntime where its native binding loads, or TF.js's WASM kernels. */
export type ModelRuntime = 'onnx' | 'tfjs';

/**
 * A loaded Human with this backend's configuration, its face settings changed by `face` (the face
 * swap's mesh finder keeps its models switched on). The backend and the mesh finder load it on
 * TF.js, where onnxruntime does not load. On onnxruntime it is the reference the plain-JavaScript
 * pipeline (onnx-analysis.ts) is tested against to the bit, and what bench/face-steps.js times.
 */
export async function loadHuman(
  face: Partial<Config['face']> = {},
  runtime: ModelRuntime = 'onnx',
  /** The thread's onnxruntime sessions, when its first pass has some (their owner closes them). */
  sessions?: ModelSessions,
): Promise<Human> {
  let human: Human;
  try {
    const files = locatePackageFiles();
    const require = createRequire(import.meta.url);
    const { Human: HumanClass } = require(files.entry) as { Human: new (config?: Partial<Config>) => Human };
    const config = humanConfig(files, serveModelFiles(files.models));
    human = new HumanClass({ ...config, face: { ...config.face, ...face } as Config['face'] });
    if (runtime === 'onnx') runOnOnnx(human, sessions ?? new ModelSessions(files.models, humanModelCache()), sessions === undefined);
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
function runOnOnnx(human: Human, sessions: ModelSessions, owned: boolean): void {
  const onnx = OnnxModels.create(sessions);
  if (onnx === null) return;
  const load = human.load.bind(human);
  human.load = async (settings) => {
    await load(settings);
    await onnx.adopt(human.models.models, MODELS);
  };
  onnxSessions.set(human, owned ? sessions : null);
}
/** Each Human on onnxruntime: the sessions it closes, or null where they are shared. */
const onnxSessions = new WeakMap<Human, ModelSessions | null>();

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

/**
 * Human's full analysis of a photo whose detector answer the first pass holds: Human's own call
 * of the detector (inside its pipeline) is answered with that answer instead of running the
 * model again, and head-tilt rotations are limited to the largest box it can yield.
 */
export class HumanAnalysis {
  private closed = false;
  /** Set while Human's pipeline runs on a photo whose detector outputs are known. */
  private answer: readonly RawOutput[] | null = null;

  constructor(private readonly human: Human) {
    const model = human.models.models.blazeface;
    if (!model) throw new Error('Expected the blazeface model to be loaded');
    const execute = model.execute.bind(model);
    model.execute = ((inputs, outputs) => {
      if (this.answer === null) return execute(inputs, outputs);
      return this.answer.map((o) => tf.tensor(o.data, [...o.dims]));
    }) as typeof model.execute;
  }

  /** Human's detector run directly (where onnxruntime does not load, the first pass uses it). */
  detectorRun(): DetectorRun {
    const model = this.human.models.models.blazeface!;
    return (input, dims) =>
      tf
        .tidy(() => [model.execute(tf.tensor(input, [...dims]))].flat())
        .map((t) => {
          const raw = { data: t.dataSync() as Float32Array, dims: t.shape };
          t.dispose();
          return raw;
        });
  }

  /** The faces the mesh alone finds on `image` (kept or not, with their scores), from the first pass's answer. */
  async confirm(image: DecodedImage, first: FirstPass): Promise<FaceResult[]> {
    return this.run(image, meshOnly, first);
  }

  /** Every face kept on `image`, measured. */
  async analyze(image: DecodedImage, first: FirstPass, descriptors: boolean): Promise<FaceRecord[]> {
    const faces = await this.run(image, fullAnalysis(descriptors), first);
    // The landmark models load on the first call that needs them (their files were checked at start).
    const missing = missingModels(this.human, descriptors ? MODELS : MODELS.filter((m) => m !== 'faceres'));
    if (missing.length > 0) throw new Error(`Human could not load the ${missing.join(', ')} model(s)`);
    return faces.map(found).flatMap((f) => (keepsFace(f) ? [faceRecord(f, image)] : []));
  }

  loadedModels(): readonly string[] {
    return this.human.models.loaded();
  }

  /** Human's pipeline on `image`, its detector's outputs the first pass's. */
  private async run(image: DecodedImage, settings: Partial<Config>, first: FirstPass): Promise<FaceResult[]> {
    if (this.closed) throw new Error('Expected an open face analysis but it was closed');
    // The models a call needs are loaded before its image tensor exists. Loaded inside Human's
    // call instead, their weights (kept for the thread's life) land above the photo's tensors in
    // the WASM heap, and the freed space below cannot take a larger photo: the heap grew to
    // ~90 MB for ~35 MB live at most.
    await this.human.load(settings);
    const answer = first.outputs(image);
    const half = first.rotationHalfSide(image);
    const input = pixelTensor(image);
    this.answer = answer;
    try {
      const result = await rotationWindow(half, () => this.human.detect(input, settings));
      if (result.error) throw new Error(result.error);
      return result.face;
    } finally {
      this.answer = null;
      input.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const model of Object.values(this.human.models.models)) model?.dispose();
    await onnxSessions.get(this.human)?.dispose();
  }
}

/**
 * An RGB decode as a float32 [height, width, 3] tensor, as Human's pipeline wants it (an int32
 * one is cast by it, a second copy). Written straight into the WASM heap: a float copy on the
 * JavaScript side would take 13 MB more per thread at 1200 px.
 */
function pixelTensor(image: DecodedImage): Tensor3D {
  return heapTensor(image.data, [image.height, image.width, 3]) as Tensor3D;
}

/** A face of Human's result as the shared record builder takes it. */
function found(face: FaceResult): FoundFace {
  const angle = face.rotation?.angle;
  return {
    mesh: face.mesh as readonly MeshPoint[],
    box: face.box,
    boxScore: face.boxScore,
    faceScore: face.faceScore,
    happy: face.emotion?.find((e) => e.emotion === 'happy')?.score ?? 0,
    yaw: angle?.yaw ?? 0,
    pitch: angle?.pitch ?? 0,
    descriptor: face.embedding ?? [],
  };
}
