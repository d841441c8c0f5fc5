/**
 * The face detector's answer for one photo, computed once. BlazeFace sees a 256 px square
 * whatever it is given, so its outputs for the first pass's small copy serve the full analysis
 * of the same photo too: Human's own call of the detector (inside its pipeline) is answered
 * with a copy of them instead of running the model again (~40 ms of CPU per photo).
 */
import type { Tensor, Tensor3D } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import type { GraphModel, Human } from '@vladmandic/human';
import type { DecodedImage } from '../media/contract.js';
import { rotationWindow } from './rotation.js';
import { heapTensor } from './wasm-heap.js';

/** Pixels beyond a box that the crop's bilinear sampling may still read. */
const WINDOW_MARGIN = 3;

type Execute = GraphModel['execute'];

export class DetectorCache {
  private readonly model: GraphModel;
  private readonly execute: Execute;
  /** The last image the detector ran on and its raw outputs (kept until the next image). */
  private last: { readonly image: DecodedImage; readonly outputs: Tensor[] } | null = null;
  /** Set while Human's pipeline runs on a photo whose detector outputs are known. */
  private answer: readonly Tensor[] | null = null;

  constructor(private readonly human: Human) {
    const model = human.models.models.blazeface;
    if (!model) throw new Error('Expected the blazeface model to be loaded');
    this.model = model;
    this.execute = model.execute.bind(model);
    // Human's detector module holds this same model object and calls execute on it.
    model.execute = ((inputs, outputs) => {
      if (this.answer === null) return this.execute(inputs, outputs);
      return this.answer.map((t) => t.clone());
    }) as Execute;
  }

  /**
   * The detector's raw outputs for `image`, prepared as Human prepares its input (squashed to the
   * model's square, scaled to -1..1). Owned by the cache: callers must not dispose them.
   */
  outputs(image: DecodedImage): readonly Tensor[] {
    if (this.last?.image === image) return this.last.outputs;
    const side = this.model.inputs[0]?.shape?.[1] ?? 256;
    const outputs = tf.tidy(() => {
      const resized = tf.image.resizeBilinear(pixelTensor(image), [side, side]);
      const scaled = tf.expandDims(tf.sub(tf.div(resized, 127.5), 1), 0);
      const result = this.execute(scaled);
      return Array.isArray(result) ? result : [result as Tensor];
    });
    this.forget();
    this.last = { image, outputs };
    return outputs;
  }

  /**
   * Runs `work` (one Human pipeline call on `analysed`, a decode of the same photo as `image`)
   * with the detector answering as it does for `image`, and head-tilt rotations limited to the
   * largest face box the detector can yield (see rotationWindow).
   */
  async during<T>(image: DecodedImage, analysed: DecodedImage, work: () => Promise<T>): Promise<T> {
    const outputs = this.outputs(image);
    const half = (await this.largestBox(outputs, analysed)) / 2 + WINDOW_MARGIN;
    this.answer = outputs;
    try {
      return await rotationWindow(half, work);
    } finally {
      this.answer = null;
    }
  }

  /**
   * Side in `analysed`'s pixels of the largest square box Human can make of these outputs: over
   * every anchor scoring above the detector's threshold (a superset of what its NMS keeps), the
   * box enlarged by its scale and squared as Human does (blazeface.ts getBoxes).
   */
  private async largestBox(outputs: readonly Tensor[], analysed: DecodedImage): Promise<number> {
    const { minConfidence = 0, scale = 1.4 } = this.human.config.face.detector ?? {};
    const logit = Math.log(minConfidence / (1 - minConfidence));
    const side = this.model.inputs[0]?.shape?.[1] ?? 256;
    let largest = 0;
    // Scores [1, n, 1] pair with regressors [1, n, 16] of the same n: centre x, y, width, height, keypoints.
    for (const scores of outputs.filter((t) => t.shape[2] === 1)) {
      const boxes = outputs.find((t) => t.shape[1] === scores.shape[1] && t.shape[2] !== 1);
      if (!boxes) throw new Error('Expected box outputs next to the detector scores');
      const [s, b] = await Promise.all([scores.data(), boxes.data()]);
      const stride = boxes.shape[2]!;
      for (let i = 0; i < s.length; i++) {
        if (s[i]! <= logit) continue;
        const w = (b[i * stride + 2]! * analysed.width) / side;
        const h = (b[i * stride + 3]! * analysed.height) / side;
        largest = Math.max(largest, Math.abs(w) * scale, Math.abs(h) * scale);
      }
    }
    return largest;
  }

  /** Frees the kept outputs. */
  forget(): void {
    if (this.last) tf.dispose(this.last.outputs);
    this.last = null;
  }
}

/**
 * An RGB decode as a float32 [height, width, 3] tensor, as Human's pipeline wants it (an int32
 * one is cast by it, a second copy). Written straight into the WASM heap: a float copy on the
 * JavaScript side would take 13 MB more per thread at 1200 px.
 */
export function pixelTensor(image: DecodedImage): Tensor3D {
  return heapTensor(image.data, [image.height, image.width, 3]) as Tensor3D;
}
