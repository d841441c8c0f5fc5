/**
 * Pair verification on real photographs: transformations of one picture are recognised with the
 * right class; different pictures, even look-alikes, are not.
 */
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { dhashFromLuma, hamming, hashToHex, hexToHash } from '../../src/core/dhash.js';
import { fingerprintFromPixels } from '../../src/core/fingerprint.js';
import { toLuma } from '../../src/core/pixels.js';
import { comparePair, type PreparedSketch, prepareSketch } from '../../src/core/similarity.js';
import { profileFor } from '../../src/core/threshold.js';
import { fixturePhotoPath } from '../support/library.js';

async function prepared(image: Sharp): Promise<PreparedSketch> {
  const { data, info } = await image.resize(440, 440, { fit: 'inside' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const fp = fingerprintFromPixels({ data, width: info.width, height: info.height }, 1);
  return prepareSketch(fp.sketch, fp.color);
}

const range = profileFor(5).range;

describe('comparePair', () => {
  let base: PreparedSketch;
  let width: number;
  let height: number;
  const photo = () => sharp(fixturePhotoPath('boats-lake'));
  const crop = (x: number, y: number, w: number, h: number) =>
    photo()
      .extract({ left: Math.round(x * width), top: Math.round(y * height), width: Math.round(w * width), height: Math.round(h * height) })
      .resize(width, height);

  beforeAll(async () => {
    const meta = await photo().metadata();
    width = meta.width!;
    height = meta.height!;
    base = await prepared(photo());
  });

  it('calls a resized, re-encoded copy a duplicate', async () => {
    const copy = sharp(
      await photo()
        .resize(Math.round(width * 0.6))
        .jpeg({ quality: 60 })
        .toBuffer(),
    );
    expect(comparePair(base, await prepared(copy), range).cls).toBe('duplicate');
  });

  it('calls a 2 % crop a duplicate and finds its zoom', async () => {
    const v = comparePair(base, await prepared(crop(0.01, 0.01, 0.98, 0.98)), range);
    expect(v.cls).toBe('duplicate');
    expect(v.alignment.scale).toBeGreaterThan(0.96);
    expect(v.alignment.scale).toBeLessThan(1);
  });

  it('calls a shifted frame a burst pair, with the shift found', async () => {
    const a = await prepared(crop(0.04, 0.05, 0.9, 0.9));
    const b = await prepared(crop(0.09, 0.05, 0.9, 0.9));
    const shifted = comparePair(a, b, range);
    expect(shifted.cls).toBe('burst');
    expect(shifted.alignment.dx).toBeGreaterThan(0.03);
    expect(shifted.detail).toBeGreaterThan(profileFor(5).minDetail);
  });

  it('sees a -2 EV bracket as the same scene, darker', async () => {
    const v = comparePair(base, await prepared(photo().linear(2 ** (-2 / 2.2), 0)), range);
    expect(v.cls).toBe('burst');
    expect(v.brightness).toBeLessThan(-0.4);
    expect(v.detail).toBeGreaterThan(0.9);
  });

  it('calls a tighter re-framing similar', async () => {
    const v = comparePair(base, await prepared(crop(0.12, 0.1, 0.77, 0.77)), range);
    expect(v.cls).toBe('similar');
    expect(v.alignment.scale).toBeCloseTo(0.77, 1);
  });

  it('keeps look-alike landscapes apart on structure even when their light layout agrees', async () => {
    const a = await prepared(sharp(fixturePhotoPath('mountains-dusk')));
    const b = await prepared(sharp(fixturePhotoPath('mountains-ridge')));
    const v = comparePair(a, b, range);
    expect(v.correlation).toBeGreaterThan(0.8);
    expect(v.detail).toBeLessThan(profileFor(10).minDetail);
  });

  it('keeps two flower close-ups apart', async () => {
    const a = await prepared(sharp(fixturePhotoPath('flower-orange')));
    const b = await prepared(sharp(fixturePhotoPath('flower-yellow')));
    const v = comparePair(a, b, range);
    expect(v.cls === 'different' || v.detail < profileFor(10).minDetail).toBe(true);
  });
});

describe('dHash', () => {
  it('sets every bit for a left-to-right gradient and none for the reverse', () => {
    const w = 90;
    const luma = new Float32Array(w * 80).map((_, i) => (i % w) * 2);
    expect(hashToHex(dhashFromLuma(luma, w, 80))).toBe('ffffffffffffffff');
    const reverse = new Float32Array(w * 80).map((_, i) => 255 - (i % w) * 2);
    expect(hashToHex(dhashFromLuma(reverse, w, 80))).toBe('0000000000000000');
  });

  it('round-trips hex and measures Hamming distance', () => {
    expect(hexToHash('00ff00ff00ff00ff')).toBe(0x00ff00ff00ff00ffn);
    expect(hamming(0n, 0xffffffffffffffffn)).toBe(64);
    expect(hamming(0b1011n, 0b0001n)).toBe(2);
    expect(() => hexToHash('xyz')).toThrow(/16 hex digits/);
  });

  it('uses the seed luma weights', () => {
    const px = toLuma({ data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), width: 3, height: 1 });
    expect([...px].map((v) => Math.round(v * 10) / 10)).toEqual([76.2, 149.7, 29.1]);
  });
});

describe('fingerprint quality', () => {
  it('measures a blurred frame as less sharp, whatever its exposure', async () => {
    const measure = async (img: Sharp) => {
      const { data, info } = await img.resize(440).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return fingerprintFromPixels({ data, width: info.width, height: info.height }, 1).quality;
    };
    const sharpQ = await measure(sharp(fixturePhotoPath('bird-nuthatch')));
    const blurred = await measure(sharp(fixturePhotoPath('bird-nuthatch')).blur(3));
    const darker = await measure(sharp(fixturePhotoPath('bird-nuthatch')).linear(0.6, 0));
    expect(blurred.sharpness).toBeLessThan(sharpQ.sharpness * 0.7);
    expect(darker.sharpness).toBeGreaterThan(sharpQ.sharpness * 0.85);
    expect(darker.meanLuma).toBeLessThan(sharpQ.meanLuma);
  });

  it('counts clipped highlights', async () => {
    const { data, info } = await sharp(fixturePhotoPath('boats-lake'))
      .resize(440)
      .linear(3, 0)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(fingerprintFromPixels({ data, width: info.width, height: info.height }, 1).quality.highlightsClipped).toBeGreaterThan(0.2);
  });
});
