/**
 * Exposure fusion: on a synthetic bracket (one scene rendered at −2, 0 and +2 EV, so the window
 * clips in the bright frames and the shadow crushes in the dark one) the fused image must clip and
 * crush less than the extreme frames and keep the texture each region shows in its best frame.
 */
import { describe, expect, it } from 'vitest';
import { fuseExposures } from '../../src/core/fusion.js';
import type { RgbImage } from '../../src/core/pixels.js';
import { noise } from '../support/noise.js';

const W = 200;
const H = 150;

interface Rect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

const SHADOW: Rect = { x0: 110, y0: 75, x1: 180, y1: 135 };
const WINDOW: Rect = { x0: 15, y0: 10, x1: 85, y1: 45 };

function inside(r: Rect, x: number, y: number): boolean {
  return x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1;
}

/** Textured surfaces under light that grows to the right, with a deep shadow and a bright window. */
function scene(x: number, y: number, c: number): number {
  let surface = 0.45 + 0.05 * c + 0.25 * (noise(x >> 2, y >> 2) - 0.5) + 0.1 * (noise(x, y) - 0.5);
  if ((x - 60) ** 2 + (y - 50) ** 2 < 22 ** 2) surface += 0.3;
  if ((x - 150) ** 2 + (y - 35) ** 2 < 15 ** 2) surface -= 0.25;
  if (x >= 20 && x < 70 && y >= 95 && y < 135) surface += 0.2 - 0.15 * c;
  let light = 0.15 + (1.1 * x) / W;
  if (inside(SHADOW, x, y)) light *= 0.08;
  if (inside(WINDOW, x, y)) light = 2.2;
  return light * surface;
}

/** The scene at `ev` stops: v · 2^(ev/2.2), clipped to 0..1. */
function render(ev: number, w = W, h = H): RgbImage {
  const gain = 2 ** (ev / 2.2);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = Math.round(255 * Math.min(1, Math.max(0, scene(x, y, c) * gain)));
    }
  }
  return { data, width: w, height: h };
}

function count(image: RgbImage, test: (v: number) => boolean): number {
  return image.data.filter(test).length;
}

/** Mean absolute difference between horizontal neighbours inside `r` (shrunk by 3 px): fine texture. */
function detail(image: RgbImage, r: Rect): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y0 + 3; y < r.y1 - 3; y++) {
    for (let i = (y * image.width + r.x0 + 3) * 3; i < (y * image.width + r.x1 - 4) * 3; i++) {
      sum += Math.abs(image.data[i]! - image.data[i + 3]!);
      n++;
    }
  }
  return sum / n;
}

/** Mean over the (2r + 1)² square around each pixel, cut at the borders. */
function boxBlur(image: RgbImage, r: number): RgbImage {
  const { width: w, height: h } = image;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        let n = 0;
        for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
          for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++, n++) sum += image.data[(yy * w + xx) * 3 + c]!;
        }
        data[(y * w + x) * 3 + c] = Math.round(sum / n);
      }
    }
  }
  return { data, width: w, height: h };
}

function mean(image: RgbImage): number {
  return image.data.reduce((s, v) => s + v, 0) / image.data.length;
}

const bracket = [render(-2), render(0), render(2)];
const [dark, , bright] = bracket as [RgbImage, RgbImage, RgbImage];

describe('fuseExposures', () => {
  it('returns an image of the input size, odd sizes included', () => {
    const frames = [render(-1, 187, 133), render(1, 187, 133)];
    const fused = fuseExposures(frames);
    expect([fused.width, fused.height, fused.data.length]).toEqual([187, 133, 187 * 133 * 3]);
  });

  it.each([
    { w: W, h: H, k: 2 },
    { w: 97, h: 61, k: 3 },
    { w: 12, h: 9, k: 2 },
  ])('gives back the frame when fusing $k copies of it ($w×$h)', ({ w, h, k }) => {
    const frame = render(0, w, h);
    const fused = fuseExposures(Array.from({ length: k }, () => frame));
    let worst = 0;
    for (let i = 0; i < frame.data.length; i++) worst = Math.max(worst, Math.abs(fused.data[i]! - frame.data[i]!));
    expect(worst).toBeLessThanOrEqual(1);
  });

  it('clips and crushes far less than the extreme frames', () => {
    const fused = fuseExposures(bracket);
    const clipped = (v: number) => v >= 250;
    const crushed = (v: number) => v <= 5;
    // The premise: each extreme frame does lose a good part of the picture.
    expect(count(bright, clipped)).toBeGreaterThan(0.15 * bright.data.length);
    expect(count(dark, crushed)).toBeGreaterThan(0.05 * dark.data.length);
    expect(count(fused, clipped)).toBeLessThan(0.2 * count(bright, clipped));
    expect(count(fused, crushed)).toBeLessThan(0.75 * count(dark, crushed));
  });

  it('keeps the texture of the window (clipped when bright) and of the shadow (crushed when dark)', () => {
    const fused = fuseExposures(bracket);
    expect(detail(bright, WINDOW)).toBeLessThan(0.5);
    expect(detail(dark, SHADOW)).toBeLessThan(0.5 * detail(bright, SHADOW));
    for (const region of [WINDOW, SHADOW]) {
      const best = Math.max(...bracket.map((f) => detail(f, region)));
      expect(detail(fused, region)).toBeGreaterThan(0.75 * best);
    }
  });

  it('takes each pixel mostly from the sharper of two equally exposed frames', () => {
    const sharp = render(0);
    const soft = boxBlur(sharp, 2);
    const all: Rect = { x0: 0, y0: 0, x1: W, y1: H };
    expect(detail(soft, all)).toBeLessThan(0.5 * detail(sharp, all));
    // A plain average would land halfway between the two.
    expect(detail(fuseExposures([sharp, soft]), all)).toBeGreaterThan(0.85 * detail(sharp, all));
  });

  it('brightens with an exponent below 1, never darkening a pixel', () => {
    const plain = fuseExposures(bracket);
    const lifted = fuseExposures(bracket, { exponent: 0.6 });
    expect(mean(lifted)).toBeGreaterThan(mean(plain) + 20);
    expect(lifted.data.every((v, i) => v >= plain.data[i]!)).toBe(true);
    expect(mean(fuseExposures(bracket, { exponent: 1 }))).toBe(mean(plain));
  });

  it('rejects fewer than two frames, frames of different sizes and a bad exponent', () => {
    expect(() => fuseExposures([])).toThrow(RangeError);
    expect(() => fuseExposures([dark])).toThrow(RangeError);
    expect(() => fuseExposures([dark, render(0, W, H - 1)])).toThrow(RangeError);
    expect(() => fuseExposures(bracket, { exponent: 0 })).toThrow(RangeError);
  });
});
