/**
 * Turns a small oriented decode into a Fingerprint: dHash, luma sketch, colour sketch and
 * whole-image quality. Pure: the pixels come from media/, the result goes to the catalog.
 */
import { dhashFromLuma } from './dhash.js';
import { type RgbImage, resizeArea, resizeAreaChannels, toBytes, toLuma } from './pixels.js';
import { COLOR_SIZE, type Fingerprint, type ImageQuality, SKETCH_SIZE } from './types.js';

/**
 * Fingerprint of an image. `originalMegapixels` is the size of the file's full image, which the
 * small decode no longer shows. `coarse`: the decode is smaller than the quality measures need
 * (see ImageQuality); its quality is measured on it as it is, not on a half-size copy (about half
 * the cost of the fingerprint), and marked coarse.
 */
export function fingerprintFromPixels(image: RgbImage, originalMegapixels: number, coarse = false): Fingerprint {
  if (image.width < 1 || image.height < 1) throw new Error('Expected a non-empty image to fingerprint');
  const luma = toLuma(image);
  return {
    dhash: dhashFromLuma(luma, image.width, image.height),
    sketch: toBytes(resizeArea(luma, image.width, image.height, SKETCH_SIZE, SKETCH_SIZE)),
    color: toBytes(resizeAreaChannels(image.data, image.width, image.height, COLOR_SIZE, COLOR_SIZE, 3)),
    quality: coarse
      ? { ...measureQuality(luma, image.width, image.height, originalMegapixels, false), coarse: true }
      : measureQuality(luma, image.width, image.height, originalMegapixels),
  };
}

/**
 * Whole-image quality. Sharpness is the variance of the Laplacian divided by the variance of
 * luma, on a half-size copy: halving averages sensor noise away (so a noisy frame does not look
 * sharp), and the ratio cancels exposure (a darker frame has proportionally weaker edges).
 * `halve` false: measured on `luma` as it is (a decode already small enough to average noise).
 */
export function measureQuality(luma: Float32Array, width: number, height: number, megapixels: number, halve = true): ImageQuality {
  let highlights = 0;
  let shadows = 0;
  let sum = 0;
  for (let i = 0; i < luma.length; i++) {
    const v = luma[i]!;
    sum += v;
    if (v >= 250) highlights++;
    else if (v <= 5) shadows++;
  }
  const n = luma.length;
  const hw = Math.max(3, Math.floor(width / 2));
  const hh = Math.max(3, Math.floor(height / 2));
  const half = halve && width >= 6 && height >= 6 ? resizeArea(luma, width, height, hw, hh) : luma;
  const [w, h] = half === luma ? [width, height] : [hw, hh];
  return {
    sharpness: laplacianRatio(half, w, h),
    highlightsClipped: highlights / n,
    shadowsClipped: shadows / n,
    meanLuma: sum / n / 255,
    megapixels,
  };
}

/**
 * Variance of the 4-neighbour Laplacian over the variance of luma: edge strength relative to
 * contrast, so exposure and lighting cancel out. Used for whole images and face crops alike.
 */
export function laplacianRatio(img: Float32Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  let lapSum = 0;
  let lapSq = 0;
  let lumSum = 0;
  let lumSq = 0;
  let count = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const c = img[i]!;
      const lap = img[i - 1]! + img[i + 1]! + img[i - w]! + img[i + w]! - 4 * c;
      lapSum += lap;
      lapSq += lap * lap;
      lumSum += c;
      lumSq += c * c;
      count++;
    }
  }
  const lapVar = lapSq / count - (lapSum / count) ** 2;
  const lumVar = lumSq / count - (lumSum / count) ** 2;
  // A flat image has no edges to judge; call it unsharp rather than dividing by ~0.
  return lumVar < 1 ? 0 : lapVar / lumVar;
}
