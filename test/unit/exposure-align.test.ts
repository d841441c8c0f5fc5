/**
 * Bracket alignment: the shift between two renders of one synthetic scene at different exposures
 * (so highlights clip in the bright one and shadows crush in the dark one) must come out exactly,
 * within the allowed range, and the crop must line the frames up pixel for pixel.
 */
import { describe, expect, it } from 'vitest';
import { cropToCommon, exposureShift, type Shift } from '../../src/core/exposure-align.js';
import type { RgbImage } from '../../src/core/pixels.js';
import { noise } from '../support/noise.js';

const W = 200;
const H = 150;

function inRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number): boolean {
  return x >= x0 && x < x1 && y >= y0 && y < y1;
}

/**
 * Scene brightness of channel c at any integer position (before exposure; 0 EV clips above 1):
 * textured surfaces under light that grows to the right, with a deep shadow and a bright window.
 */
function scene(x: number, y: number, c: number): number {
  let surface = 0.45 + 0.05 * c + 0.25 * (noise(x >> 2, y >> 2) - 0.5) + 0.1 * (noise(x, y) - 0.5);
  if ((x - 60) ** 2 + (y - 50) ** 2 < 22 ** 2) surface += 0.3;
  if ((x - 150) ** 2 + (y - 35) ** 2 < 15 ** 2) surface -= 0.25;
  if (inRect(x, y, 20, 95, 70, 135)) surface += 0.2 - 0.15 * c;
  let light = 0.15 + (1.1 * x) / W;
  if (inRect(x, y, 110, 75, 180, 135)) light *= 0.08;
  if (inRect(x, y, 15, 10, 85, 45)) light = 2.2;
  return light * surface;
}

/**
 * The scene at `ev` stops (v · 2^(ev/2.2), clipped), seen so that frame(x + dx, y + dy) = scene(x, y);
 * `grain` adds sensor noise of that many grey levels, different for each `seed`.
 */
function render(ev: number, shift: Shift = { dx: 0, dy: 0 }, w = W, h = H, grain = 0, seed = 0): RgbImage {
  const gain = 2 ** (ev / 2.2);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 255 * scene(x - shift.dx, y - shift.dy, c) * gain + grain * (noise(3 * x + c, y + 1000 * seed) - 0.5);
        data[(y * w + x) * 3 + c] = Math.round(Math.min(255, Math.max(0, v)));
      }
    }
  }
  return { data, width: w, height: h };
}

function share(image: RgbImage, test: (v: number) => boolean): number {
  return image.data.filter(test).length / image.data.length;
}

describe('exposureShift', () => {
  it('renders brackets that really clip and crush (the premise of the other tests)', () => {
    expect(share(render(2), (v) => v >= 250)).toBeGreaterThan(0.1);
    expect(share(render(-2), (v) => v <= 5)).toBeGreaterThan(0.01);
  });

  it.each([
    { ev: 2, shift: { dx: 5, dy: -3 } },
    { ev: -2, shift: { dx: -17, dy: 9 } },
    { ev: 2, shift: { dx: 0, dy: 0 } },
    { ev: -2, shift: { dx: 11, dy: 14 } },
  ])('recovers $shift.dx, $shift.dy between 0 EV and $ev EV exactly', ({ ev, shift }) => {
    expect(exposureShift(render(0), render(ev, shift), 24)).toEqual(shift);
  });

  it('aligns the dark frame with the bright one as well as with the middle one', () => {
    expect(exposureShift(render(-2), render(2, { dx: -6, dy: 4 }), 24)).toEqual({ dx: -6, dy: 4 });
  });

  it('is not misled by sensor noise', () => {
    const shift = { dx: -9, dy: 6 };
    expect(exposureShift(render(0, undefined, W, H, 16, 1), render(-2, shift, W, H, 16, 2), 24)).toEqual(shift);
  });

  it('works on odd sizes', () => {
    const shift = { dx: 7, dy: -5 };
    expect(exposureShift(render(0, undefined, 173, 111), render(1.5, shift, 173, 111), 16)).toEqual(shift);
  });

  it('never returns a shift beyond maxShift', () => {
    for (const maxShift of [0, 3, 8]) {
      const { dx, dy } = exposureShift(render(0), render(-2, { dx: -17, dy: 9 }), maxShift);
      expect(Math.abs(dx)).toBeLessThanOrEqual(maxShift);
      expect(Math.abs(dy)).toBeLessThanOrEqual(maxShift);
    }
    expect(exposureShift(render(0), render(2, { dx: 3, dy: -2 }), 0)).toEqual({ dx: 0, dy: 0 });
  });

  it('rejects frames of different sizes', () => {
    expect(() => exposureShift(render(0), render(0, undefined, 100, 150), 8)).toThrow(RangeError);
  });
});

describe('cropToCommon', () => {
  const shifts = [
    { dx: 0, dy: 0 },
    { dx: 5, dy: -3 },
    { dx: -17, dy: 9 },
  ];

  it('crops every frame to the one area all of them show', () => {
    const frames = shifts.map((s) => render(0, s));
    const cropped = cropToCommon(frames, shifts);
    // x from max(0, -5, 17) to min(200, 195, 217); y from max(0, 3, -9) to min(150, 153, 141).
    for (const image of cropped) {
      expect([image.width, image.height]).toEqual([178, 138]);
      expect(image.data.length).toBe(178 * 138 * 3);
    }
    // Same exposure, so aligned crops are identical, and equal to that area of the reference.
    expect(cropped[1]!.data).toEqual(cropped[0]!.data);
    expect(cropped[2]!.data).toEqual(cropped[0]!.data);
    const ref = frames[0]!;
    for (const [x, y] of [
      [0, 0],
      [100, 70],
      [177, 137],
    ] as const) {
      const o = (y * 178 + x) * 3;
      const r = ((y + 3) * ref.width + x + 17) * 3;
      expect([...cropped[0]!.data.subarray(o, o + 3)]).toEqual([...ref.data.subarray(r, r + 3)]);
    }
  });

  it('lines up differently exposed frames with the shifts exposureShift finds', () => {
    const frames = [render(0), render(2, shifts[1]), render(-2, shifts[2])];
    const found = frames.map((f, i) => (i === 0 ? { dx: 0, dy: 0 } : exposureShift(frames[0]!, f, 24)));
    const cropped = cropToCommon(frames, found);
    // Each crop equals the common area (x from 17, y from 3) of an unshifted render at its exposure.
    [0, 2, -2].forEach((ev, i) => {
      const expected = render(ev);
      const image = cropped[i]!;
      for (let y = 0; y < image.height; y++) {
        const o = y * image.width * 3;
        const r = ((y + 3) * W + 17) * 3;
        expect(image.data.subarray(o, o + image.width * 3)).toEqual(expected.data.subarray(r, r + image.width * 3));
      }
    });
  });

  it('rejects shifts that leave nothing in common or do not match the frames', () => {
    expect(() =>
      cropToCommon(
        [render(0), render(0)],
        [
          { dx: 0, dy: 0 },
          { dx: 200, dy: 0 },
        ],
      ),
    ).toThrow(RangeError);
    expect(() => cropToCommon([render(0)], [])).toThrow(RangeError);
  });
});
