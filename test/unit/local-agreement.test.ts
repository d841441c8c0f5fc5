import { describe, expect, it } from 'vitest';
import { correlate, IDENTITY } from '../../src/core/alignment.js';
import { localAgreement } from '../../src/core/local-agreement.js';
import { prepareSketch } from '../../src/core/similarity.js';
import { fixturePhotoPath } from '../support/library.js';
import sharp from 'sharp';

/** The 32x32 luma sketch of a fixture photo (or of a region of it), as the fingerprint makes it. */
async function sketchOf(
  name: Parameters<typeof fixturePhotoPath>[0],
  edit?: (luma: Uint8Array) => void,
): Promise<ReturnType<typeof prepareSketch>> {
  const luma = new Uint8Array(await sharp(fixturePhotoPath(name)).greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer());
  edit?.(luma);
  return prepareSketch(luma, new Uint8Array(8 * 8 * 3).fill(120));
}

const agreement = (a: ReturnType<typeof prepareSketch>, b: ReturnType<typeof prepareSketch>) =>
  localAgreement(a.detail, b.detail, a.raw, b.raw, IDENTITY);

describe('localAgreement', () => {
  it('finds every region of a picture in itself', async () => {
    const s = await sketchOf('stream-forest');
    const r = agreement(s, s);
    expect(r.blocks).toBeGreaterThan(10);
    expect(r.trimmed).toBeCloseTo(1, 5);
    expect(r.agreeing).toBe(1);
  });

  it('still finds most regions when a subject covers a quarter of the frame, though the whole-picture correlation drops', async () => {
    const scene = await sketchOf('stream-forest');
    const covered = await sketchOf('stream-forest', (luma) => {
      for (let y = 16; y < 32; y++) for (let x = 0; x < 16; x++) luma[y * 32 + x] = (x * 37 + y * 91) % 255;
    });
    expect(correlate(scene.detail, covered.detail, 32, IDENTITY)).toBeLessThan(0.8);
    const r = agreement(scene, covered);
    expect(r.trimmed).toBeGreaterThan(0.9);
    expect(r.agreeing).toBeGreaterThanOrEqual(0.7);
  });

  it('tolerates a one-pixel local displacement (perspective, roll)', async () => {
    const scene = await sketchOf('building-facade');
    const moved = await sketchOf('building-facade', (luma) => {
      const copy = Uint8Array.from(luma);
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) luma[y * 32 + x] = copy[y * 32 + Math.max(0, x - 1)]!;
    });
    expect(agreement(scene, moved).trimmed).toBeGreaterThan(0.85);
  });

  it('finds few agreeing regions between look-alike scenes (two mountain ridges, two flowers)', async () => {
    const ridge = agreement(await sketchOf('mountains-ridge'), await sketchOf('mountains-peaks'));
    const flowers = agreement(await sketchOf('flower-orange'), await sketchOf('flower-yellow'));
    for (const r of [ridge, flowers]) {
      expect(r.trimmed).toBeLessThan(0.45);
      expect(r.agreeing).toBeLessThan(0.3);
    }
  });

  it('judges no region of flat pictures', async () => {
    const flat = prepareSketch(new Uint8Array(32 * 32).fill(128), new Uint8Array(8 * 8 * 3).fill(120));
    expect(agreement(flat, flat)).toEqual({ blocks: 0, trimmed: -1, agreeing: 0 });
  });
});
