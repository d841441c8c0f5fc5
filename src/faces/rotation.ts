/**
 * The head-tilt correction's image rotation, done in closed form. Human straightens a tilted
 * face by rotating the whole decode about the face's centre (TF.js's RotateWithOffset) before
 * cutting the face out; the WASM backend's kernel for it took more time than every landmark
 * model together on a 1600 px group photo. This is the same nearest-neighbour rotation, the
 * source position stepped along each row by two additions instead of recomputed per channel,
 * written straight into the WASM heap. Registered in place of the backend's own kernel.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';
import type { HeapPixels as Pixels, WasmHeapBackend } from './wasm-heap.js';

export interface Rotation {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly radians: number;
  /** Rotation centre in pixels. */
  readonly centerX: number;
  readonly centerY: number;
  /** Value per channel for output pixels whose source lies outside the image. */
  readonly fill: readonly number[];
  /**
   * Half the side of the square about the centre that is computed (see rotationWindow), rounded
   * outwards to whole pixels; every output pixel outside it takes `fill`. Absent: the whole image.
   */
  readonly window?: number;
}

/**
 * Output pixel (x, y) takes the input pixel at the rounded position of (x, y) rotated by
 * `radians` about the centre (TF.js's definition), or `fill` when that falls outside the image.
 */
export function rotateNearest(input: Pixels, output: Pixels, r: Rotation): void {
  const { height, width, channels } = r;
  const sin = Math.sin(r.radians);
  const cos = Math.cos(r.radians);
  const plane = height * width * channels;
  const half = r.window ?? Infinity;
  const [x0, x1] = [Math.max(0, Math.floor(r.centerX - half)), Math.min(width, Math.ceil(r.centerX + half) + 1)];
  const [y0, y1] = [Math.max(0, Math.floor(r.centerY - half)), Math.min(height, Math.ceil(r.centerY + half) + 1)];
  if (x0 > 0 || y0 > 0 || x1 < width || y1 < height) fillOutside(output, r, [x0, x1, y0, y1]);
  for (let b = 0; b < r.batch; b++) {
    const base = b * plane;
    for (let y = y0; y < y1; y++) {
      // Source position of the row's first pixel; each step right adds (cos, sin).
      let sx = (x0 - r.centerX) * cos - (y - r.centerY) * sin + r.centerX;
      let sy = (x0 - r.centerX) * sin + (y - r.centerY) * cos + r.centerY;
      let out = base + (y * width + x0) * channels;
      for (let x = x0; x < x1; x++, sx += cos, sy += sin, out += channels) {
        const cx = Math.round(sx);
        const cy = Math.round(sy);
        if (cx >= 0 && cx < width && cy >= 0 && cy < height) {
          const from = base + (cy * width + cx) * channels;
          for (let c = 0; c < channels; c++) output[out + c] = input[from + c]!;
        } else {
          for (let c = 0; c < channels; c++) output[out + c] = r.fill[c] ?? 0;
        }
      }
    }
  }
}

/** Writes `fill` into every pixel outside the window's columns [x0, x1) and rows [y0, y1). */
function fillOutside(output: Pixels, r: Rotation, [x0, x1, y0, y1]: readonly number[]): void {
  const { width, channels } = r;
  const rowLength = width * channels;
  const [first = 0] = r.fill;
  // One value for every channel (Human fills with 0): whole runs are filled at once.
  const uniform = r.fill.slice(0, channels).every((v) => v === first);
  const paint = (from: number, to: number): void => {
    if (uniform) output.fill(first, from, to);
    else for (let at = from; at < to; at += channels) for (let c = 0; c < channels; c++) output[at + c] = r.fill[c] ?? 0;
  };
  for (let b = 0; b < r.batch; b++) {
    const base = b * r.height * rowLength;
    paint(base, base + y0! * rowLength);
    for (let y = y0!; y < y1!; y++) {
      const at = base + y * rowLength;
      paint(at, at + x0! * channels);
      paint(at + x1! * channels, at + rowLength);
    }
    paint(base + y1! * rowLength, base + r.height * rowLength);
  }
}

let window: number | null = null;

/**
 * Runs `work` with rotations computed only within `half` pixels of their centre. Human rotates
 * the whole decode about a face's centre and then cuts out just that face's square box, so the
 * rest of the rotated image is never read: with the largest box of the photo known beforehand,
 * each face costs its box instead of the whole image (12 ms a face on a 1200 px decode).
 */
export async function rotationWindow<T>(half: number, work: () => Promise<T>): Promise<T> {
  window = half;
  try {
    return await work();
  } finally {
    window = null;
  }
}

/** Replaces the WASM backend's RotateWithOffset kernel with rotateNearest; once per thread. */
export function useClosedFormRotation(): void {
  const name = 'RotateWithOffset';
  if (!tf.getKernel(name, 'wasm') || closedFormInstalled) return;
  tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const image = inputs.image as TensorInfo;
      const { radians, fillValue, center } = attrs as unknown as {
        radians: number;
        fillValue: number | readonly number[];
        center: number | readonly [number, number];
      };
      const wasm = backend as unknown as WasmHeapBackend;
      const [batch = 1, height = 0, width = 0, channels = 1] = image.shape;
      const out = wasm.makeOutput([...image.shape], image.dtype);
      // Both views after makeOutput: growing the heap for the output detaches older views.
      const input = wasm.typedArrayFromHeap(image);
      const output = wasm.typedArrayFromHeap(out);
      const [cx, cy] = typeof center === 'number' ? [center, center] : center;
      const fill = typeof fillValue === 'number' ? [fillValue, fillValue, fillValue, fillValue === 0 ? 0 : 255] : [...fillValue, 255];
      rotateNearest(input, output, {
        batch,
        height,
        width,
        channels,
        radians,
        centerX: width * cx,
        centerY: height * cy,
        fill,
        ...(window === null ? {} : { window }),
      });
      return out;
    },
  });
  closedFormInstalled = true;
}

let closedFormInstalled = false;
