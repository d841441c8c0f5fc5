/**
 * ThumbHash (the compact picture sketch Immich stores for every asset): a decoder to a tiny RGB
 * image and an encoder from RGBA pixels. Pure; written from the public description of the format
 * (Evan Wallace, https://evanw.github.io/thumbhash/): a header with the DC terms and scales of a
 * luminance channel L and two colour-difference channels P and Q (plus alpha A when present),
 * followed by 4-bit quantised DCT coefficients, two per byte, low nibble first.
 */
import type { RgbImage } from './pixels.js';

/** The longest side of a decoded thumbhash, in pixels (the format carries no more detail). */
export const THUMBHASH_SIDE = 32;

/** Thrown for bytes that cannot be a thumbhash (too short for their own header). */
export class ThumbhashError extends Error {
  override readonly name = 'ThumbhashError';
}

interface Header {
  readonly lDc: number;
  readonly pDc: number;
  readonly qDc: number;
  readonly lScale: number;
  readonly pScale: number;
  readonly qScale: number;
  readonly hasAlpha: boolean;
  readonly isLandscape: boolean;
  /** Number of L coefficients across and down. */
  readonly lx: number;
  readonly ly: number;
  readonly aDc: number;
  readonly aScale: number;
}

function readHeader(hash: Uint8Array): Header {
  if (hash.length < 5) throw new ThumbhashError(`Expected at least 5 bytes for a thumbhash but received ${hash.length}`);
  const h24 = hash[0]! | (hash[1]! << 8) | (hash[2]! << 16);
  const h16 = hash[3]! | (hash[4]! << 8);
  const hasAlpha = h24 >> 23 !== 0;
  const isLandscape = h16 >> 15 !== 0;
  if (hasAlpha && hash.length < 6) throw new ThumbhashError('Expected an alpha byte in a thumbhash that declares alpha');
  // The side stored in the header is the short one; the long side is implied (7, or 5 with alpha).
  const stored = h16 & 7;
  const implied = hasAlpha ? 5 : 7;
  return {
    lDc: (h24 & 63) / 63,
    pDc: ((h24 >> 6) & 63) / 31.5 - 1,
    qDc: ((h24 >> 12) & 63) / 31.5 - 1,
    lScale: ((h24 >> 18) & 31) / 31,
    pScale: ((h16 >> 3) & 63) / 63,
    qScale: ((h16 >> 9) & 63) / 63,
    hasAlpha,
    isLandscape,
    lx: Math.max(3, isLandscape ? implied : stored),
    ly: Math.max(3, isLandscape ? stored : implied),
    aDc: hasAlpha ? (hash[5]! & 15) / 15 : 1,
    aScale: hasAlpha ? (hash[5]! >> 4) / 15 : 0,
  };
}

/** Width over height of the picture the thumbhash was made from (approximate: ratios of small integers). */
export function thumbhashAspectRatio(hash: Uint8Array): number {
  const { lx, ly } = readHeader(hash);
  return lx / ly;
}

/**
 * Decodes a thumbhash to an RGB image whose long side is THUMBHASH_SIDE (32) pixels and whose
 * aspect follows the hash. Alpha, when present, is composited over white like every decode in
 * this project.
 */
export function decodeThumbhash(hash: Uint8Array): RgbImage {
  const head = readHeader(hash);
  const { lx, ly, hasAlpha } = head;
  let nibble = 0;
  const acStart = hasAlpha ? 6 : 5;
  // The coefficients of one channel: the triangle cx * ny < nx * (ny - cy) without the DC term.
  const channel = (nx: number, ny: number, scale: number): number[] => {
    const ac: number[] = [];
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = cy > 0 ? 0 : 1; cx * ny < nx * (ny - cy); cx++) {
        const byte = hash[acStart + (nibble >> 1)];
        if (byte === undefined) throw new ThumbhashError(`Expected more coefficient bytes in a thumbhash of ${hash.length} bytes`);
        const q = (byte >> ((nibble & 1) << 2)) & 15;
        nibble++;
        ac.push((q / 7.5 - 1) * scale);
      }
    }
    return ac;
  };
  const lAc = channel(lx, ly, head.lScale);
  // P and Q are stored at 4/5 of their range: the decoder widens them back.
  const pAc = channel(3, 3, head.pScale * 1.25);
  const qAc = channel(3, 3, head.qScale * 1.25);
  const aAc = hasAlpha ? channel(5, 5, head.aScale) : [];

  const ratio = lx / ly;
  const w = Math.round(ratio > 1 ? THUMBHASH_SIDE : THUMBHASH_SIDE * ratio);
  const h = Math.round(ratio > 1 ? THUMBHASH_SIDE / ratio : THUMBHASH_SIDE);
  const data = new Uint8Array(w * h * 3);
  const cxMax = Math.max(lx, hasAlpha ? 5 : 3);
  const cyMax = Math.max(ly, hasAlpha ? 5 : 3);
  const fx = new Float64Array(cxMax);
  const fy = new Float64Array(cyMax);
  for (let y = 0, o = 0; y < h; y++) {
    for (let cy = 0; cy < cyMax; cy++) fy[cy] = Math.cos((Math.PI / h) * (y + 0.5) * cy);
    for (let x = 0; x < w; x++, o += 3) {
      for (let cx = 0; cx < cxMax; cx++) fx[cx] = Math.cos((Math.PI / w) * (x + 0.5) * cx);
      let l = head.lDc;
      for (let cy = 0, j = 0; cy < ly; cy++) {
        const fy2 = fy[cy]! * 2;
        for (let cx = cy > 0 ? 0 : 1; cx * ly < lx * (ly - cy); cx++, j++) l += lAc[j]! * fx[cx]! * fy2;
      }
      let p = head.pDc;
      let q = head.qDc;
      for (let cy = 0, j = 0; cy < 3; cy++) {
        for (let cx = cy > 0 ? 0 : 1; cx < 3 - cy; cx++, j++) {
          const f = fx[cx]! * fy[cy]! * 2;
          p += pAc[j]! * f;
          q += qAc[j]! * f;
        }
      }
      let a = head.aDc;
      for (let cy = 0, j = 0; cy < (hasAlpha ? 5 : 0); cy++) {
        for (let cx = cy > 0 ? 0 : 1; cx < 5 - cy; cx++, j++) a += aAc[j]! * fx[cx]! * fy[cy]! * 2;
      }
      // L is the mean of R, G, B; P = (R + G) / 2 - B; Q = R - G.
      const b = l - (2 / 3) * p;
      const r = (3 * l - b + q) / 2;
      const g = r - q;
      const alpha = Math.max(0, Math.min(1, a));
      data[o] = toByte(r * alpha + (1 - alpha));
      data[o + 1] = toByte(g * alpha + (1 - alpha));
      data[o + 2] = toByte(b * alpha + (1 - alpha));
    }
  }
  return { data, width: w, height: h };
}

function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(255 * v)));
}

/**
 * Encodes RGBA pixels (at most 100 × 100, as Immich feeds it) into a thumbhash. Used by the test
 * suite's fake server and by anyone who wants to sketch a picture the way Immich does.
 */
export function encodeThumbhash(width: number, height: number, rgba: Uint8Array): Uint8Array {
  if (width < 1 || height < 1 || width > 100 || height > 100) {
    throw new RangeError(`Expected an image of 1 to 100 pixels per side for a thumbhash but received ${width}x${height}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`Expected ${width * height * 4} RGBA bytes but received ${rgba.length}`);
  }
  const n = width * height;
  // Average colour, weighted by alpha: transparent pixels take it so they add no edges.
  let avgR = 0;
  let avgG = 0;
  let avgB = 0;
  let avgA = 0;
  for (let i = 0, k = 0; i < n; i++, k += 4) {
    const alpha = rgba[k + 3]! / 255;
    avgR += (alpha / 255) * rgba[k]!;
    avgG += (alpha / 255) * rgba[k + 1]!;
    avgB += (alpha / 255) * rgba[k + 2]!;
    avgA += alpha;
  }
  if (avgA > 0) {
    avgR /= avgA;
    avgG /= avgA;
    avgB /= avgA;
  }
  const hasAlpha = avgA < n;
  const limit = hasAlpha ? 5 : 7;
  const longest = Math.max(width, height);
  const lx = Math.max(1, Math.round((limit * width) / longest));
  const ly = Math.max(1, Math.round((limit * height) / longest));
  const L = new Float64Array(n);
  const P = new Float64Array(n);
  const Q = new Float64Array(n);
  const A = new Float64Array(n);
  for (let i = 0, k = 0; i < n; i++, k += 4) {
    const alpha = rgba[k + 3]! / 255;
    const r = avgR * (1 - alpha) + (alpha / 255) * rgba[k]!;
    const g = avgG * (1 - alpha) + (alpha / 255) * rgba[k + 1]!;
    const b = avgB * (1 - alpha) + (alpha / 255) * rgba[k + 2]!;
    L[i] = (r + g + b) / 3;
    P[i] = (r + g) / 2 - b;
    Q[i] = r - g;
    A[i] = alpha;
  }
  const encode = (values: Float64Array, nx: number, ny: number): { dc: number; ac: number[]; scale: number } => {
    let dc = 0;
    const ac: number[] = [];
    let scale = 0;
    const fx = new Float64Array(width);
    for (let cy = 0; cy < ny; cy++) {
      for (let cx = 0; cx * ny < nx * (ny - cy); cx++) {
        let f = 0;
        for (let x = 0; x < width; x++) fx[x] = Math.cos((Math.PI / width) * cx * (x + 0.5));
        for (let y = 0; y < height; y++) {
          const fy = Math.cos((Math.PI / height) * cy * (y + 0.5));
          for (let x = 0; x < width; x++) f += values[x + y * width]! * fx[x]! * fy;
        }
        f /= n;
        if (cx > 0 || cy > 0) {
          ac.push(f);
          scale = Math.max(scale, Math.abs(f));
        } else {
          dc = f;
        }
      }
    }
    // Coefficients are stored relative to the channel's largest, mapped to 0..1.
    if (scale > 0) for (let i = 0; i < ac.length; i++) ac[i] = 0.5 + (0.5 / scale) * ac[i]!;
    return { dc, ac, scale };
  };
  const l = encode(L, Math.max(3, lx), Math.max(3, ly));
  const p = encode(P, 3, 3);
  const q = encode(Q, 3, 3);
  const a = hasAlpha ? encode(A, 5, 5) : null;

  const isLandscape = width > height;
  const h24 =
    Math.round(63 * l.dc) |
    (Math.round(31.5 + 31.5 * p.dc) << 6) |
    (Math.round(31.5 + 31.5 * q.dc) << 12) |
    (Math.round(31 * l.scale) << 18) |
    ((hasAlpha ? 1 : 0) << 23);
  const h16 = (isLandscape ? ly : lx) | (Math.round(63 * p.scale) << 3) | (Math.round(63 * q.scale) << 9) | ((isLandscape ? 1 : 0) << 15);
  const bytes: number[] = [h24 & 255, (h24 >> 8) & 255, (h24 >> 16) & 255, h16 & 255, (h16 >> 8) & 255];
  if (a !== null) bytes.push(Math.round(15 * a.dc) | (Math.round(15 * a.scale) << 4));
  const acStart = bytes.length;
  let nibble = 0;
  for (const channel of a !== null ? [l.ac, p.ac, q.ac, a.ac] : [l.ac, p.ac, q.ac]) {
    for (const f of channel) {
      const at = acStart + (nibble >> 1);
      bytes[at] = (bytes[at] ?? 0) | (Math.round(15 * f) << ((nibble & 1) << 2));
      nibble++;
    }
  }
  return Uint8Array.from(bytes);
}
