import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/core/pixels.js';
import { combineSmile, eyeMeasures, faceSharpness, type MeshPoint, meshBounds, smileShape } from '../../src/faces/measures.js';
import { fixturePhotoPath } from '../support/library.js';

/**
 * A synthetic 478-point mesh of a face 200 px wide centred on (100, 100): eyes 30 px wide with a
 * lid gap of `gap` px, irises 12 px across, a mouth whose corners sit `lift` px above the lips'
 * centre. Only the points the measures read are placed; the rest sit at the centre.
 */
function mesh(options: { gap?: number; leftGap?: number; lift?: number; mouth?: number; roll?: number } = {}): MeshPoint[] {
  const { gap = 10, lift = 0, mouth = 76, roll = 0 } = options;
  const leftGap = options.leftGap ?? gap;
  const pts: [number, number][] = Array.from({ length: 478 }, () => [100, 100]);
  const eye = (cx: number, g: number, outer: number, inner: number, lids: [number, number][], iris: number) => {
    const dir = outer === 33 ? -1 : 1;
    pts[outer] = [cx + dir * 15, 80];
    pts[inner] = [cx - dir * 15, 80];
    lids.forEach(([up, down], k) => {
      const x = cx + (k - 1) * 7;
      pts[up] = [x, 80 - g / 2];
      pts[down] = [x, 80 + g / 2];
    });
    pts[iris] = [cx, 80];
    pts[iris + 1] = [cx + 6, 80];
    pts[iris + 2] = [cx, 74];
    pts[iris + 3] = [cx - 6, 80];
    pts[iris + 4] = [cx, 86];
  };
  eye(
    60,
    gap,
    33,
    133,
    [
      [160, 144],
      [159, 145],
      [158, 153],
    ],
    473,
  );
  eye(
    140,
    leftGap,
    263,
    362,
    [
      [387, 373],
      [386, 374],
      [385, 380],
    ],
    468,
  );
  pts[61] = [100 - mouth / 2, 150 - lift];
  pts[291] = [100 + mouth / 2, 150 - lift];
  pts[13] = [100, 148];
  pts[14] = [100, 152];
  pts[234] = [0, 100];
  pts[454] = [200, 100];
  const c = Math.cos(roll);
  const s = Math.sin(roll);
  return pts.map(([x, y]) => [100 + (x - 100) * c - (y - 100) * s, 100 + (x - 100) * s + (y - 100) * c]);
}

describe('eyeMeasures', () => {
  it('gives lid gap over eye width, per eye, and how much of the iris shows', () => {
    const { left, right } = eyeMeasures(mesh({ gap: 10, leftGap: 2 }));
    expect(right.aspect).toBeCloseTo(10 / 30, 5);
    expect(left.aspect).toBeCloseTo(2 / 30, 5);
    expect(right.irisShown).toBeCloseTo(10 / 12, 5);
    expect(left.irisShown).toBeCloseTo(2 / 12, 5);
  });

  it('does not change when the head is tilted', () => {
    const level = eyeMeasures(mesh({ gap: 8 }));
    const tilted = eyeMeasures(mesh({ gap: 8, roll: 0.8 }));
    expect(tilted.left.aspect).toBeCloseTo(level.left.aspect, 5);
    expect(tilted.right.irisShown!).toBeCloseTo(level.right.irisShown!, 5);
  });

  it('has no iris figure for a mesh without iris points, and refuses a short mesh', () => {
    expect(eyeMeasures(mesh().slice(0, 468)).left.irisShown).toBeNull();
    expect(() => eyeMeasures(mesh().slice(0, 300))).toThrow(/Expected a face mesh with at least \d+ points but received 300/);
  });
});

describe('smileShape', () => {
  it('scores raised corners and a wide mouth as a smile, a flat narrow mouth as none', () => {
    const smile = smileShape(mesh({ lift: 9, mouth: 96 }));
    const flat = smileShape(mesh({ lift: -3, mouth: 70 }));
    expect(smile.lift).toBeCloseTo(9 / 96, 5);
    expect(smile.width).toBeCloseTo(0.48, 5);
    expect(smile.score).toBeGreaterThan(0.7);
    expect(flat.score).toBe(0);
  });

  it('is measured in the face frame: a rolled head fakes nothing', () => {
    expect(smileShape(mesh({ lift: 0, roll: 0.8 })).score).toBeCloseTo(smileShape(mesh({ lift: 0 })).score, 5);
    expect(smileShape(mesh({ lift: 0, roll: 0.8 })).lift).toBeCloseTo(0, 5);
  });

  it('combines with the expression model, weighted towards the model', () => {
    expect(combineSmile(1, 0)).toBeCloseTo(0.6, 5);
    expect(combineSmile(0, 1)).toBeCloseTo(0.4, 5);
    expect(combineSmile(1, 1)).toBe(1);
  });
});

async function decode(transform: (s: Sharp) => Sharp = (s) => s): Promise<RgbImage> {
  const { data, info } = await transform(sharp(fixturePhotoPath('portrait-smile')))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

describe('faceSharpness', () => {
  // The face in portrait-smile.jpg (540x720), as Human's mesh bounds it.
  const box = { x: 90, y: 230, width: 230, height: 260 };

  it('drops when the face is blurred and ignores contrast and exposure', async () => {
    const sharpFace = faceSharpness(await decode(), box);
    const blurred = faceSharpness(await decode((s) => s.blur(2)), box);
    const flat = faceSharpness(await decode((s) => s.linear(0.5, 60)), box);
    expect(blurred).toBeLessThan(sharpFace * 0.6);
    expect(flat / sharpFace).toBeGreaterThan(0.85);
    expect(flat / sharpFace).toBeLessThan(1.15);
  });

  it('hardly depends on the face size in pixels for a small change of zoom', async () => {
    const full = faceSharpness(await decode(), box);
    const smaller = faceSharpness(await decode((s) => s.resize(486)), {
      x: box.x * 0.9,
      y: box.y * 0.9,
      width: box.width * 0.9,
      height: box.height * 0.9,
    });
    expect(smaller / full).toBeGreaterThan(0.7);
    expect(smaller / full).toBeLessThan(1.3);
  });

  it('is 0 for a crop with nothing in it', async () => {
    expect(faceSharpness(await decode(), { x: 600, y: 10, width: 20, height: 20 })).toBe(0);
  });
});

describe('meshBounds', () => {
  it('bounds the points', () => {
    expect(
      meshBounds([
        [1, 2],
        [5, -1],
        [3, 4],
      ]),
    ).toEqual({ x: 1, y: -1, width: 4, height: 5 });
    expect(meshBounds([])).toEqual({ x: 0, y: 0, width: 0, height: 0 });
  });
});
