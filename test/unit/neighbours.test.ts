import { describe, expect, it } from 'vitest';
import { DESCRIPTOR_SIZE, nearestPairs, writeDescriptor } from '../../src/core/neighbours.js';
import { prepareSketch } from '../../src/core/similarity.js';
import { seededRandom } from '../../src/core/random.js';

/** `n` random unit-ish descriptors; every photo in `twins` gets a near copy appended after them. */
function library(n: number, twins: number, noise: number, seed = 1): { vectors: Float32Array; count: number } {
  const random = seededRandom(seed);
  const count = n + twins;
  const vectors = new Float32Array(count * DESCRIPTOR_SIZE);
  for (let i = 0; i < n; i++) for (let c = 0; c < DESCRIPTOR_SIZE; c++) vectors[i * DESCRIPTOR_SIZE + c] = (random() * 2 - 1) / 5;
  for (let t = 0; t < twins; t++) {
    for (let c = 0; c < DESCRIPTOR_SIZE; c++)
      vectors[(n + t) * DESCRIPTOR_SIZE + c] = vectors[t * DESCRIPTOR_SIZE + c]! + (random() * 2 - 1) * noise;
  }
  return { vectors, count };
}

describe('nearestPairs', () => {
  it('finds every near twin among thousands of photos while comparing few pairs', () => {
    const { vectors, count } = library(3000, 200, 0.02);
    const ids = Int32Array.from({ length: count }, (_, i) => i);
    const pairs = nearestPairs(vectors, ids, { k: 3, maxDistance: 10 });
    const found = new Set(pairs.map(([a, b]) => `${a}-${b}`));
    for (let t = 0; t < 200; t++) expect(found.has(`${t}-${3000 + t}`)).toBe(true);
    // At most k per photo: sub-quadratic by construction.
    expect(pairs.length).toBeLessThanOrEqual(count * 3);
    expect(pairs.every(([a, b]) => a < b)).toBe(true);
  });

  it('returns no pair farther apart than maxDistance', () => {
    const { vectors, count } = library(500, 20, 0.02);
    const ids = Int32Array.from({ length: count }, (_, i) => i);
    const pairs = nearestPairs(vectors, ids, { k: 4, maxDistance: 0.2 });
    expect(pairs.map(([a, b]) => [a, b])).toEqual(Array.from({ length: 20 }, (_, t) => [t, 500 + t]));
  });

  it('reports pairs as item indices through ids, the same on every run', () => {
    const { vectors, count } = library(300, 10, 0.01);
    const ids = Int32Array.from({ length: count }, (_, i) => 1000 + 2 * i);
    const first = nearestPairs(vectors, ids, { k: 2, maxDistance: 0.2 });
    expect(first).toContainEqual([1000, 1600]);
    expect(nearestPairs(vectors, ids, { k: 2, maxDistance: 0.2 })).toEqual(first);
  });
});

describe('writeDescriptor', () => {
  /** A 32x32 sketch of soft blobs, moved `dx` pixels right, with a flat colour sketch. */
  function sketch(seed: number, dx = 0): ReturnType<typeof prepareSketch> {
    const random = seededRandom(seed);
    const blobs = Array.from({ length: 6 }, () => ({ x: random() * 32, y: random() * 32, r: 3 + random() * 6, v: random() * 200 }));
    const luma = new Uint8Array(32 * 32);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        let v = 30;
        for (const b of blobs) v += b.v * Math.exp(-((x - dx - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.r * b.r));
        luma[y * 32 + x] = Math.min(255, Math.round(v));
      }
    }
    return prepareSketch(luma, new Uint8Array(8 * 8 * 3).fill(120));
  }
  const descriptor = (s: ReturnType<typeof prepareSketch>): Float32Array => {
    const out = new Float32Array(DESCRIPTOR_SIZE);
    writeDescriptor(s, out, 0);
    return out;
  };
  const distance = (a: Float32Array, b: Float32Array): number => Math.hypot(...a.map((v, i) => v - b[i]!));

  it('keeps a picture moved by a handheld 3 % close, and another picture far', () => {
    const base = descriptor(sketch(7));
    const moved = descriptor(sketch(7, 1));
    const other = descriptor(sketch(8));
    expect(distance(base, moved)).toBeLessThan(0.5);
    expect(distance(base, other)).toBeGreaterThan(2 * distance(base, moved));
  });
});
