/**
 * The face detector's answer for one photo, computed once. BlazeFace sees a 256 px square
 * whatever it is given, so its outputs for the first pass's small copy serve the full analysis
 * of the same photo too (Human's own call of the detector is answered with them; see human.ts).
 * Runs on onnxruntime without TF.js, or on TF.js where onnxruntime does not load.
 */
import type { DecodedImage } from '../media/contract.js';
import { bestScore, detectorInput, largestBox, type RawOutput } from './detector-input.js';
import { DETECTOR } from './human-files.js';

/** Runs the detector on its input ([1, side, side, 3], -1..1): its raw outputs in Human's order. */
export type DetectorRun = (input: Float32Array, dims: readonly number[]) => RawOutput[];

/** Pixels beyond a box that the crop's bilinear sampling may still read. */
const WINDOW_MARGIN = 3;

export class FirstPass {
  /** The last image the detector ran on and its outputs (kept until the next image). */
  private last: { readonly image: DecodedImage; readonly outputs: readonly RawOutput[] } | null = null;

  constructor(
    private readonly run: DetectorRun,
    /** The detector's input side (256 for Human's BlazeFace). */
    readonly side: number,
  ) {}

  /** The detector's raw outputs for `image`, prepared as Human prepares its input. */
  outputs(image: DecodedImage): readonly RawOutput[] {
    if (this.last?.image === image) return this.last.outputs;
    const outputs = this.run(detectorInput(image, this.side), [1, this.side, this.side, 3]);
    this.last = { image, outputs };
    return outputs;
  }

  /** The best anchor's score for `image`, which Human's NMS would keep if above its threshold. */
  best(image: DecodedImage): number {
    return bestScore(this.outputs(image));
  }

  /**
   * Half the side, in `analysed`'s pixels (a decode of the same photo as `image`), of the square
   * about a face's centre that head-tilt rotations can read: the largest box the detector's
   * answer for `image` can yield, plus a margin for bilinear sampling.
   */
  rotationHalfSide(image: DecodedImage, analysed: DecodedImage): number {
    return largestBox(this.outputs(image), analysed, this.side, DETECTOR) / 2 + WINDOW_MARGIN;
  }

  forget(): void {
    this.last = null;
  }
}
