/**
 * The masks of a whole-face swap, pure: the face swap falls back to it when the eye region alone
 * cannot blend (eye-blend.ts does the pixel work with these masks). The region is the inner face,
 * inside the face-mesh oval so that its edge stays on skin, never on hair or the background; the
 * mouth is part of it only when the donor's mouth matches the best frame's (same opening, same
 * width), since the best frame may have been chosen for its smile: otherwise the mask stops above
 * the upper lip and the lower face stays the best frame's own.
 */
import { applySimilarity, type EyeMasks, type Point, type Rect, type Similarity } from './eye-blend.js';

/** MediaPipe face-mesh indices of the face oval, in order around the face. */
export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
  234, 127, 162, 21, 54, 103, 67, 109,
] as const;

/** Mesh indices of the mouth: inner-lip corners, inner upper and lower lip, and the nose base and top of the upper lip. */
export const MOUTH = { left: 78, right: 308, upper: 13, lower: 14, noseBase: 2, lipTop: 0 } as const;

/** Mask shape in units of the oval (1 on the mesh oval): blend 1 to BLEND_IN, 0 at FADE; kept 1 to FADE, 0 at OUTER. */
const BLEND_IN = 0.7;
const FADE = 0.84;
const OUTER = 0.94;

/** Rays of the oval's radius table: fine enough that the boundary is smooth at 12 MP. */
const RAYS = 720;

/**
 * A star-shaped outline (the face oval seen from its centre) as its radius per direction, so a
 * pixel's distance in units of the outline is one atan2 and a table look-up.
 */
export interface Outline {
  readonly cx: number;
  readonly cy: number;
  /** Radius of the outline at angle 2πk/RAYS. */
  readonly radius: Float32Array;
}

/** The outline through `points` (in order around a shape that every ray from their centroid crosses once). */
export function outlineOf(points: readonly Point[]): Outline {
  const cx = points.reduce((s, p) => s + p[0], 0) / points.length;
  const cy = points.reduce((s, p) => s + p[1], 0) / points.length;
  const radius = new Float32Array(RAYS);
  for (let k = 0; k < RAYS; k++) {
    const angle = (2 * Math.PI * k) / RAYS;
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    let best = 0;
    // The ray's crossing with each edge; the farthest one, for a shape that bends back on itself a little.
    points.forEach((p, i) => {
      const q = points[(i + 1) % points.length]!;
      const [ex, ey] = [q[0] - p[0], q[1] - p[1]];
      const det = dx * -ey - dy * -ex;
      if (det === 0) return;
      const [px, py] = [p[0] - cx, p[1] - cy];
      const t = (px * -ey - py * -ex) / det;
      const u = (dx * py - dy * px) / det;
      if (t > 0 && u >= 0 && u <= 1) best = Math.max(best, t);
    });
    radius[k] = best;
  }
  return { cx, cy, radius };
}

/** Where (x, y) lies in units of the outline: below 1 inside, 1 on it. */
export function outlineDistance(o: Outline, x: number, y: number): number {
  const dx = x - o.cx;
  const dy = y - o.cy;
  const angle = Math.atan2(dy, dx);
  const k = ((((angle / (2 * Math.PI)) * RAYS) % RAYS) + RAYS) % RAYS;
  const k0 = Math.floor(k);
  const f = k - k0;
  const r = o.radius[k0 % RAYS]! * (1 - f) + o.radius[(k0 + 1) % RAYS]! * f;
  return r > 0 ? Math.hypot(dx, dy) / r : Infinity;
}

/** The pixels the face swap can touch (the kept edge), with a margin for the pyramid, clipped to the frame. */
export function faceRect(o: Outline, width: number, height: number): Rect {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  o.radius.forEach((r, k) => {
    const angle = (2 * Math.PI * k) / RAYS;
    x0 = Math.min(x0, o.cx + OUTER * r * Math.cos(angle));
    x1 = Math.max(x1, o.cx + OUTER * r * Math.cos(angle));
    y0 = Math.min(y0, o.cy + OUTER * r * Math.sin(angle));
    y1 = Math.max(y1, o.cy + OUTER * r * Math.sin(angle));
  });
  const x = Math.max(0, Math.floor(x0) - 4);
  const y = Math.max(0, Math.floor(y0) - 4);
  return { x, y, width: Math.min(width, Math.ceil(x1) + 4) - x, height: Math.min(height, Math.ceil(y1) + 4) - y };
}

/** A line across the face above which the mask may reach: the fade from `from` (1) to `to` (0), both points on the face. */
export interface Cut {
  readonly from: Point;
  readonly to: Point;
}

const smooth = (t: number): number => (t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t));

/**
 * The blend and kept masks of a whole-face swap over `rect`: the inner face by the oval, cut above
 * the mouth when `cut` is given (the blend fades one cut-length before the kept mask does, as it
 * fades before the kept mask at the oval).
 */
export function faceMasks(o: Outline, rect: Rect, cut: Cut | null): EyeMasks {
  const blend = new Float32Array(rect.width * rect.height);
  const keep = new Float32Array(rect.width * rect.height);
  const axis = cut === null ? null : { x: cut.to[0] - cut.from[0], y: cut.to[1] - cut.from[1] };
  const length2 = axis === null ? 1 : axis.x * axis.x + axis.y * axis.y;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      const px = rect.x + x + 0.5;
      const py = rect.y + y + 0.5;
      const d = outlineDistance(o, px, py);
      let b = 1 - smooth((d - BLEND_IN) / (FADE - BLEND_IN));
      let k = 1 - smooth((d - FADE) / (OUTER - FADE));
      if (cut !== null && axis !== null) {
        // Along the nose-to-lip direction: 0 at the nose base, 1 at the top of the upper lip.
        const t = ((px - cut.from[0]) * axis.x + (py - cut.from[1]) * axis.y) / length2;
        b *= 1 - smooth(t + 1);
        k *= 1 - smooth(t);
      }
      blend[y * rect.width + x] = b;
      keep[y * rect.width + x] = k;
    }
  }
  return { blend, keep };
}

/** Largest difference of mouth opening (gap over width) with which the mouths still match. */
const MOUTH_OPENING_MATCH = 0.05;
/** Largest relative difference of mouth width (after alignment) with which the mouths still match. */
const MOUTH_WIDTH_MATCH = 0.08;

/**
 * Whether the donor's mouth can replace the best frame's: the same opening and width once the
 * donor is aligned (`toDonor` maps best-frame points to donor points). `mesh` reads a mesh point.
 */
export function mouthsMatch(best: (i: number) => Point, donor: (i: number) => Point, toDonor: Similarity): boolean {
  const dist = (a: Point, b: Point): number => Math.hypot(a[0] - b[0], a[1] - b[1]);
  const shape = (at: (i: number) => Point): { width: number; opening: number } => {
    const width = dist(at(MOUTH.left), at(MOUTH.right));
    return { width, opening: width > 0 ? dist(at(MOUTH.upper), at(MOUTH.lower)) / width : 0 };
  };
  const a = shape(best);
  const b = shape(donor);
  const scale = Math.hypot(toDonor.a, toDonor.b);
  const widthInBest = b.width / scale;
  return Math.abs(a.opening - b.opening) <= MOUTH_OPENING_MATCH && Math.abs(widthInBest / a.width - 1) <= MOUTH_WIDTH_MATCH;
}

/** Whether a region's edge (`points`, best-frame pixels) stays on the face: inside the mesh's face oval. */
export function insideFace(o: Outline, points: readonly Point[]): boolean {
  return points.every(([x, y]) => outlineDistance(o, x, y) <= 1);
}

/** Root-mean-square distance between `from` mapped by `t` and `to`, in pixels of `to`: how well a similarity explains the move. */
export function fitResidual(t: Similarity, from: readonly Point[], to: readonly Point[]): number {
  let sum = 0;
  from.forEach((p, i) => {
    const [x, y] = applySimilarity(t, p);
    sum += (x - to[i]![0]) ** 2 + (y - to[i]![1]) ** 2;
  });
  return Math.sqrt(sum / Math.max(1, from.length));
}
