/**
 * The built-in face backend: @vladmandic/human's models (BlazeFace detection, the 468-point mesh
 * refined by the iris model, the expression model for "happy", the 1024-value identity descriptor)
 * run on onnxruntime, with Human's own pre- and post-processing on TF.js's WebAssembly backend.
 * Every model and binary comes from the npm packages' own files: nothing is downloaded.
 *
 * The first pass over a photo needs the detector alone, so it runs on onnxruntime without TF.js
 * (first-pass.ts): Human and TF.js load with the first photo that may show a face, and a thread
 * that only meets photos without faces starts in a fraction of the time and memory. Where
 * onnxruntime does not load, everything runs on TF.js, loaded at once.
 */
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { analyzerFor, type DetectOptions, type FaceBackend, FaceBackendUnavailable, type FirstPass as FirstPassAnswer } from './backend.js';
import { FirstPass } from './first-pass.js';
import type { HumanAnalysis, ModelRuntime } from './human.js';
import { humanModelCache, KEEP, locatePackageFiles } from './human-files.js';
import { MeshCheck } from './mesh-check.js';
import { ModelSessions, type OnnxModel, onnxRuntimeLoads } from './onnx/runtime.js';

/** How far below a kept face's mesh score a box is still looked at by Human's pipeline. */
const KEEP_MARGIN = 0.05;

/** Loads the backend; throws FaceBackendUnavailable when its models cannot be loaded. */
export async function loadHumanBackend(runtime: ModelRuntime = 'onnx'): Promise<FaceBackend> {
  const files = locatePackageFiles();
  const analyzer = analyzerFor('human');
  if (runtime === 'onnx' && onnxRuntimeLoads()) {
    const sessions = humanSessions(files.models);
    const { first, mesh } = await loadOnnxFirstPass(sessions);
    return new HumanBackend(
      first,
      analyzer,
      'onnxruntime',
      () => loadAnalysis('onnx', sessions),
      mesh,
      () => sessions.dispose(),
    );
  }
  const analysis = await loadAnalysis('tfjs');
  return new HumanBackend(new FirstPass(analysis.detectorRun(), 256), analyzer, 'TF.js WASM', async () => analysis, null);
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

/** Human on TF.js with its models on `runtime` (onto `sessions`); imported on demand, as it loads TF.js. */
async function loadAnalysis(runtime: ModelRuntime, sessions?: ModelSessions): Promise<HumanAnalysis> {
  const { HumanAnalysis, loadHuman } = await import('./human.js');
  return new HumanAnalysis(await loadHuman({}, runtime, sessions));
}

class HumanBackend implements FaceBackend {
  readonly name = 'human';
  private closed = false;
  private analysis: Promise<HumanAnalysis> | null = null;
  /** The analysis once loaded (for figures). */
  private loaded: HumanAnalysis | null = null;

  constructor(
    private readonly first: FirstPass,
    readonly analyzer: string,
    readonly runtime: string,
    private readonly loadFull: () => Promise<HumanAnalysis>,
    /** The mesh check without TF.js; null: Human's own pipeline checks. */
    private readonly mesh: MeshCheck | null,
    /** Closes the onnxruntime sessions the first pass and the analysis share. */
    private readonly closeSessions: () => Promise<void> = async () => {},
  ) {}

  async anyFace(image: DecodedImage): Promise<FirstPassAnswer> {
    this.checkOpen();
    return this.first.answer(image, async (on) =>
      this.mesh
        ? this.mesh.boxes(on)
        : (await (await this.full()).confirm(on, this.first)).map((f) => ({ score: f.faceScore, side: Math.min(f.box[2], f.box[3]) })),
    );
  }

  async detect(image: DecodedImage, options: DetectOptions = {}): Promise<FaceRecord[]> {
    this.checkOpen();
    const detectOn = options.detectOn ?? image;
    if (options.confirm && !(await this.mayKeep(image, detectOn))) return [];
    return (await this.full()).analyze(image, this.first, detectOn, options.descriptors ?? true);
  }

  /**
   * Whether the full analysis may keep a face on `image`: the same detector and mesh as the full
   * analysis, so a face it would keep is never dropped. Without TF.js, a box whose mesh score
   * falls short of a kept face's (within a margin over the 0.02 the two ways differ by) rules
   * its face out; Human's pipeline then decides on the rest.
   */
  private async mayKeep(image: DecodedImage, detectOn: DecodedImage): Promise<boolean> {
    if (this.mesh) return (await this.mesh.boxes(image, detectOn)).some((b) => b.score >= KEEP.meshScore - KEEP_MARGIN);
    return (await this.full()).keepsAny(image, this.first, detectOn);
  }

  wasmHeapBytes(): number {
    return this.loaded?.wasmHeapBytes() ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.first.forget();
    await (await this.analysis)?.close();
    await this.closeSessions();
  }

  /** Human and TF.js, loaded on first use; a failure to load fails every later call the same way. */
  private full(): Promise<HumanAnalysis> {
    this.analysis ??= this.loadFull().then((analysis) => {
      this.loaded = analysis;
      return analysis;
    });
    return this.analysis;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('Expected an open face backend but it was closed');
  }
}
