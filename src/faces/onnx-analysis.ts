/**
 * The full face analysis on onnxruntime without TF.js: Human's face pipeline (its facemesh.ts,
 * iris.ts, emotion and faceres steps) made in plain JavaScript around the same converted models.
 * Per detector box: the straightened crop the mesh model sees (mesh-check.ts), its 468 points
 * refined by the iris model, carried back to the image; then, for a face that is kept, the
 * expression model (for "happy") and the identity descriptor on the same crop. A face thread
 * then holds no TF.js, no Human and no WebAssembly heap: 70–90 MB less, and the steps TF.js's
 * kernels made are cheaper here. Every face comes out as Human's pipeline gives it on the same
 * models, to the last bit (test/integration/onnx-analysis.test.ts).
 */
import type { FaceRecord } from '../core/faces.js';
import type { DecodedImage } from '../media/contract.js';
import { resizeBilinear, type FloatImage } from './crops.js';
import { type FoundFace, faceRecord, keepsFace } from './face-record.js';
import type { FirstPass } from './first-pass.js';
import { DETECTOR, KEEP } from './human-files.js';
import { withIrises } from './iris.js';
import type { MeshPoint } from './measures.js';
import { type DetectorBox, detectorBoxes, meshInput } from './mesh-check.js';
import { boxTilt, clampedBox, faceBox, headAngles, toImagePoints } from './mesh-geometry.js';
import type { ModelSessions, OnnxModel } from './onnx/runtime.js';

/** The expression model's classes, in its output's order. */
const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
const HAPPY = EXPRESSIONS.indexOf('happy');
/** Human's grey conversion for the expression model (float32 weights of R, G, B). */
const GREY = [0.2989, 0.587, 0.114].map(Math.fround) as [number, number, number];
const f = Math.fround;

/** What the full analysis of one photo is given and gives back (the backend's contract for it). */
export interface FullAnalysis {
  /** Every face kept on `image`, measured; the detector's answer is the first pass's. */
  analyze(image: DecodedImage, first: FirstPass, descriptors: boolean): Promise<FaceRecord[]>;
  /** The models loaded so far, by name. */
  loadedModels(): readonly string[];
  close(): Promise<void>;
}

interface Models {
  readonly mesh: OnnxModel;
  readonly iris: OnnxModel;
  readonly emotion: OnnxModel | null;
  readonly faceres: OnnxModel | null;
}

/** A face as the pipeline finds it: what the catalog's record is made of, and the head's roll. */
export interface PipelineFace extends FoundFace {
  readonly roll: number;
}

export interface FindOptions {
  readonly descriptors: boolean;
  /** Run the expression model ("happy" is 0 without it). */
  readonly expressions: boolean;
  /** Which faces the mesh model kept are measured further and returned (at least KEEP.meshScore). */
  readonly keep: (face: Pick<FoundFace, 'mesh' | 'faceScore' | 'box'>) => boolean;
}

export class OnnxAnalysis implements FullAnalysis {
  constructor(
    /** The thread's sessions, shared with the first pass (whose owner closes them). */
    private readonly sessions: ModelSessions,
  ) {}

  async analyze(image: DecodedImage, first: FirstPass, descriptors: boolean): Promise<FaceRecord[]> {
    const faces = await this.find(image, first, { descriptors, expressions: true, keep: keepsFace });
    return faces.map((f) => faceRecord(f, image));
  }

  /** Every face `options.keep` keeps on `image`, the detector's answer the first pass's. */
  async find(image: DecodedImage, first: FirstPass, options: FindOptions): Promise<PipelineFace[]> {
    const [mesh, iris] = await Promise.all([this.sessions.get('facemesh'), this.sessions.get('iris')]);
    const models: Models = {
      mesh,
      iris,
      emotion: options.expressions ? await this.sessions.get('emotion') : null,
      faceres: options.descriptors ? await this.sessions.get('faceres') : null,
    };
    const faces: PipelineFace[] = [];
    for (const box of detectorBoxes(first.outputs(image), image, first.side, DETECTOR)) {
      const face = this.face(image, box, models, options.keep);
      if (face !== null) faces.push(face);
    }
    return faces;
  }

  /** The face in `box`, measured; null when the mesh model or `keep` rules it out. */
  private face(image: DecodedImage, box: DetectorBox, models: Models, keep: FindOptions['keep']): PipelineFace | null {
    const side = models.mesh.inputSide;
    const crop: FloatImage = { data: meshInput(image, box, side), width: side, height: side, channels: 3 };
    const outputs = models.mesh.run(crop.data, [1, side, side, 3]);
    const score = outputs.find((o) => o.data.length === 1)?.data[0];
    const coords = outputs.find((o) => o.data.length === 468 * 3)?.data;
    if (score === undefined || coords === undefined) throw new Error('Expected the mesh model’s score and 468 points');
    const faceScore = Math.round(100 * score) / 100;
    // Below this the mesh model doubts it is a face at all: no caller keeps such a face.
    if (faceScore < KEEP.meshScore) return null;
    const raw: MeshPoint[] = Array.from({ length: 468 }, (_, i) => [coords[i * 3]!, coords[i * 3 + 1]!, coords[i * 3 + 2]!]);
    const irisSide = models.iris.inputSide;
    const refined = withIrises(raw, crop, irisSide, (crops, count) => models.iris.run(crops, [count, irisSide, irisSide, 3])[0]!.data);
    const mesh = toImagePoints(refined, box, boxTilt(box), side);
    const around = faceBox(mesh, box);
    const clamped = clampedBox(around, image);
    if (!keep({ mesh, faceScore, box: clamped })) return null;
    return {
      mesh,
      box: clamped,
      boxScore: Math.round(100 * box.score) / 100,
      faceScore,
      happy: models.emotion === null ? 0 : happiness(models.emotion, crop),
      ...headAngles(mesh, around, image, side),
      descriptor: models.faceres === null ? [] : descriptor(models.faceres, crop),
    };
  }

  loadedModels(): readonly string[] {
    return this.sessions.loadedNames();
  }

  async close(): Promise<void> {}
}

/** The expression model's "happy" score on the face crop (grey, 64 px, -1..1), as Human rounds it. */
function happiness(model: OnnxModel, crop: FloatImage): number {
  const side = model.inputSide;
  const small = resizeBilinear(crop, side, side);
  const grey = new Float32Array(side * side);
  for (let i = 0; i < grey.length; i++) {
    const sum = f(f(f(small[i * 3]! * GREY[0]) + f(small[i * 3 + 1]! * GREY[1])) + f(small[i * 3 + 2]! * GREY[2]));
    grey[i] = f(f(sum - 0.5) * 2);
  }
  const [scores] = model.run(grey, [1, side, side, 1]);
  const happy = scores?.data[HAPPY] ?? 0;
  return happy > 0 ? Math.min(0.99, Math.trunc(100 * happy) / 100) : 0;
}

/** The identity model's 1024 values on the face crop (resized to its input, 0..255). */
function descriptor(model: OnnxModel, crop: FloatImage): Float32Array {
  const side = model.inputSide;
  const input = resizeBilinear(crop, side, side);
  for (let i = 0; i < input.length; i++) input[i] = f(input[i]! * 255);
  const values = model.run(input, [1, side, side, 3]).find((o) => o.data.length === 1024)?.data;
  if (values === undefined) throw new Error('Expected the identity model’s 1024 values');
  return values;
}
