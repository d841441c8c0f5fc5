/** Best-photo choice with the faces Immich found. */
import { describe, expect, it } from 'vitest';
import { faceShare, rankWithServerFaces, type ServerFace } from '../../src/core/server-faces.js';
import type { Decision } from '../../src/core/types.js';
import { asPhotoId } from '../../src/core/types.js';

const face = (x1: number, y1: number, x2: number, y2: number, w = 1000, h = 1000): ServerFace => ({
  x1,
  y1,
  x2,
  y2,
  imageWidth: w,
  imageHeight: h,
});
const decisions: Decision[] = [
  { photoId: asPhotoId(1), score: 0.9, isBest: true, reason: 'sharpest, well exposed, 12.0 MP, beats the runner-up on sharpness' },
  { photoId: asPhotoId(2), score: 0.8, isBest: false, reason: '89% as sharp as the sharpest, well exposed, 12.0 MP' },
];

describe('server faces', () => {
  it('measures faces as a share of their own image, so a bigger file does not win by size', () => {
    expect(faceShare([face(0, 0, 100, 100)])).toBeCloseTo(0.01);
    expect(faceShare([face(0, 0, 400, 400, 4000, 4000)])).toBeCloseTo(0.01);
    expect(faceShare([face(-50, -50, 50, 50)])).toBeCloseTo(0.0025);
  });

  it('prefers the photo where the faces show largest, blended with the whole-image score', () => {
    const ranked = rankWithServerFaces(decisions, [[face(0, 0, 100, 100)], [face(0, 0, 300, 300)]]);
    expect(ranked.map((d) => d.isBest)).toEqual([false, true]);
    expect(ranked[1]!.reason).toBe('1 server face (9.0% of the frame); 89% as sharp as the sharpest, well exposed, 12.0 MP');
    expect(ranked[0]!.reason).toBe('1 server face (1.0% of the frame); sharpest, well exposed, 12.0 MP');
  });

  it('changes nothing when no photo has faces, and keeps the choice on a tie', () => {
    expect(rankWithServerFaces(decisions, [null, []])).toEqual(decisions);
    const tie = rankWithServerFaces(
      decisions.map((d) => ({ ...d, score: 0.5 })),
      [[face(0, 0, 100, 100)], [face(0, 0, 100, 100)]],
    );
    expect(tie.map((d) => d.isBest)).toEqual([true, false]);
  });
});
