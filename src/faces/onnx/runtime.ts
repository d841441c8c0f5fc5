/**
 * Runs Human's face models on onnxruntime instead of TF.js's WebAssembly kernels: each model,
 * once Human has loaded it, is converted (from-tfjs.ts) and its `execute` answered by an
 * onnxruntime session, so Human's own pre- and post-processing stay as they are. Measured per
 * call on one core: the detector 29 → 9 ms, the mesh 10 → 4, both eyes' iris 13 → 8, the
 * expression model 6 → 1.4, the identity descriptor 98 → 14; outputs agree with TF.js's to
 * about 1e-6 of their range.
 *
 * The session's `run` is onnxruntime's synchronous native call (the package's public API only
 * wraps it in a promise), because Human calls `execute` synchronously inside its pipeline.
 * Sessions use one thread each: the pool already runs one face thread per core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { Binding } from 'onnxruntime-node/dist/binding.js';
import { atomicWriteFile } from '../../output/atomic.js';
import { convertGraph } from './from-tfjs.js';
import { readWeights, tfjsModelSchema } from './tfjs-weights.js';

type Ort = typeof import('onnxruntime-node');
type OrtBinding = typeof import('onnxruntime-node/dist/binding.js');

interface Runtime {
  readonly ort: Ort;
  readonly binding: OrtBinding['binding'];
}

let runtime: Runtime | null = null;

/** onnxruntime's package and native binding, loaded once per thread. */
function loadRuntime(): Runtime {
  if (runtime === null) {
    const require = createRequire(import.meta.url);
    const ort = require('onnxruntime-node') as Ort;
    const native = require('onnxruntime-node/dist/binding.js') as OrtBinding;
    native.initOrt();
    runtime = { ort, binding: native.binding };
  }
  return runtime;
}

/** Whether onnxruntime's native binding loads on this machine (it ships for the usual platforms). */
export function onnxRuntimeLoads(): boolean {
  try {
    loadRuntime();
    return true;
  } catch {
    return false;
  }
}

/**
 * Where converted models are kept between runs, and the key of this build's conversion (the
 * models' package version and the converter's), part of each file's name.
 */
export interface ModelCache {
  readonly dir: string;
  readonly key: string;
}

/** Bump when the converter's output changes: cached conversions are made again. */
const CONVERTER_VERSION = 1;

/** The per-user cache folder; converting a model costs a thread ~50 ms of CPU and ~20 MB of memory. */
export function userModelCache(modelsVersion: string): ModelCache {
  return { dir: join(homedir(), '.cache', 'photo-organizer', 'models'), key: `${modelsVersion}-c${CONVERTER_VERSION}` };
}

const SESSION_OPTIONS = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  // 'extended' leaves out the NCHWc layout rewrites: the detector then takes twice as long.
  graphOptimizationLevel: 'all',
  // Without its arena a session returns what a run used: 12 MB less per thread, no slower...
  enableCpuMemArena: false,
  // ...once the memory pattern is off too: with it and no arena, each run allocated and freed one
  // block for all its buffers, and the page faults of refilling it more than doubled the
  // detector's and the identity model's time (detector 4.4 → 10.4 ms of user CPU and 7 ms of
  // system CPU a run; identity model 8.7 → 25 ms).
  enableMemPattern: false,
} as const;

/**
 * The identity model's NCHWc rewrite keeps a second, re-laid-out copy of its 14 MB of weights
 * and larger work buffers: two face threads that computed descriptors peaked 70–100 MB higher
 * with it, for ~3 ms less per face (15 against 18 ms).
 */
const EXTENDED_ONLY = new Set(['faceres']);

function sessionOptions(name: string) {
  return EXTENDED_ONLY.has(name) ? { ...SESSION_OPTIONS, graphOptimizationLevel: 'extended' as const } : SESSION_OPTIONS;
}

/** One converted model's synchronous session. */
export class OnnxModel {
  /** The side of a square image input (256 for [1, 256, 256, 3]); 0 if the input is not one. */
  readonly inputSide: number;
  private disposed = false;

  private constructor(
    private readonly session: Binding.InferenceSession,
    private readonly input: string,
    /** Output names, as TF.js's GraphModel.outputNodes lists them. */
    readonly outputs: readonly string[],
  ) {
    const shape = session.inputMetadata[0]?.shape ?? [];
    this.inputSide = shape.length === 4 && shape[1] === shape[2] ? (shape[1] ?? 0) : 0;
  }

  /**
   * Human's model `name` from its files in `folder`, converted, or read from `cache` when an
   * earlier run converted it. A cached file that does not load is converted and written again.
   */
  static async fromFiles(folder: string, name: string, cache: ModelCache | null = null): Promise<OnnxModel> {
    const { binding } = loadRuntime();
    const session = new binding.InferenceSession();
    const cached = cache === null ? null : join(cache.dir, `${name}-${cache.key}.onnx`);
    if (cached !== null && existsSync(cached)) {
      try {
        session.loadModel(cached, sessionOptions(name));
        const [input] = session.inputMetadata;
        if (input)
          return new OnnxModel(
            session,
            input.name,
            session.outputMetadata.map((m) => m.name),
          );
      } catch {
        // Damaged or from another build: converted again below.
      }
    }
    const model = tfjsModelSchema.parse(JSON.parse(readFileSync(join(folder, `${name}.json`), 'utf8')));
    const shards = Buffer.concat(model.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(folder, p)))));
    const converted = convertGraph(model, readWeights(model, shards), name);
    const { bytes } = converted;
    const fresh = new binding.InferenceSession();
    fresh.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, sessionOptions(name));
    if (cached !== null && cache !== null) await keep(cache.dir, cached, bytes);
    return new OnnxModel(fresh, converted.input, converted.outputs);
  }

  /** Runs the model on a float32 NHWC input; the named outputs, in that order. */
  run(data: Float32Array, dims: readonly number[], names: readonly string[] = this.outputs): { data: Float32Array; dims: number[] }[] {
    const { ort } = loadRuntime();
    const fetches = Object.fromEntries(names.map((n) => [n, null]));
    const results = this.session.run({ [this.input]: new ort.Tensor('float32', data, dims) }, fetches, {});
    return names.map((n) => {
      const value = results[n] as { data: unknown; dims: readonly number[] } | undefined;
      if (!value || !(value.data instanceof Float32Array)) throw new Error(`Expected float output ${n} from onnxruntime`);
      return { data: value.data, dims: [...value.dims] };
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.session.dispose();
  }
}

/**
 * One thread's sessions, one per model, each loaded on first use: the first pass and Human's
 * pipeline ask for the same detector and mesh model, and a second session of each cost a face
 * thread ~25 MB for nothing.
 */
export class ModelSessions {
  private readonly loaded = new Map<string, Promise<OnnxModel>>();

  constructor(
    private readonly folder: string,
    private readonly cache: ModelCache | null,
  ) {}

  /** Human's model `name`, loaded once (a failure fails every later call the same way). */
  get(name: string): Promise<OnnxModel> {
    let model = this.loaded.get(name);
    if (model === undefined) {
      model = OnnxModel.fromFiles(this.folder, name, this.cache);
      this.loaded.set(name, model);
    }
    return model;
  }

  /** The models asked for so far. */
  loadedNames(): string[] {
    return [...this.loaded.keys()];
  }

  async dispose(): Promise<void> {
    const models = [...this.loaded.values()];
    this.loaded.clear();
    for (const model of await Promise.allSettled(models)) if (model.status === 'fulfilled') model.value.dispose();
  }
}

/** Writes a conversion to the cache; a cache that cannot be written only costs the next run a conversion. */
async function keep(dir: string, file: string, bytes: Uint8Array): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await atomicWriteFile(dir, basename(file), bytes);
  } catch {
    // Read-only or full: nothing is lost.
  }
}
