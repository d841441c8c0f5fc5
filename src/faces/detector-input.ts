/**
 * The face detector's input and answer without TF.js: BlazeFace sees the photo squashed to its
 * square and scaled to -1..1, as Human prepares it, and answers per anchor a score (a logit) and a
 * box. Made here in plain JavaScript so the first pass over a photo needs no TF.js at all: a
 * thread that only meets photos without faces never loads it.
 */
import type { DecodedImage } from '../media/contract.js';

/** One raw model output: values and dims. */
export interface RawOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * `image` resized to side × side by TF.js's bilinear rule (tf.image.resizeBilinear without
 * aligned corners or half-pixel centres: source = destination × in / out, clamped at the far
 * edge) and scaled to -1..1, as a [1, side, side, 3] float array.
 */
export function detectorInput(image: DecodedImage, side: number): Float32Array {
  const { data, width, height } = image;
  const out = new Float32Array(side * side * 3);
  const sy = height / side;
  const sx = width / side;
  for (let y = 0; y < side; y++) {
    const fy = y * sy;
    const top = Math.floor(fy);
    const bottom = Math.min(top + 1, height - 1);
    const dy = fy - top;
    for (let x = 0; x < side; x++) {
      const fx = x * sx;
      const left = Math.floor(fx);
      const right = Math.min(left + 1, width - 1);
      const dx = fx - left;
      for (let c = 0; c < 3; c++) {
        const tl = data[(top * width + left) * 3 + c]!;
        const tr = data[(top * width + right) * 3 + c]!;
        const bl = data[(bottom * width + left) * 3 + c]!;
        const br = data[(bottom * width + right) * 3 + c]!;
        const upper = tl + (tr - tl) * dx;
        const lower = bl + (br - bl) * dx;
        out[(y * side + x) * 3 + c] = (upper + (lower - upper) * dy) / 127.5 - 1;
      }
    }
  }
  return out;
}

/** The best anchor's score (a probability) over the detector's score outputs ([1, anchors, 1]). */
export function bestScore(outputs: readonly RawOutput[]): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const o of outputs) {
    if (o.dims[2] !== 1) continue;
    for (const v of o.data) if (v > best) best = v;
  }
  return 1 / (1 + Math.exp(-best));
}

/**
 * Side, in pixels of an image `width` × `height`, of the largest square box Human can make of
 * these outputs: over every anchor scoring above `minConfidence` (a superset of what its NMS
 * keeps), the box enlarged by `scale` and squared as Human does (blazeface.ts getBoxes).
 */
export function largestBox(
  outputs: readonly RawOutput[],
  size: { readonly width: number; readonly height: number },
  side: number,
  detector: { readonly minConfidence: number; readonly scale: number },
): number {
  const logit = Math.log(detector.minConfidence / (1 - detector.minConfidence));
  let largest = 0;
  // Scores [1, n, 1] pair with regressors [1, n, 16] of the same n: centre x, y, width, height, keypoints.
  for (const scores of outputs.filter((o) => o.dims[2] === 1)) {
    const boxes = outputs.find((o) => o.dims[1] === scores.dims[1] && o.dims[2] !== 1);
    if (!boxes) throw new Error('Expected box outputs next to the detector scores');
    const stride = boxes.dims[2]!;
    for (let i = 0; i < scores.data.length; i++) {
      if (scores.data[i]! <= logit) continue;
      const w = (boxes.data[i * stride + 2]! * size.width) / side;
      const h = (boxes.data[i * stride + 3]! * size.height) / side;
      largest = Math.max(largest, Math.abs(w) * detector.scale, Math.abs(h) * detector.scale);
    }
  }
  return largest;
}
