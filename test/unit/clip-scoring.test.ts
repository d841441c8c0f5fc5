import { describe, expect, it } from 'vitest';
import { type ClipInput, bitrateText, changeRate, rankClips } from '../../src/core/clip-scoring.js';
import { hashToHex } from '../../src/core/dhash.js';
import { asPhotoId, type ClipFrame, type ImageQuality } from '../../src/core/types.js';

const quality = (sharpness: number, meanLuma = 0.45): ImageQuality => ({
  sharpness,
  highlightsClipped: 0,
  shadowsClipped: 0,
  meanLuma,
  megapixels: 0.3,
});
/** Frames one second apart whose hashes change by `bitsPerSecond` each second. */
const frames = (bitsPerSecond: number): ClipFrame[] =>
  Array.from({ length: 4 }, (_, k) => ({
    t: k,
    hash: hashToHex((1n << BigInt(bitsPerSecond * (k % 2))) - 1n),
    sharpness: 1,
    meanLuma: 0.45,
    highlightsClipped: 0,
    shadowsClipped: 0,
  }));

function clip(id: number, over: Partial<ClipInput> & { bitrate?: number; shake?: number } = {}): ClipInput {
  return {
    id: asPhotoId(id),
    width: over.width ?? 640,
    height: over.height ?? 480,
    size: over.size ?? 1000,
    quality: over.quality ?? quality(1),
    name: `clip${id}.mp4`,
    video: {
      durationS: 4,
      codec: 'h264',
      fps: 30,
      bitrate: over.bitrate ?? 1e6,
      rotation: 0,
      contentId: null,
      choice: 'iframe/10',
      frames: frames(over.shake ?? 0),
    },
  };
}

describe('rankClips', () => {
  it('picks the largest copy, then the higher bitrate, and says so', () => {
    const d = rankClips('duplicate', [
      clip(1, { width: 320, height: 240, bitrate: 5e6 }),
      clip(2, { bitrate: 8e5 }),
      clip(3, { bitrate: 2e6 }),
    ]);
    expect(d.map((x) => x.isBest)).toEqual([false, false, true]);
    expect(d[2]!.reason).toBe('best copy: largest frame and bitrate (640x480, 2.0 Mb/s)');
    expect(d[0]!.reason).toBe('copy: 320x240, 5.0 Mb/s');
  });
  it('picks the sharpest take when they are equally steady', () => {
    const d = rankClips('similar', [clip(1, { quality: quality(0.5) }), clip(2, { quality: quality(1) })]);
    expect(d.map((x) => x.isBest)).toEqual([false, true]);
    expect(d[1]!.reason).toMatch(/^sharpest, steadiest, well exposed, 640x480, 4\.0 s$/);
  });
  it('prefers the steady take over a shaky one of the same sharpness', () => {
    const d = rankClips('burst', [clip(1, { shake: 20 }), clip(2, { shake: 2 })]);
    expect(d.map((x) => x.isBest)).toEqual([false, true]);
    expect(d[0]!.reason).toContain('bits/s of motion');
  });
  it('ranks a dark take below a well exposed one', () => {
    const d = rankClips('similar', [clip(1, { quality: quality(1, 0.05) }), clip(2, { quality: quality(0.95) })]);
    expect(d[1]!.isBest).toBe(true);
    expect(d[0]!.reason).toContain('dark');
  });
});

describe('changeRate and bitrateText', () => {
  it('measures bits of change per second, 0 for a still clip', () => {
    expect(changeRate(frames(0))).toBe(0);
    expect(changeRate(frames(6))).toBe(6);
  });
  it('writes bitrates as people read them', () => {
    expect([bitrateText(4_200_000), bitrateText(850_000), bitrateText(null)]).toEqual(['4.2 Mb/s', '850 kb/s', 'bitrate unknown']);
  });
});
