/** Synthetic thumbhashes for the prefilter tests, whose likeness each test can reason about. */
import { encodeThumbhash } from '../../src/core/thumbhash.js';

/** The thumbhash of a 64x48 picture: a bright blob at (cx, cy) (fractions of the frame) on a tinted background. */
export function blobThumbhash(cx: number, cy: number, tint: readonly [number, number, number] = [60, 90, 140]): Uint8Array {
  const w = 64;
  const h = 48;
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const glow = Math.exp(-((x / w - cx) ** 2 + (y / h - cy) ** 2) * 40);
      const i = (y * w + x) * 4;
      d[i] = Math.min(255, tint[0] + 180 * glow);
      d[i + 1] = Math.min(255, tint[1] + 160 * glow);
      d[i + 2] = Math.min(255, tint[2] + 60 * glow);
      d[i + 3] = 255;
    }
  }
  return encodeThumbhash(w, h, d);
}
