/**
 * Human's models moved onto onnxruntime (runtime.ts) as Human loads them: each model's `execute`
 * is answered by its converted session, so Human's own pre- and post-processing stay as they are.
 */
import type { GraphModel } from '@vladmandic/human';
import { tf } from '../tf.js';
import { type ModelSessions, type OnnxModel, onnxRuntimeLoads } from './runtime.js';

type Execute = GraphModel['execute'];

/**
 * Answers `model.execute` (as TF.js's GraphModel does: one tensor for a single output, else an
 * array in outputNodes order or in the order asked) with `onnx`, and frees the model's TF.js
 * weights, which nothing reads any more.
 */
function runOnOnnx(model: GraphModel, onnx: OnnxModel): void {
  const known = new Set(onnx.outputs);
  const execute = ((inputs, outputs) => {
    if (!(inputs instanceof tf.Tensor)) throw new Error('Expected one input tensor');
    const names = outputs === undefined ? model.outputNodes : typeof outputs === 'string' ? [outputs] : outputs;
    // Callers may name an output without its port.
    const asked = names.map((n) => (known.has(n) ? n : `${n}:0`));
    const data = inputs.dtype === 'float32' ? (inputs.dataSync() as Float32Array) : Float32Array.from(inputs.dataSync());
    const results = onnx.run(data, inputs.shape, asked).map((r) => tf.tensor(r.data, r.dims));
    return results.length === 1 ? results[0]! : results;
  }) as Execute;
  tf.dispose(Object.values(model.weights).flat());
  model.execute = execute;
}

/**
 * The models of one Human instance moved onto onnxruntime, as they get loaded, onto `sessions`
 * (shared with the thread's first pass, whose owner closes them).
 */
export class OnnxModels {
  private readonly moved = new Set<GraphModel>();

  private constructor(private readonly sessions: ModelSessions) {}

  /** null when onnxruntime's native binding does not load here: the models stay on TF.js. */
  static create(sessions: ModelSessions): OnnxModels | null {
    return onnxRuntimeLoads() ? new OnnxModels(sessions) : null;
  }

  /** Moves the models among `names` that Human has loaded since the last call. */
  async adopt(models: Readonly<Record<string, GraphModel | null | undefined>>, names: readonly string[]): Promise<void> {
    for (const name of names) {
      const model = models[name];
      if (!model || this.moved.has(model)) continue;
      runOnOnnx(model, await this.sessions.get(name));
      this.moved.add(model);
    }
  }
}
