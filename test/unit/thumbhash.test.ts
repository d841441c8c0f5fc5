/**
 * ThumbHash: our encoder must produce the same bytes as the reference implementation (vectors
 * below were made with the published `thumbhash` package) and our decoder the same pixels.
 */
import { describe, expect, it } from 'vitest';
import { decodeThumbhash, encodeThumbhash, ThumbhashError, thumbhashAspectRatio } from '../../src/core/thumbhash.js';

/** Gradient in red (x) and green (y), a blue checkerboard; optionally transparent on the right half. */
function pattern(w: number, h: number, alpha: boolean): Uint8Array {
  const d = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      d[i] = Math.round((255 * x) / (w - 1));
      d[i + 1] = Math.round((255 * y) / (h - 1));
      d[i + 2] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 40;
      d[i + 3] = alpha && x >= w / 2 ? 0 : 255;
    }
  }
  return d;
}

const VECTORS = [
  {
    w: 40,
    h: 30,
    alpha: false,
    hash: 'XwgKPZpxd4dwd3aHh2doiIBxCPeH',
    size: [32, 23],
    pixels: [
      [0, 0, 110, 255],
      [136, 125, 124, 255],
      [242, 247, 95, 255],
    ],
  },
  {
    w: 24,
    h: 48,
    alpha: false,
    hash: 'HwgKPBpwB3h3iIZ2aHdwcQf3hw==',
    size: [18, 32],
    pixels: [
      [0, 0, 128, 255],
      [149, 140, 122, 255],
      [242, 247, 122, 255],
    ],
  },
  {
    w: 32,
    h: 32,
    alpha: true,
    hash: 'GXeFHQ5YRnUghnh3dUZAZ/SMj3WIiHh4iA==',
    size: [32, 32],
    pixels: [
      [13, 11, 107, 255],
      [79, 122, 111, 105],
      [42, 153, 120, 89],
    ],
  },
] as const;

describe('thumbhash', () => {
  it.each(VECTORS)('encodes a $w×$h picture (alpha $alpha) exactly like the reference', ({ w, h, alpha, hash }) => {
    expect(Buffer.from(encodeThumbhash(w, h, pattern(w, h, alpha))).toString('base64')).toBe(hash);
  });

  it.each(VECTORS)('decodes $hash to the reference size and pixels (alpha composited over white)', ({ hash, size, pixels }) => {
    const image = decodeThumbhash(Buffer.from(hash, 'base64'));
    expect([image.width, image.height]).toEqual(size);
    const at = [
      [0, 0],
      [Math.floor(size[0] / 2), Math.floor(size[1] / 2)],
      [size[0] - 1, size[1] - 1],
    ];
    at.forEach(([x, y], k) => {
      const [r, g, b, a] = pixels[k]!;
      const expected = [r, g, b].map((c) => c * (a / 255) + 255 * (1 - a / 255));
      const o = (y! * image.width + x!) * 3;
      for (let c = 0; c < 3; c++) expect(Math.abs(image.data[o + c]! - expected[c]!)).toBeLessThanOrEqual(2);
    });
  });

  it('knows the picture’s shape from the header', () => {
    expect(thumbhashAspectRatio(Buffer.from(VECTORS[0].hash, 'base64'))).toBeCloseTo(7 / 5);
    expect(thumbhashAspectRatio(Buffer.from(VECTORS[1].hash, 'base64'))).toBeCloseTo(4 / 7);
  });

  it('keeps the layout of the picture through encode and decode', () => {
    const w = 60;
    const h = 45;
    const rgba = pattern(w, h, false);
    const image = decodeThumbhash(encodeThumbhash(w, h, rgba));
    // Red grows left to right, green top to bottom, as in the original.
    const px = (x: number, y: number, c: number): number => image.data[(y * image.width + x) * 3 + c]!;
    expect(px(image.width - 2, 10, 0)).toBeGreaterThan(px(1, 10, 0) + 100);
    expect(px(10, image.height - 2, 1)).toBeGreaterThan(px(10, 1, 1) + 100);
  });

  it('refuses bytes that cannot be a thumbhash', () => {
    expect(() => decodeThumbhash(new Uint8Array([1, 2, 3]))).toThrow(ThumbhashError);
    expect(() => decodeThumbhash(Buffer.from(VECTORS[0].hash, 'base64').subarray(0, 8))).toThrow(/more coefficient bytes/);
    expect(() => encodeThumbhash(101, 10, new Uint8Array(101 * 10 * 4))).toThrow(RangeError);
  });
});
