import { describe, expect, it } from 'vitest';
import {
  applySimilarity,
  blendEyes,
  crop,
  eyeEllipse,
  eyeMasks,
  eyesRect,
  colourRing,
  fitSimilarity,
  MAX_SEAM,
  matchColour,
  type Point,
  paste,
  seamBand,
  seamRatio,
  warpOnto,
} from '../../src/core/eye-blend.js';
import type { RgbImage } from '../../src/core/pixels.js';
import { seededRandom } from '../../src/core/random.js';

/** A textured test picture: smooth gradients plus seeded noise, so it has edges everywhere. */
function textured(width: number, height: number, seed: number, offset = 0): RgbImage {
  const random = seededRandom(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = 80 + 40 * Math.sin(x / 7) + 30 * Math.cos(y / 5) + offset;
      for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + c * 10 + 20 * random())));
    }
  }
  return { data, width, height };
}

const eyes = [eyeEllipse([40, 60], [70, 60]), eyeEllipse([90, 60], [120, 60])];

describe('fitSimilarity', () => {
  it('recovers a rotation, scale and shift from noisy-free points, and rejects degenerate input', () => {
    const truth = { a: 1.2 * Math.cos(0.3), b: 1.2 * Math.sin(0.3), tx: 15, ty: -7 };
    const from: Point[] = [
      [10, 20],
      [50, 22],
      [30, 60],
      [70, 80],
    ];
    const fitted = fitSimilarity(
      from,
      from.map((p) => applySimilarity(truth, p)),
    );
    for (const k of ['a', 'b', 'tx', 'ty'] as const) expect(fitted[k]).toBeCloseTo(truth[k], 9);
    expect(() => fitSimilarity([[1, 1]], [[2, 2]])).toThrow(RangeError);
    expect(() =>
      fitSimilarity(
        [
          [1, 1],
          [1, 1],
        ],
        [
          [0, 0],
          [3, 3],
        ],
      ),
    ).toThrow(/coincide/);
  });
});

describe('eye masks and blending', () => {
  const best = textured(160, 120, 1);
  const rect = eyesRect(eyes, best.width, best.height);
  const masks = eyeMasks(eyes, rect);

  it('cover the eyes fully and fade to zero inside the rectangle they span', () => {
    const at = (x: number, y: number): number => (y - rect.y) * rect.width + (x - rect.x);
    expect(masks.blend[at(55, 60)]).toBe(1);
    expect(masks.keep[at(105, 60)]).toBe(1);
    expect(masks.keep[at(rect.x, rect.y)]).toBe(0);
    expect(Math.max(...masks.blend)).toBe(1);
    expect(rect.x).toBeGreaterThan(0);
    expect(rect.x + rect.width).toBeLessThan(best.width);
  });

  it('change no pixel outside the mask, and replace the eyes with the donor', () => {
    const donor = textured(160, 120, 2, 25);
    const identity = { a: 1, b: 0, tx: 0, ty: 0 };
    const patch = blendEyes(best, warpOnto(donor, identity, rect), rect, masks);
    const result = paste(best, patch, rect);
    let outside = 0;
    let changedOutside = 0;
    for (let y = 0; y < best.height; y++) {
      for (let x = 0; x < best.width; x++) {
        const inRect = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
        if (inRect && masks.keep[(y - rect.y) * rect.width + (x - rect.x)]! > 0) continue;
        outside++;
        for (let c = 0; c < 3; c++)
          if (result.data[(y * best.width + x) * 3 + c] !== best.data[(y * best.width + x) * 3 + c]) changedOutside++;
      }
    }
    expect(outside).toBeGreaterThan(best.width * best.height * 0.7);
    expect(changedOutside).toBe(0);
    // At an eye's centre the donor's value, within the pyramid's rounding.
    const p = (60 * best.width + 55) * 3;
    expect(Math.abs(result.data[p]! - donor.data[p]!)).toBeLessThanOrEqual(3);
  });

  it('match the donor’s colour and exposure to the best frame on the skin around the eyes', () => {
    const original = crop(best, rect);
    const brighter = { ...original, data: original.data.map((v) => Math.min(255, Math.round(v * 1.1 + 30))) };
    const ring = colourRing(masks);
    const matched = matchColour(brighter, original, ring);
    const mean = (img: RgbImage): number => {
      let s = 0;
      let w = 0;
      ring.forEach((r, i) => {
        s += r * img.data[i * 3]!;
        w += r;
      });
      return s / w;
    };
    expect(mean(brighter) - mean(original)).toBeGreaterThan(30);
    expect(Math.abs(mean(matched) - mean(original))).toBeLessThan(1);
  });

  it('measure a feathered, colour-matched blend as seamless and a hard paste of a brighter patch as a seam', () => {
    const original = crop(best, rect);
    const band = seamBand(masks);
    // The same scene, re-noised: what a second frame of a burst looks like.
    const donor = crop(textured(160, 120, 3), rect);
    const soft = blendEyes(best, matchColour(donor, original, band), rect, masks);
    expect(seamRatio(soft, original, band)).toBeLessThan(MAX_SEAM);
    const hard = { ...original, data: Uint8Array.from(original.data) };
    masks.blend.forEach((m, i) => {
      if (m > 0.5) for (let c = 0; c < 3; c++) hard.data[i * 3 + c] = Math.min(255, original.data[i * 3 + c]! + 60);
    });
    expect(seamRatio(hard, original, band)).toBeGreaterThan(2 * MAX_SEAM);
    expect(seamRatio(original, original, band)).toBe(1);
  });
});
