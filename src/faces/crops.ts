/**
 * The image operations the landmark models' inputs are made with, as TF.js's WebAssembly kernels
 * compute them (in float32, each step rounded as there), so the models see the inputs Human's
 * pipeline gave them: a box cut out and resized (CropAndResize, bilinear, 0 outside the image)
 * and a whole image resized (ResizeBilinear without aligned corners or half-pixel centres).
 * Images are float32 height × width × channels.
 */

const f = Math.fround;

/** A float32 image, channels interleaved. */
export interface FloatImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** A box in CropAndResize's normalized coordinates: [y1, x1, y2, x2] of the image's extent. */
export type NormalizedBox = readonly [number, number, number, number];

/**
 * CropAndResize's source positions along one axis of `extent` pixels for a box from `from` to
 * `to` (normalized) cut to `size` samples; a position outside 0..extent - 1 reads the fill.
 */
export function cropPositions(from: number, to: number, extent: number, size: number): Float64Array {
  const [a, b] = [f(from), f(to)];
  const scale = size > 1 ? f(f(f(b - a) * (extent - 1)) / (size - 1)) : 0;
  return Float64Array.from({ length: size }, (_, i) =>
    size > 1 ? f(f(a * (extent - 1)) + f(i * scale)) : f(f(0.5 * f(a + b)) * (extent - 1)),
  );
}

/** Bilinear interpolation between four neighbours, in float32 steps. */
export function lerp(tl: number, tr: number, bl: number, br: number, dx: number, dy: number): number {
  const upper = f(tl + f(f(tr - tl) * dx));
  const lower = f(bl + f(f(br - bl) * dx));
  return f(upper + f(f(lower - upper) * dy));
}

/**
 * `box` of `image` resized to `size` × `size`; mirrored left to right when `mirror` (TF.js's
 * FlipLeftRight on the crop).
 */
export function cropAndResize(image: FloatImage, box: NormalizedBox, size: number, mirror = false): Float32Array {
  const { data, width, height, channels } = image;
  const out = new Float32Array(size * size * channels);
  const ys = cropPositions(box[0], box[2], height, size);
  const xs = cropPositions(box[1], box[3], width, size);
  for (let y = 0; y < size; y++) {
    const inY = ys[y]!;
    if (inY < 0 || inY > height - 1) continue;
    const [top, bottom] = [Math.floor(inY), Math.ceil(inY)];
    const dy = f(inY - top);
    for (let x = 0; x < size; x++) {
      const inX = xs[x]!;
      if (inX < 0 || inX > width - 1) continue;
      const [left, right] = [Math.floor(inX), Math.ceil(inX)];
      const at = (y * size + (mirror ? size - 1 - x : x)) * channels;
      for (let c = 0; c < channels; c++) out[at + c] = sample(data, width, channels, c, top, bottom, left, right, f(inX - left), dy);
    }
  }
  return out;
}

/** `image` resized to `outWidth` × `outHeight`: source position = destination × in / out, clamped at the far edge. */
export function resizeBilinear(image: FloatImage, outWidth: number, outHeight: number): Float32Array {
  const { data, width, height, channels } = image;
  const out = new Float32Array(outWidth * outHeight * channels);
  const scaleY = f(height / outHeight);
  const scaleX = f(width / outWidth);
  for (let y = 0; y < outHeight; y++) {
    const inY = f(y * scaleY);
    const top = Math.floor(inY);
    const bottom = Math.min(height - 1, Math.ceil(inY));
    const dy = f(inY - top);
    for (let x = 0; x < outWidth; x++) {
      const inX = f(x * scaleX);
      const left = Math.floor(inX);
      const right = Math.min(width - 1, Math.ceil(inX));
      const dx = f(inX - left);
      const at = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[at + c] = sample(data, width, channels, c, top, bottom, left, right, dx, dy);
    }
  }
  return out;
}

function sample(
  data: Float32Array,
  width: number,
  channels: number,
  c: number,
  top: number,
  bottom: number,
  left: number,
  right: number,
  dx: number,
  dy: number,
): number {
  const at = (y: number, x: number): number => data[(y * width + x) * channels + c]!;
  return lerp(at(top, left), at(top, right), at(bottom, left), at(bottom, right), dx, dy);
}
