/**
 * The iris model's refinement of the mesh, as Human's iris.ts does it: each eye is cut from the
 * mesh model's input around its corners, mirrored, and given to the iris model, whose finer eye
 * contours replace the mesh's and whose 5 iris points per eye are appended (points 468–477).
 * Human mirrors both crops but maps only the left eye's points back mirrored; that is kept, as
 * every measure downstream was calibrated on it.
 */
import { cropAndResize, type FloatImage } from './crops.js';
import type { MeshPoint } from './measures.js';
import {
  EYE_CONTOURS,
  type EyeContour,
  type EyeTopology,
  IRIS_MODEL_CONTOURS,
  IRIS_MODEL_IRIS,
  IRIS_MODEL_POINTS,
  LEFT_EYE_MESH,
  RIGHT_EYE_MESH,
} from './mesh-topology.js';

/** Runs the iris model on a batch of eye crops ([n, side, side, 3]); its points, n × 76 × 3. */
export type IrisRun = (crops: Float32Array, count: number) => Float32Array;

type Point = [number, number, number];

/** How much larger than the corner-to-corner span the eye crop is (Human's iris.scale). */
const EYE_SCALE = 2.3;
/** A depth difference between the eyes' outer corners past which the head is turned. */
const TURNED = 30;

interface EyeBox {
  readonly x1: number;
  readonly y1: number;
  readonly width: number;
  readonly height: number;
}

/** The square crop box about an eye's two corners, enlarged, in whole pixels of the mesh input. */
function eyeBox(a: MeshPoint, b: MeshPoint): EyeBox {
  const [sx, sy, ex, ey] = [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[0], b[0]), Math.max(a[1], b[1])];
  const [cx, cy] = [sx + (ex - sx) / 2, sy + (ey - sy) / 2];
  const [hx, hy] = [(EYE_SCALE * Math.abs(ex - sx)) / 2, (EYE_SCALE * Math.abs(ey - sy)) / 2];
  // Enlarged, then squared on its longer side about its centre.
  const [qx1, qy1, qx2, qy2] = [cx - hx, cy - hy, cx + hx, cy + hy];
  const [qcx, qcy] = [qx1 + (qx2 - qx1) / 2, qy1 + (qy2 - qy1) / 2];
  const half = Math.max(Math.abs(qx2 - qx1), Math.abs(qy2 - qy1)) / 2;
  const [x1, y1, x2, y2] = [Math.round(qcx - half), Math.round(qcy - half), Math.round(qcx + half), Math.round(qcy + half)];
  return { x1, y1, width: Math.abs(x2 - x1), height: Math.abs(y2 - y1) };
}

/** The iris model's 76 points for one eye, in mesh-input pixels. */
function eyePoints(data: Float32Array, offset: number, box: EyeBox, side: number, mirrored: boolean): Point[] {
  return Array.from({ length: IRIS_MODEL_POINTS }, (_, i) => {
    const [x, y, z] = [data[offset + i * 3]!, data[offset + i * 3 + 1]!, data[offset + i * 3 + 2]!];
    return [(mirrored ? 1 - x / side : x / side) * box.width + box.x1, (y / side) * box.height + box.y1, z];
  });
}

/** The eye's contours among `only` (all when null) replaced by the iris model's, depth averaged. */
function replaceContours(raw: Point[], eye: Point[], mesh: EyeTopology, only: readonly EyeContour[] | null): void {
  for (const contour of EYE_CONTOURS) {
    if (only !== null && !only.includes(contour)) continue;
    mesh[contour].forEach((index, j) => {
      const p = eye[IRIS_MODEL_CONTOURS[contour] + j]!;
      raw[index] = [p[0], p[1], (p[2] + raw[index]![2]) / 2];
    });
  }
}

/** The 5 iris points with depths taken from the lids about them (the model's own are unreliable). */
function irisPoints(raw: readonly Point[], eye: readonly Point[], mesh: EyeTopology): Point[] {
  const upper = raw[mesh.upper0[3]!]![2];
  const lower = raw[mesh.lower0[4]!]![2];
  const average = (upper + lower) / 2;
  return eye.slice(IRIS_MODEL_IRIS).map((p, i) => [p[0], p[1], i === 2 ? upper : i === 4 ? lower : average]);
}

/**
 * The mesh model's 468 points (pixels of its `side` px input `face`, 0..1 RGB) refined by the
 * iris model: 478 points.
 */
export function withIrises(mesh: readonly MeshPoint[], face: FloatImage, irisSide: number, run: IrisRun): Point[] {
  const raw: Point[] = mesh.map(([x, y, z = 0]) => [x, y, z]);
  const eyes = [LEFT_EYE_MESH, RIGHT_EYE_MESH].map((m) => {
    const bounds = [m.lower0[0]!, m.lower0[m.lower0.length - 1]!] as const;
    const box = eyeBox(raw[bounds[0]]!, raw[bounds[1]]!);
    const side = face.width;
    const crop = cropAndResize(
      face,
      [box.y1 / side, box.x1 / side, (box.y1 + box.height) / side, (box.x1 + box.width) / side],
      irisSide,
      true,
    );
    return { box, crop };
  });
  const crops = new Float32Array(eyes[0]!.crop.length * 2);
  crops.set(eyes[0]!.crop);
  crops.set(eyes[1]!.crop, eyes[0]!.crop.length);
  const out = run(crops, 2);
  const left = eyePoints(out, 0, eyes[0]!.box, irisSide, true);
  const right = eyePoints(out, IRIS_MODEL_POINTS * 3, eyes[1]!.box, irisSide, false);
  const depthDifference = raw[LEFT_EYE_MESH.lower0[0]!]![2] - raw[RIGHT_EYE_MESH.lower0[0]!]![2];
  if (Math.abs(depthDifference) < TURNED) {
    replaceContours(raw, left, LEFT_EYE_MESH, null);
    replaceContours(raw, right, RIGHT_EYE_MESH, null);
  } else if (depthDifference < 1) {
    // Turned away from one eye: its contours diverge too far from the mesh; only the lids nearest are updated.
    replaceContours(raw, left, LEFT_EYE_MESH, ['upper0', 'lower0']);
  } else {
    replaceContours(raw, right, RIGHT_EYE_MESH, ['upper0', 'lower0']);
  }
  return [...raw, ...irisPoints(raw, left, LEFT_EYE_MESH), ...irisPoints(raw, right, RIGHT_EYE_MESH)];
}
