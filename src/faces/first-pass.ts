/**
 * The face detector's answer for one photo, computed once. BlazeFace sees a 256 px square
 * whatever it is given, so its outputs for the first pass's small copy serve the full analysis
 * of the same photo too (Human's own call of the detector is answered with them; see human.ts).
 * Runs on onnxruntime without TF.js, or on TF.js where onnxruntime does not load.
 */
import type { DecodedImage } from '../media/contract.js';
import type { FirstPass as FirstPassAnswer } from './backend.js';
import { bestScore, detectorInput, largestBox, type RawOutput } from './detector-input.js';
import { DETECTOR, FIRST_LOOK } from './human-files.js';

/** A detector box as the mesh model judged it: its face score and the smaller side of its box, in pixels. */
export interface JudgedBox {
  readonly score: number;
  readonly side: number;
}

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
   * The first pass's answer for `image` (FaceBackend.anyFace): the detector alone, and the
   * mesh model's `judge`ment of each box for the scores in between.
   */
  async answer(image: DecodedImage, judge: (image: DecodedImage) => Promise<readonly JudgedBox[]>): Promise<FirstPassAnswer> {
    const best = this.best(image);
    if (best <= DETECTOR.minConfidence) return 'none';
    // Faces score 0.78–0.94 here, the landscapes it mistakes 0.35–0.66: a sure hit needs no check.
    if (best >= FIRST_LOOK.sure) return 'face';
    // The detector alone takes some landscapes (boats, a fig, a lake) for faces at 0.35–0.66; the
    // mesh model on the same small copy scores them 0–0.02 where a face of 64 px or more scores
    // ~1. Smaller boxes are upscaled too far to be judged here (real faces of 23–47 px scored
    // 0–0.26): the face-size decode settles them (no-face-check.ts, face-worker.ts).
    const boxes = await judge(image);
    if (boxes.some((b) => b.score > FIRST_LOOK.meshFace)) return 'face';
    return boxes.some((b) => b.side < FIRST_LOOK.judgedSide) ? 'unsure' : 'none';
  }

  /**
   * Half the side, in `image`'s pixels, of the square about a face's centre that head-tilt
   * rotations can read: the largest box the detector's answer for `image` can yield, plus a
   * margin for bilinear sampling.
   */
  rotationHalfSide(image: DecodedImage): number {
    return largestBox(this.outputs(image), image, this.side, DETECTOR) / 2 + WINDOW_MARGIN;
  }

  forget(): void {
    this.last = null;
  }
}
