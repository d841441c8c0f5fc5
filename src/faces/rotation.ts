/**
 * The head-tilt correction's image rotation, done in closed form. Human straightens a tilted
 * face by rotating the whole decode about the face's centre (TF.js's RotateWithOffset) before
 * cutting the face out; the WASM backend's kernel for it took more time than every landmark
 * model together on a 1600 px group photo. This is the same nearest-neighbour rotation, the
 * source position stepped along each row by two additions instead of recomputed per channel,
 * written straight into the WASM heap. Registered in place of the backend's own kernel.
 */
import * as tf from '@tensorflow/tfjs-core';

type Pixels = Float32Array | Int32Array | Uint8Array;

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
  for (let b = 0; b < r.batch; b++) {
    const base = b * plane;
    for (let y = 0; y < height; y++) {
      // Source position of the row's first pixel; each step right adds (cos, sin).
      let sx = -r.centerX * cos - (y - r.centerY) * sin + r.centerX;
      let sy = -r.centerX * sin + (y - r.centerY) * cos + r.centerY;
      let out = base + y * width * channels;
      for (let x = 0; x < width; x++, sx += cos, sy += sin, out += channels) {
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

/** What the kernel needs of the WASM backend (its own class is not exported with types). */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Pixels;
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
      const image = inputs.image as tf.TensorInfo;
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
      rotateNearest(input, output, { batch, height, width, channels, radians, centerX: width * cx, centerY: height * cy, fill });
      return out;
    },
  });
  closedFormInstalled = true;
}

let closedFormInstalled = false;
