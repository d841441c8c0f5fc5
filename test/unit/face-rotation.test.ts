/** The closed-form rotation matches TF.js's definition of RotateWithOffset pixel for pixel. */
import { describe, expect, it } from 'vitest';
import { type Rotation, rotateNearest } from '../../src/faces/rotation.js';

/** TF.js's reference (its CPU kernel): every output value's source recomputed from scratch. */
function reference(input: Float32Array, r: Rotation): Float32Array {
  const out = new Float32Array(input.length);
  const sin = Math.sin(r.radians);
  const cos = Math.cos(r.radians);
  for (let b = 0; b < r.batch; b++) {
    for (let y = 0; y < r.height; y++) {
      for (let x = 0; x < r.width; x++) {
        for (let c = 0; c < r.channels; c++) {
          const sx = Math.round((x - r.centerX) * cos - (y - r.centerY) * sin + r.centerX);
          const sy = Math.round((x - r.centerX) * sin + (y - r.centerY) * cos + r.centerY);
          const inside = sx >= 0 && sx < r.width && sy >= 0 && sy < r.height;
          const at = ((b * r.height + y) * r.width + x) * r.channels + c;
          out[at] = inside ? input[((b * r.height + sy) * r.width + sx) * r.channels + c]! : r.fill[c]!;
        }
      }
    }
  }
  return out;
}

describe('rotateNearest', () => {
  it('gives exactly the reference rotation for tilts either way, off-centre, with the fill outside', () => {
    const width = 97;
    const height = 61;
    const input = Float32Array.from({ length: 2 * width * height * 3 }, (_, i) => (i * 7919) % 251);
    for (const radians of [0.21, -0.45, 1.3, Math.PI]) {
      const r: Rotation = { batch: 2, height, width, channels: 3, radians, centerX: 40.3, centerY: 22.7, fill: [1, 2, 3] };
      const out = new Float32Array(input.length);
      rotateNearest(input, out, r);
      expect(out).toEqual(reference(input, r));
      // Not the identity: the corner pixel comes from elsewhere (or is the fill).
      expect(out.slice(0, 3)).not.toEqual(input.slice(0, 3));
    }
  });

  it('leaves an image unchanged at angle 0', () => {
    const input = Float32Array.from({ length: 5 * 4 * 3 }, (_, i) => i);
    const out = new Float32Array(input.length);
    rotateNearest(input, out, { batch: 1, height: 4, width: 5, channels: 3, radians: 0, centerX: 2.5, centerY: 2, fill: [0, 0, 0] });
    expect(out).toEqual(input);
  });
});

describe('rotateNearest within a window', () => {
  it('computes the reference rotation inside the window about the centre and the fill everywhere else', () => {
    const width = 80;
    const height = 50;
    const input = Float32Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 251);
    // A fill per channel, and one value for all (filled in runs).
    for (const fill of [
      [7, 8, 9],
      [5, 5, 5],
    ]) {
      const r: Rotation = { batch: 1, height, width, channels: 3, radians: 0.37, centerX: 30.4, centerY: 20.6, fill };
      const full = reference(input, r);
      const out = new Float32Array(input.length).fill(-1);
      rotateNearest(input, out, { ...r, window: 10 });
      let inside = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const at = (y * width + x) * 3;
          // The window rounded outwards to whole pixels: columns 20..41, rows 10..31.
          const within = x >= 20 && x <= 41 && y >= 10 && y <= 31;
          if (within) inside++;
          expect(Array.from(out.slice(at, at + 3)), `${x},${y}`).toEqual(within ? Array.from(full.slice(at, at + 3)) : fill);
        }
      }
      expect(inside).toBe(22 * 22);
    }
  });
});
