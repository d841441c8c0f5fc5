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

/** Area-average resize of an interleaved image with `channels` channels. */
export function resizeAreaChannels(
  src: ArrayLike<number>,
  w: number,
  h: number,
  outW: number,
  outH: number,
  channels: number,
): Float32Array {
  const xSpans = spans(w, outW);
  const ySpans = spans(h, outH);
  const out = new Float32Array(outW * outH * channels);
  const acc = new Float64Array(channels);
  for (let oy = 0; oy < outH; oy++) {
    const ys = ySpans[oy]!;
    for (let ox = 0; ox < outW; ox++) {
      const xs = xSpans[ox]!;
      acc.fill(0);
      let total = 0;
      for (let k = 0; k < ys.idx.length; k++) {
        const wy = ys.weight[k]!;
        const row = ys.idx[k]! * w;
        for (let m = 0; m < xs.idx.length; m++) {
          const wgt = wy * xs.weight[m]!;
          const base = (row + xs.idx[m]!) * channels;
          for (let c = 0; c < channels; c++) acc[c]! += wgt * src[base + c]!;
          total += wgt;
        }
      }
      const o = (oy * outW + ox) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = acc[c]! / total;
    }
  }
  return out;
}

interface Span {
  readonly idx: number[];
  readonly weight: number[];
}

/** For each output cell, the source indices it covers and by how much. */
function spans(inSize: number, outSize: number): Span[] {
  const scale = inSize / outSize;
  const result: Span[] = [];
  for (let o = 0; o < outSize; o++) {
    const start = o * scale;
    const end = start + scale;
    const idx: number[] = [];
    const weight: number[] = [];
    for (let i = Math.floor(start); i < Math.min(inSize, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 1e-9) {
        idx.push(i);
        weight.push(overlap);
      }
    }
    result.push({ idx, weight });
  }
  return result;
}

/** Rounds and clamps floats to bytes. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.max(0, Math.min(255, Math.round(values[i]!)));
  return out;
}
