import { describe, expect, it } from 'vitest';
import { fitSimilarity, type Point, type Similarity } from '../../src/core/eye-blend.js';
import { faceMasks, faceRect, fitResidual, insideFace, MOUTH, mouthsMatch, outlineDistance, outlineOf } from '../../src/core/face-blend.js';
import type { MeshFace } from '../../src/faces/landmarks.js';
import { poseChange, shapeChange } from '../../src/enhance/swap-check.js';

/** A 36-point polygon on an ellipse centred at (100, 120). */
const oval = (rx: number, ry: number): Point[] =>
  Array.from({ length: 36 }, (_, k) => [100 + rx * Math.cos((k * Math.PI) / 18), 120 + ry * Math.sin((k * Math.PI) / 18)] as const);

describe('face outline', () => {
  const o = outlineOf(oval(40, 60));

  it('measures a point in units of the outline', () => {
    expect(outlineDistance(o, 100, 120)).toBeCloseTo(0, 9);
    expect(outlineDistance(o, 140, 120)).toBeCloseTo(1, 2);
    expect(outlineDistance(o, 100, 150)).toBeCloseTo(0.5, 2);
    expect(outlineDistance(o, 100, 240)).toBeCloseTo(2, 2);
  });

  it('tells whether a region stays on the face', () => {
    expect(
      insideFace(o, [
        [110, 110],
        [90, 130],
      ]),
    ).toBe(true);
    expect(
      insideFace(o, [
        [110, 110],
        [145, 120],
      ]),
    ).toBe(false);
  });

  it('keeps nothing outside the inner face and replaces its middle entirely', () => {
    const rect = faceRect(o, 400, 400);
    expect(rect.x).toBeLessThanOrEqual(100 - 0.94 * 40);
    expect(rect.x + rect.width).toBeGreaterThanOrEqual(100 + 0.94 * 40);
    const masks = faceMasks(o, rect, null);
    const value = (m: Float32Array, x: number, y: number): number => m[(y - rect.y) * rect.width + (x - rect.x)]!;
    expect(value(masks.keep, 100, 120)).toBe(1);
    expect(value(masks.blend, 100, 120)).toBe(1);
    expect(value(masks.keep, 139, 120)).toBe(0);
    expect(value(masks.blend, 135, 120)).toBe(0);
    for (let i = 0; i < masks.keep.length; i++) expect(masks.blend[i]!).toBeLessThanOrEqual(masks.keep[i]! + 1e-6);
  });

  it('stops above the upper lip when the mouth is not swapped', () => {
    const rect = faceRect(o, 400, 400);
    const masks = faceMasks(o, rect, { from: [100, 140], to: [100, 150] });
    const at = (x: number, y: number): number => masks.keep[(y - rect.y) * rect.width + (x - rect.x)]!;
    expect(at(100, 130)).toBe(1);
    expect(at(100, 152)).toBe(0);
    expect(at(100, 170)).toBe(0);
  });
});

describe('mouth match', () => {
  const mouth = (gap: number, width: number): ((i: number) => Point) => {
    const points: Record<number, Point> = {
      [MOUTH.left]: [100 - width / 2, 150],
      [MOUTH.right]: [100 + width / 2, 150],
      [MOUTH.upper]: [100, 150 - gap / 2],
      [MOUTH.lower]: [100, 150 + gap / 2],
    };
    return (i) => points[i]!;
  };
  const same: Similarity = { a: 1, b: 0, tx: 0, ty: 0 };

  it('takes the donor mouth when it is as open and as wide', () => {
    expect(mouthsMatch(mouth(2, 40), mouth(3, 41), same)).toBe(true);
    expect(mouthsMatch(mouth(2, 40), mouth(4, 80), { a: 2, b: 0, tx: 0, ty: 0 })).toBe(true);
  });

  it('keeps the best frame mouth when the donor talks or smiles wider', () => {
    expect(mouthsMatch(mouth(2, 40), mouth(12, 40), same)).toBe(false);
    expect(mouthsMatch(mouth(2, 40), mouth(2.5, 48), same)).toBe(false);
  });
});

describe('fit residual', () => {
  it('is zero for points a similarity explains and grows with a stretch', () => {
    const from: Point[] = [
      [0, 0],
      [10, 0],
      [0, 10],
      [10, 10],
    ];
    const moved = from.map(([x, y]): Point => [2 * x + 5, 2 * y - 3]);
    expect(fitResidual(fitSimilarity(from, moved), from, moved)).toBeCloseTo(0, 6);
    const stretched = from.map(([x, y]): Point => [1.5 * x, y]);
    expect(fitResidual(fitSimilarity(from, stretched), from, stretched)).toBeGreaterThan(1);
  });
});

describe('self-check geometry', () => {
  /** A face whose 478 points lie on a grid, eye corners at (60|80, 100) and (120|140, 100). */
  const face = (warp: (p: Point) => Point, pose = { yaw: 0, pitch: 0, roll: 0 }): MeshFace => {
    const mesh = Array.from({ length: 478 }, (_, i) => warp([40 + (i % 22) * 6, 60 + Math.floor(i / 22) * 6]));
    const corners: Record<number, Point> = { 33: [60, 100], 133: [80, 100], 263: [140, 100], 362: [120, 100] };
    for (const [i, p] of Object.entries(corners)) mesh[Number(i)] = warp(p);
    const eye = { aspect: 0.3, irisShown: 0.8 };
    return {
      mesh,
      box: { x: 0.2, y: 0.2, width: 0.5, height: 0.5 },
      ...pose,
      leftEye: eye,
      rightEye: eye,
      descriptor: new Float32Array(4),
    };
  };
  const everywhere = (): boolean => true;

  it('sees no change in the same face and a stretch in a stretched one', () => {
    const before = face((p) => p);
    expect(
      shapeChange(
        before,
        face((p) => p),
        everywhere,
      ),
    ).toBe(0);
    expect(
      shapeChange(
        before,
        face(([x, y]) => [x, 100 + 1.3 * (y - 100)]),
        everywhere,
      ),
    ).toBeGreaterThan(0.1);
    // Only the points the swap replaced count.
    expect(
      shapeChange(
        before,
        face(([x, y]) => [x, 100 + 1.3 * (y - 100)]),
        () => false,
      ),
    ).toBe(0);
  });

  it('takes the largest of the yaw, pitch and roll changes', () => {
    expect(poseChange({ yaw: 1, pitch: -4, roll: 0 }, { yaw: 2, pitch: 3, roll: -1 })).toBe(7);
  });
});
