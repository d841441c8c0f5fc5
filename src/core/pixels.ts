/**
 * Small pixel-buffer operations shared by fingerprinting and verification. Pure functions on
 * typed arrays; all sizes in pixels.
 */

/** An 8-bit RGB image, 3 channels interleaved, row-major. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Luma with the seed's (Pillow 'L') weights: (299 R + 587 G + 114 B) / 1000, as floats 0..255. */
export function toLuma(image: RgbImage): Float32Array {
  const { data, width, height } = image;
  const out = new Float32Array(width * height);
  for (let i = 0, p = 0; i < out.length; i++, p += 3) {
    out[i] = (299 * data[p]! + 587 * data[p + 1]! + 114 * data[p + 2]!) / 1000;
  }
  return out;
}

/**
 * Area-average resize of a single-channel image (exact box coverage, so every source pixel
 * contributes in proportion to its overlap). Deterministic and good for large reductions.
 */
export function resizeArea(src: Float32Array, w: number, h: number, outW: number, outH: number): Float32Array {
  return resizeAreaChannels(src, w, h, outW, outH, 1);
}

/**
 * Area-average resize of a grey (1 channel) or interleaved RGB (3 channels) image. The fingerprint
 * makes four of these per photo; sums are added in the same order as ever, so the floats are too.
 */
export function resizeAreaChannels(
  src: ArrayLike<number>,
  w: number,
  h: number,
  outW: number,
  outH: number,
  channels: 1 | 3,
): Float32Array {
  const xs = spans(w, outW);
  const ys = spans(h, outH);
  const out = new Float32Array(outW * outH * channels);
  area(src, w, xs, ys, out, channels);
  return out;
}

/** The sums in locals (a loop over a channel array cost half as much again); grey uses r alone. */
function area(src: ArrayLike<number>, w: number, xs: Spans, ys: Spans, out: Float32Array, channels: 1 | 3): void {
  const outW = xs.start.length - 1;
  const outH = ys.start.length - 1;
  const rgb = channels === 3;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let total = 0;
      for (let k = ys.start[oy]!; k < ys.start[oy + 1]!; k++) {
        const wy = ys.weight[k]!;
        const row = ys.idx[k]! * w;
        for (let m = xs.start[ox]!; m < xs.start[ox + 1]!; m++) {
          const wgt = wy * xs.weight[m]!;
          const base = (row + xs.idx[m]!) * channels;
          r += wgt * src[base]!;
          if (rgb) {
            g += wgt * src[base + 1]!;
            b += wgt * src[base + 2]!;
          }
          total += wgt;
        }
      }
      const o = (oy * outW + ox) * channels;
      out[o] = r / total;
      if (rgb) {
        out[o + 1] = g / total;
        out[o + 2] = b / total;
      }
    }
  }
}

/** Output cell o covers source indices idx[start[o] .. start[o + 1]), each by weight[…]. */
interface Spans {
  readonly start: Int32Array;
  readonly idx: Int32Array;
  readonly weight: Float64Array;
}

/** For each output cell, the source indices it covers and by how much. */
function spans(inSize: number, outSize: number): Spans {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize + 1);
  const idx: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start[o] = idx.length;
    const from = o * scale;
    const to = from + scale;
    for (let i = Math.floor(from); i < Math.min(inSize, Math.ceil(to)); i++) {
      const overlap = Math.min(to, i + 1) - Math.max(from, i);
      if (overlap > 1e-9) {
        idx.push(i);
        weight.push(overlap);
      }
    }
  }
  start[outSize] = idx.length;
  return { start, idx: Int32Array.from(idx), weight: Float64Array.from(weight) };
}

/** Rounds and clamps floats to bytes. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i]!)));
  return out;
}
