/**
 * The built-in face backend: @vladmandic/human's models (BlazeFace detection, the 468-point mesh
 * refined by the iris model, the expression model for "happy", the 1024-value identity descriptor)
 * on onnxruntime, with Human's pre- and post-processing made in plain JavaScript (first-pass.ts,
 * mesh-check.ts, onnx-analysis.ts): a face thread loads neither TF.js nor Human. Where
 * onnxruntime does not load, Human runs everything on TF.js's WebAssembly backend, loaded at once.
 * Every model and binary comes from the npm packages' own files: nothing is downloaded.
 */
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { analyzerFor, type DetectOptions, type FaceBackend, FaceBackendUnavailable, type FirstPass as FirstPassAnswer } from './backend.js';
import { FirstPass, type JudgedBox } from './first-pass.js';
import type { ModelRuntime } from './human.js';
import { humanModelCache, locatePackageFiles } from './human-files.js';
import { MeshCheck } from './mesh-check.js';
import { type FullAnalysis, OnnxAnalysis } from './onnx-analysis.js';
import { ModelSessions, type OnnxModel, onnxRuntimeLoads } from './onnx/runtime.js';

/** Loads the backend; throws FaceBackendUnavailable when its models cannot be loaded. */
export async function loadHumanBackend(runtime: ModelRuntime = 'onnx'): Promise<FaceBackend> {
  const files = locatePackageFiles();
  const analyzer = analyzerFor('human');
  if (runtime === 'onnx' && onnxRuntimeLoads()) {
    const sessions = humanSessions(files.models);
    const { first, mesh } = await loadOnnxFirstPass(sessions);
    // The mesh check crops exactly as the analysis does (the same boxes, the same pixels).
    const judge = (image: DecodedImage) => mesh.boxes(image);
    return new HumanBackend(first, analyzer, 'onnxruntime', judge, new OnnxAnalysis(sessions), () => sessions.dispose());
  }
  const { HumanAnalysis, loadHuman } = await import('./human.js');
  const human = new HumanAnalysis(await loadHuman({}, 'tfjs'));
  const first = new FirstPass(human.detectorRun(), 256);
  const judge = async (image: DecodedImage): Promise<JudgedBox[]> =>
    (await human.confirm(image, first)).map((f) => ({ score: f.faceScore, side: Math.min(f.box[2], f.box[3]) }));
  return new HumanBackend(first, analyzer, 'TF.js WASM', judge, human);
}

/** A thread's onnxruntime sessions of Human's models (converted ones cached for the user). */
export function humanSessions(models: string = locatePackageFiles().models): ModelSessions {
  return new ModelSessions(models, humanModelCache());
}

/** The first pass on onnxruntime alone: the detector, and the mesh model (loaded when a detection needs checking). */
export async function loadOnnxFirstPass(sessions: ModelSessions): Promise<{ first: FirstPass; mesh: MeshCheck }> {
  let detector: OnnxModel;
  try {
    detector = await sessions.get('blazeface');
  } catch (error) {
    throw new FaceBackendUnavailable(`the face detector could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  const first = new FirstPass((input, dims) => detector.run(input, dims), detector.inputSide);
  return { first, mesh: new MeshCheck(first, () => sessions.get('facemesh')) };
}

class HumanBackend implements FaceBackend {
  readonly name = 'human';
  private closed = false;

  constructor(
    private readonly first: FirstPass,
    readonly analyzer: string,
    readonly runtime: string,
    /** The mesh model's judgement of the detector's boxes on an image (FirstPass.answer). */
    private readonly judge: (image: DecodedImage) => Promise<JudgedBox[]>,
    private readonly full: FullAnalysis,
    /** Closes the onnxruntime sessions the first pass and the analysis share. */
    private readonly closeSessions: () => Promise<void> = async () => {},
  ) {}

  async anyFace(image: DecodedImage): Promise<FirstPassAnswer> {
    this.checkOpen();
    return this.first.answer(image, this.judge);
  }

  async detect(image: DecodedImage, options: DetectOptions = {}): Promise<FaceRecord[]> {
    this.checkOpen();
    return this.full.analyze(image, this.first, options.descriptors ?? true);
  }

  loadedModels(): readonly string[] {
    return this.full.loadedModels();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.first.forget();
    await this.full.close();
    await this.closeSessions();
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('Expected an open face backend but it was closed');
  }
}
