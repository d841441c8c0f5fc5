/**
 * The first pass's check of a doubtful detection, without TF.js: the detector takes some
 * landscapes for faces at 0.3–0.7, and the face-mesh model, shown the same crop Human would show
 * it, scores them 0–0.02 where a face scores ~1. The boxes and crops are made here in plain
 * JavaScript as Human makes them (its blazeface.ts getBoxes and facemeshutil.ts: anchors, box
 * decoding, non-maximum suppression, enlarged square boxes, the head-tilt rotation about the box
 * centre, a bilinear crop), so a photo without faces never needs TF.js at all.
 */
import type { DecodedImage } from '../media/contract.js';
import { cropPositions, lerp } from './crops.js';
import type { RawOutput } from './detector-input.js';
import type { FirstPass, JudgedBox } from './first-pass.js';
import { DETECTOR } from './human-files.js';
import { boxTilt, centre, straightens, type TiltedBox } from './mesh-geometry.js';
import type { OnnxModel } from './onnx/runtime.js';

/** The mesh model's output scoring whether its input is a face (0..1). */
const MESH_SCORE_OUTPUT = 'output_faceflag';

/** The detector settings Human applies (human-files.ts DETECTOR). */
export interface DetectorSettings {
  readonly minConfidence: number;
  readonly scale: number;
  readonly iouThreshold: number;
  readonly maxDetected: number;
}

/** A face box as Human crops it: square, in the pixels of the image the detector was run for. */
export interface DetectorBox extends TiltedBox {
  /** The detector's score, 0..1. */
  readonly score: number;
}

/** Values per anchor row: score, box (4), 6 keypoints (12). */
const ROW = 17;

/** BlazeFace's anchor centres for a `side` px input: strides side/16 and side/8 with 2 and 6 anchors. */
function anchors(side: number): Float64Array {
  const specs = [
    [side / 16, 2],
    [side / 8, 6],
  ] as const;
  const out: number[] = [];
  for (const [stride, count] of specs) {
    const grid = Math.floor((side + stride - 1) / stride);
    for (let gy = 0; gy < grid; gy++)
      for (let gx = 0; gx < grid; gx++) for (let n = 0; n < count; n++) out.push(stride * (gx + 0.5), stride * (gy + 0.5));
  }
  return Float64Array.from(out);
}

/**
 * The detector's rows in Human's order: its four outputs sorted by size, each score joined to
 * its boxes, the 512-anchor set before the 384-anchor one.
 */
function rows(outputs: readonly RawOutput[]): Float32Array {
  const [s384, s512, b384, b512] = [...outputs].sort((a, b) => a.data.length - b.data.length);
  if (!s384 || !s512 || !b384 || !b512) throw new Error('Expected the detector’s four outputs');
  const out = new Float32Array((s512.data.length + s384.data.length) * ROW);
  let at = 0;
  for (const [scores, boxes] of [
    [s512, b512],
    [s384, b384],
  ] as const) {
    for (let i = 0; i < scores.data.length; i++, at++) {
      out[at * ROW] = scores.data[i]!;
      out.set(boxes.data.subarray(i * (ROW - 1), (i + 1) * (ROW - 1)), at * ROW + 1);
    }
  }
  return out;
}

function iou(a: readonly number[], b: readonly number[]): number {
  const area = (r: readonly number[]): number => (r[2]! - r[0]!) * (r[3]! - r[1]!);
  if (area(a) <= 0 || area(b) <= 0) return 0;
  const w = Math.max(Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!), 0);
  const h = Math.max(Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!), 0);
  return (w * h) / (area(a) + area(b) - w * h);
}

/** Human's face boxes for `image` from the detector's raw outputs for it (a `side` px square input). */
export function detectorBoxes(
  outputs: readonly RawOutput[],
  image: { width: number; height: number },
  side: number,
  settings: DetectorSettings,
): DetectorBox[] {
  const table = rows(outputs);
  const centres = anchors(side);
  const count = table.length / ROW;
  const candidates: { score: number; index: number; box: number[] }[] = [];
  for (let i = 0; i < count; i++) {
    const score = 1 / (1 + Math.exp(-table[i * ROW]!));
    if (!(score > settings.minConfidence)) continue;
    const cx = table[i * ROW + 1]! + centres[i * 2]!;
    const cy = table[i * ROW + 2]! + centres[i * 2 + 1]!;
    const w = table[i * ROW + 3]!;
    const h = table[i * ROW + 4]!;
    candidates.push({ score, index: i, box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2] });
  }
  // Greedy non-maximum suppression, highest score first (ties: lower index first), as TF.js's.
  candidates.sort((a, b) => b.score - a.score || a.index - b.index);
  const kept: (typeof candidates)[number][] = [];
  for (const c of candidates) {
    if (kept.length >= settings.maxDetected) break;
    if (kept.every((k) => iou(k.box, c.box) < settings.iouThreshold)) kept.push(c);
  }
  const fx = image.width / side;
  const fy = image.height / side;
  return kept.map(({ index, box, score }) => {
    const landmarks = Array.from({ length: 6 }, (_, k) => {
      const at = index * ROW + 5 + k * 2;
      return [(table[at]! + centres[index * 2]!) * fx, (table[at + 1]! + centres[index * 2 + 1]!) * fy] as const;
    });
    // Scaled to the image, enlarged by `scale` about its centre, then squared on its longer side.
    const [x1, y1, x2, y2] = [box[0]! * fx, box[1]! * fy, box[2]! * fx, box[3]! * fy];
    const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
    const half = (Math.max(Math.abs(x2 - x1), Math.abs(y2 - y1)) * settings.scale) / 2;
    return {
      x1: Math.round(cx - half),
      y1: Math.round(cy - half),
      x2: Math.round(cx + half),
      y2: Math.round(cy + half),
      landmarks,
      score,
    };
  });
}

/** The box as Human reports it for a face the mesh rejected (clampBox): its smaller side in pixels. */
export function clampedSide(box: DetectorBox, image: { width: number; height: number }): number {
  const w = Math.trunc(Math.min(image.width, box.x2) - Math.max(0, box.x1));
  const h = Math.trunc(Math.min(image.height, box.y2) - Math.max(0, box.y1));
  return Math.min(w, h);
}

/**
 * The mesh model's input for `box`: the image rotated about the box centre to level the eyes
 * (nearest pixel, as TF.js's RotateWithOffset; only for tilts over 0.2 rad), then the box cut out
 * and resized to `size` square by TF.js's CropAndResize (bilinear, 0 outside), scaled to 0..1.
 */
export function meshInput(image: DecodedImage, box: DetectorBox, size: number): Float32Array {
  const { data, width, height } = image;
  const angle = boxTilt(box);
  const rotate = straightens(angle);
  const [cx, cy] = centre(box);
  const [sin, cos] = [Math.sin(angle), Math.cos(angle)];
  /** Offset in `data` of the rotated image's pixel at integer (x, y); -1 outside. */
  const at = (x: number, y: number): number => {
    let sx = x;
    let sy = y;
    if (rotate) {
      sx = Math.round((x - cx) * cos - (y - cy) * sin + cx);
      sy = Math.round((x - cx) * sin + (y - cy) * cos + cy);
    }
    return sx >= 0 && sx < width && sy >= 0 && sy < height ? (sy * width + sx) * 3 : -1;
  };
  const value = (offset: number, c: number): number => (offset < 0 ? 0 : data[offset + c]!);
  const out = new Float32Array(size * size * 3);
  // CropAndResize's box, normalized: [y1, x1, y2, x2] over the image's height and width.
  const ys = cropPositions(box.y1 / height, box.y2 / height, height, size);
  const xs = cropPositions(box.x1 / width, box.x2 / width, width, size);
  for (let y = 0; y < size; y++) {
    const inY = ys[y]!;
    if (inY < 0 || inY > height - 1) continue;
    const top = Math.floor(inY);
    const bottom = Math.ceil(inY);
    const dy = Math.fround(inY - top);
    for (let x = 0; x < size; x++) {
      const inX = xs[x]!;
      if (inX < 0 || inX > width - 1) continue;
      const left = Math.floor(inX);
      const right = Math.ceil(inX);
      const dx = Math.fround(inX - left);
      // The four neighbours are found once for the three channels.
      const tl = at(left, top);
      const tr = at(right, top);
      const bl = at(left, bottom);
      const br = at(right, bottom);
      for (let c = 0; c < 3; c++) {
        out[(y * size + x) * 3 + c] = lerp(value(tl, c), value(tr, c), value(bl, c), value(br, c), dx, dy) / 255;
      }
    }
  }
  return out;
}

/** Doubtful detections checked by the mesh model on onnxruntime, without TF.js. */
export class MeshCheck {
  constructor(
    private readonly first: FirstPass,
    private readonly load: () => Promise<OnnxModel>,
  ) {}

  /** Each detector box's mesh score on `image` (as Human rounds it) and the smaller side of its box. */
  async boxes(image: DecodedImage): Promise<JudgedBox[]> {
    const model = await this.load();
    const size = model.inputSide;
    return detectorBoxes(this.first.outputs(image), image, this.first.side, DETECTOR).map((box) => {
      const [flag] = model.run(meshInput(image, box, size), [1, size, size, 3], [MESH_SCORE_OUTPUT]);
      return { score: Math.round(100 * (flag?.data[0] ?? 0)) / 100, side: clampedSide(box, image) };
    });
  }
}
