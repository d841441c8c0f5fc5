import { describe, expect, it } from 'vitest';
import { type CopyInput, rankCopies } from '../../src/core/copies.js';
import { asPhotoId } from '../../src/core/types.js';

const copy = (id: number, over: Partial<CopyInput> = {}): CopyInput => ({
  id: asPhotoId(id),
  megapixels: 12,
  hasCameraMetadata: true,
  size: 4_000_000,
  name: `IMG_${id}.JPG`,
  ...over,
});
const best = (members: CopyInput[]) => rankCopies(members).find((d) => d.isBest)!;

describe('rankCopies', () => {
  it('keeps the full-size original over a resized copy', () => {
    expect(best([copy(1, { megapixels: 4.3, size: 900_000 }), copy(2)]).photoId).toBe(2);
  });

  it('treats a copy cropped by a few pixels as full size, and then prefers the one with camera metadata', () => {
    const d = best([copy(1, { megapixels: 11.8, size: 5_000_000, hasCameraMetadata: false }), copy(2, { size: 3_000_000 })]);
    expect(d.photoId).toBe(2);
    expect(d.reason).toBe('best copy: 12.0 MP, camera metadata kept, 3.0 MB — beats IMG_1.JPG: lost the camera metadata');
  });

  it('prefers the less compressed file among equal copies', () => {
    const d = best([copy(1, { size: 1_200_000 }), copy(2, { size: 3_100_000 })]);
    expect(d.photoId).toBe(2);
    expect(d.reason).toMatch(/beats IMG_1\.JPG: more compressed \(1\.2 MB\)$/);
  });

  it('falls back to path order for identical files, and describes every copy', () => {
    const decisions = rankCopies([copy(1), copy(2)]);
    expect(decisions.map((d) => d.isBest)).toEqual([true, false]);
    expect(decisions[0]!.reason).toMatch(/identical, kept the first in path order$/);
    expect(decisions[1]!.reason).toBe('copy: 12.0 MP, camera metadata kept, 4.0 MB');
    expect(rankCopies([])).toEqual([]);
  });
});
