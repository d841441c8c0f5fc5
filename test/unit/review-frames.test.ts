/**
 * The group view's per-frame parts: people rows (one person per row across the frames), the
 * EXIF strip and the score breakdown.
 */
import { describe, expect, it } from 'vitest';
import { WEIGHTS } from '../../src/core/scoring.js';
import { exifStrip, scoreBreakdowns } from '../../src/review/frame-facts.js';
import { type PlacedFace, peopleRows } from '../../src/review/people.js';
import { asPhotoId } from '../../src/core/types.js';

const at = (x: number, sharpness = 1, width = 0.1): PlacedFace & { tag: string } => ({
  box: { x, y: 0.3, width, height: 0.15 },
  sharpness,
  tag: `${x}`,
});

describe('people rows', () => {
  it('follows each person across the frames by place, whatever order the detector listed them in', () => {
    const rows = peopleRows([[at(0.6, 2), at(0.1, 1)], [at(0.12, 2), at(0.61, 1)], [at(0.63, 4)]]);
    expect(rows.map((r) => r.cells.map((c) => c?.face.tag ?? null))).toEqual([
      ['0.1', '0.12', null],
      ['0.6', '0.61', '0.63'],
    ]);
    // Sharpness against the same person's sharpest face.
    expect(rows[1]!.cells.map((c) => c?.sharpness)).toEqual([0.5, 0.25, 1]);
  });

  it('starts a new row for a face far from everyone seen, and keeps two people close together apart', () => {
    const rows = peopleRows([
      [at(0.1), at(0.2)],
      [at(0.21), at(0.11), at(0.8)],
    ]);
    expect(rows.map((r) => r.cells.map((c) => c?.face.tag ?? null))).toEqual([
      ['0.1', '0.11'],
      ['0.2', '0.21'],
      [null, '0.8'],
    ]);
    expect(peopleRows([[], []])).toEqual([]);
  });
});

describe('frame facts', () => {
  it('writes the camera settings as a photographer reads them', () => {
    expect(exifStrip({ exposureTime: 1 / 250, fNumber: 2.8, iso: 400, focalLength: 35 })).toEqual([
      '1/250 s',
      'f/2.8',
      'ISO 400',
      'EV 8.9',
      '35 mm',
    ]);
    expect(exifStrip({ exposureTime: 0.5, fNumber: null, iso: 100, focalLength: 4.25 })).toEqual(['0.5 s', 'ISO 100', '4.3 mm']);
    expect(exifStrip({ exposureTime: null, fNumber: null, iso: null, focalLength: null })).toEqual([]);
  });

  it('breaks each score into what every whole-image measure contributed', () => {
    const quality = (sharpness: number, highlightsClipped = 0) => ({
      sharpness,
      highlightsClipped,
      shadowsClipped: 0,
      meanLuma: 0.5,
      megapixels: 12,
    });
    const [sharp, soft] = scoreBreakdowns([
      { id: asPhotoId(1), quality: quality(200), size: 1 },
      { id: asPhotoId(2), quality: quality(100, 0.11), size: 1 },
    ]);
    expect(sharp!.parts.map((p) => [p.measure, p.value, p.points])).toEqual([
      ['sharpness', 1, WEIGHTS.sharpness],
      ['exposure', 1, WEIGHTS.exposure],
      ['resolution', 1, WEIGHTS.resolution],
    ]);
    expect(sharp!.wholeImage).toBe(1);
    expect(soft!.parts.map((p) => p.value)).toEqual([0.5, 0.7, 1]);
    expect(soft!.wholeImage).toBeCloseTo(0.3 + 0.175 + 0.15, 3);
  });
});
