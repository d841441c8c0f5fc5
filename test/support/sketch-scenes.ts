/**
 * Test helper: synthetic scenes at the fingerprint's sketch size (32x32 luma, 8x8 colour), for
 * grouping many photos without decoding any. A scene is a few smooth waves and colour blobs drawn
 * from a seed; a frame of it is the scene seen a little shifted with a little sensor noise, as a
 * handheld burst moves. Deterministic.
 */
import { dhashFromLuma } from '../../src/core/dhash.js';
import { type PreparedSketch, prepareSketch } from '../../src/core/similarity.js';
import { seededRandom } from '../../src/core/random.js';

export interface SceneFrame {
  readonly dhash: bigint;
  readonly sketch: PreparedSketch;
  /** The sketch as the catalog stores it: 32x32 luma and 8x8 rgb. */
  readonly luma: Uint8Array;
  readonly color: Uint8Array;
}

/** A scene's picture at point (x, y) in 0..1: luma 0..255 and an rgb colour. */
interface Scene {
  luma(x: number, y: number): number;
  rgb(x: number, y: number): [number, number, number];
}

function scene(seed: number): Scene {
  const random = seededRandom(seed * 7919 + 17);
  const waves = Array.from({ length: 7 }, () => ({
    fx: 0.5 + random() * 4,
    fy: 0.5 + random() * 4,
    phase: random() * Math.PI * 2,
    weight: 0.5 + random(),
  }));
  const tint = Array.from({ length: 3 }, () => ({ base: 60 + random() * 140, fx: random() * 2, fy: random() * 2, phase: random() * 6 }));
  return {
    luma: (x, y) => {
      const v = waves.reduce((sum, w) => sum + w.weight * Math.sin(Math.PI * 2 * (w.fx * x + w.fy * y) + w.phase), 0);
      return Math.max(0, Math.min(255, 128 + 40 * v));
    },
    rgb: (x, y) =>
      tint.map((c) => Math.max(0, Math.min(255, c.base + 50 * Math.sin(Math.PI * 2 * (c.fx * x + c.fy * y) + c.phase)))) as [
        number,
        number,
        number,
      ],
  };
}

/** Frame `frame` of scene `seed`: shifted up to 3 % of the width, with ±2 levels of noise. */
export function sceneFrame(seed: number, frame: number): SceneFrame {
  const s = scene(seed);
  const random = seededRandom(seed * 104729 + frame * 31 + 5);
  const dx = (random() - 0.5) * 0.06;
  const dy = (random() - 0.5) * 0.06;
  const luma = new Uint8Array(32 * 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) luma[y * 32 + x] = Math.round(s.luma((x + 0.5) / 32 + dx, (y + 0.5) / 32 + dy) + (random() - 0.5) * 4);
  }
  const color = new Uint8Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) color.set(s.rgb((x + 0.5) / 8 + dx, (y + 0.5) / 8 + dy), (y * 8 + x) * 3);
  }
  return { dhash: dhashFromLuma(Float32Array.from(luma), 32, 32), sketch: prepareSketch(luma, color), luma, color };
}
