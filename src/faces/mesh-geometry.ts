/**
 * The face mesh's geometry as Human computes it (facemeshutil.ts and angles.ts): the head tilt a
 * detector box is straightened by, the mesh model's points (in its square input) carried back to
 * the image, the face box they give, and the head's turn from four of them. Plain arithmetic in
 * the same order as Human's, so the points, truncated to whole pixels there, come out the same.
 */
import type { MeshPoint } from './measures.js';

/** A face box in image pixels, corners not clamped to the image. */
export interface FaceBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** A detector box (square, image pixels) with its keypoints, two of which give its tilt. */
export interface TiltedBox extends FaceBox {
  /** The detector's 6 keypoints, same pixels (eyes, nose, mouth, ears). */
  readonly landmarks: readonly (readonly [number, number])[];
}

type Row = readonly [number, number, number];
type Matrix = readonly [Row, Row, Row];

/** The keypoints Human takes the head's tilt from (blazeFaceLandmarks.symmetryLine). */
const SYMMETRY: readonly [number, number] = [3, 2];
/** Below this tilt (radians) Human crops without rotating. */
const LARGE_TILT = 0.2;

/** The box's head tilt in radians, in -π..π. */
export function boxTilt(box: TiltedBox): number {
  const [a, b] = [box.landmarks[SYMMETRY[0]]!, box.landmarks[SYMMETRY[1]]!];
  const raw = Math.PI / 2 - Math.atan2(-(b[1] - a[1]), b[0] - a[0]);
  return raw - 2 * Math.PI * Math.floor((raw + Math.PI) / (2 * Math.PI));
}

/** Whether a tilt is large enough for Human to straighten the crop. */
export function straightens(angle: number): boolean {
  return angle !== 0 && Math.abs(angle) > LARGE_TILT;
}

const dot = (a: readonly number[], b: readonly number[]): number => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
};
const column = (m: Matrix, c: 0 | 1 | 2): Row => [m[0][c], m[1][c], m[2][c]];
const multiply = (a: Matrix, b: Matrix): Matrix =>
  a.map((row) => [dot(row, column(b, 0)), dot(row, column(b, 1)), dot(row, column(b, 2))] as const) as unknown as Matrix;
const translation = (x: number, y: number): Matrix => [
  [1, 0, x],
  [0, 1, y],
  [0, 0, 1],
];
const IDENTITY: Matrix = translation(0, 0);

/** Rotation by `angle` about (cx, cy), in homogeneous coordinates. */
function rotationAbout(angle: number, cx: number, cy: number): Matrix {
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const rotation: Matrix = [
    [cos, -sin, 0],
    [sin, cos, 0],
    [0, 0, 1],
  ];
  return multiply(multiply(translation(cx, cy), rotation), translation(-cx, -cy));
}

/** The inverse of a rotation-and-translation matrix. */
function invertRigid(m: Matrix): Matrix {
  const r0 = [m[0][0], m[1][0]];
  const r1 = [m[0][1], m[1][1]];
  const t = [m[0][2], m[1][2]];
  return [
    [r0[0]!, r0[1]!, -dot(r0, t)],
    [r1[0]!, r1[1]!, -dot(r1, t)],
    [0, 0, 1],
  ];
}

/**
 * The mesh model's points (pixels of its `side` px input, cut from `box` and straightened by
 * `angle`) in image pixels, truncated as Human truncates them.
 */
export function toImagePoints(raw: readonly MeshPoint[], box: TiltedBox, angle: number, side: number): [number, number, number][] {
  const [bw, bh] = [Math.abs(box.x2 - box.x1), Math.abs(box.y2 - box.y1)];
  const large = straightens(angle);
  const turn = large ? rotationAbout(angle, 0, 0) : IDENTITY;
  const inverse = large ? invertRigid(rotationAbout(-angle, ...centre(box))) : IDENTITY;
  const middle = [...centre(box), 1];
  const [ox, oy] = [dot(middle, inverse[0]), dot(middle, inverse[1])];
  return raw.map(([x, y, z = 0]) => {
    const scaled = [(bw / side) * (x - side / 2), (bh / side) * (y - side / 2), z];
    const [rx, ry] = large ? [dot(scaled, turn[0]), dot(scaled, turn[1])] : scaled;
    return [Math.trunc(rx! + ox), Math.trunc(ry! + oy), Math.trunc(z)];
  });
}

/** The box's centre, as Human computes it (the crop rotates about it, the points come back about it). */
export function centre(box: FaceBox): [number, number] {
  return [box.x1 + (box.x2 - box.x1) / 2, box.y1 + (box.y2 - box.y1) / 2];
}

/** The box Human reports for a face: the detector box's size, centred on the mesh's extent. */
export function faceBox(mesh: readonly MeshPoint[], detected: FaceBox): FaceBox {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of mesh) {
    x0 = Math.min(x0, x);
    y0 = Math.min(y0, y);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  const [cx, cy] = [x0 + (x1 - x0) / 2, y0 + (y1 - y0) / 2];
  const [w, h] = [Math.abs(detected.x2 - detected.x1), Math.abs(detected.y2 - detected.y1)];
  return { x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 };
}

/** The box clamped to the image, in whole pixels: [x, y, width, height]. */
export function clampedBox(box: FaceBox, image: { width: number; height: number }): [number, number, number, number] {
  const [x, y] = [Math.max(0, box.x1), Math.max(0, box.y1)];
  return [Math.trunc(x), Math.trunc(y), Math.trunc(Math.min(image.width, box.x2) - x), Math.trunc(Math.min(image.height, box.y2) - y)];
}

export interface HeadAngles {
  readonly yaw: number;
  readonly pitch: number;
  readonly roll: number;
}

type Vector = [number, number, number];
const normalize = (v: Vector): Vector => {
  const length = Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
  return [v[0] / length, v[1] / length, v[2] / length];
};
const minus = (a: Vector, b: Vector): Vector => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const cross = (a: Vector, b: Vector): Vector => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

/**
 * The head's turn (radians) from the mesh's top, chin and cheek points (10, 152, 234, 454), made
 * proportional by the face box's size, as Human's calculateFaceAngle does (depth in the mesh
 * model's input pixels, `side`).
 */
export function headAngles(mesh: readonly MeshPoint[], box: FaceBox, image: { width: number; height: number }, side: number): HeadAngles {
  const { width, height } = image;
  const size = Math.max(((box.x2 - box.x1) / width) * width, ((box.y2 - box.y1) / height) * height) / 1.5;
  const [top, chin, right, left] = [10, 152, 234, 454].map((i): Vector => {
    const [x, y, z = 0] = mesh[i]!;
    return [((x / width) * width) / size, ((y / height) * height) / size, z / side];
  }) as [Vector, Vector, Vector, Vector];
  const yAxis = normalize(minus(chin, top));
  const zAxis = normalize(cross(normalize(minus(left, right)), yAxis));
  const xAxis = cross(yAxis, zAxis);
  // Euler angles of the rotation whose rows are the axes (YZX order).
  const [r00, r10, r11, r12, r20, r21, r22] = [xAxis[0], yAxis[0], yAxis[1], yAxis[2], zAxis[0], zAxis[1], zAxis[2]];
  let [thetaX, thetaY, thetaZ] = [0, 0, 0];
  // Written as Human's tests are, so a NaN takes the same branch.
  if (!(r10 < 1)) [thetaZ, thetaY] = [Math.PI / 2, Math.atan2(r21, r22)];
  else if (!(r10 > -1)) [thetaZ, thetaY] = [-Math.PI / 2, -Math.atan2(r21, r22)];
  else [thetaZ, thetaY, thetaX] = [Math.atan2(r10, Math.sqrt(r00 * r00 + r20 * r20)), Math.atan2(-r20, r00), Math.atan2(-r12, r11)];
  const real = (v: number): number => (Number.isNaN(v) ? 0 : -v);
  return { yaw: real(thetaY), pitch: real(thetaX), roll: real(thetaZ) };
}
