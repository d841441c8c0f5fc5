import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FaceAnalysis, FaceRecord } from '../../src/core/faces.js';
import type { Decision, Photo, PhotoId } from '../../src/core/types.js';
import { existingSwap, planGroupSwap, recordedOutcomes, swapExtra, swapRecord } from '../../src/output/face-swapped.js';
import { imageQuality, photoMetadata } from '../support/records.js';

function face(eyes: number): FaceRecord {
  return {
    confidence: 0.9,
    box: { x: 0.4, y: 0.2, width: 0.2, height: 0.25 },
    yaw: 0,
    pitch: 0,
    leftEye: { aspect: eyes, irisShown: 0.9 },
    rightEye: { aspect: eyes, irisShown: 0.9 },
    happy: 0.1,
    smileShape: 0.1,
    smile: 0.1,
    sharpness: 1,
    descriptor: Float32Array.from([1, 2, 3, 4]),
  };
}

function photo(id: number, mtimeMs = 1000): Photo {
  return {
    id: id as PhotoId,
    path: `/photos/${id}.jpg`,
    relativePath: `${id}.jpg`,
    size: 100,
    mtimeMs,
    meta: photoMetadata(),
    dhash: 0n,
    quality: imageQuality(),
  };
}

const decision = (id: number, isBest: boolean): Decision => ({ photoId: id as PhotoId, score: isBest ? 0.9 : 0.5, isBest, reason: 'test' });
const analysis = (eyes: number): FaceAnalysis => ({ analyzer: 't', width: 1600, height: 1200, faces: [face(eyes)], note: null });

describe('face swaps kept between runs', () => {
  const catalog = join(mkdtempSync(join(tmpdir(), 'po-swapcache-')), 'catalog.db');
  const analyses = new Map<PhotoId, FaceAnalysis>([
    [1 as PhotoId, analysis(0.34)],
    [2 as PhotoId, analysis(0.04)],
  ]);
  const members = (donorMtime = 1000) => [
    { photo: photo(1, donorMtime), decision: decision(1, false) },
    { photo: photo(2), decision: decision(2, true) },
  ];

  it('names a swap by its best photo, donors and faces: the same group finds the same file, a changed donor another', () => {
    const first = planGroupSwap(catalog, members(), analyses).job!;
    expect(first.best.id).toBe(2);
    expect(first.swaps.map((s) => s.donor.id)).toEqual([1]);
    expect(first.file).toMatch(/enhanced\/swap-[0-9a-f]{32}\.jpg$/);
    expect(first.record).toBe(first.file.replace(/\.jpg$/, '.json'));
    expect(planGroupSwap(catalog, members(), analyses).job!.file).toBe(first.file);
    expect(planGroupSwap(catalog, members(2000), analyses).job!.file).not.toBe(first.file);
  });

  it('reads back the outcomes it recorded, and ignores a record it cannot read', () => {
    const { job } = planGroupSwap(catalog, members(), analyses);
    expect(recordedOutcomes(job!)).toBeNull();
    mkdirSync(dirname(job!.record), { recursive: true });
    const outcomes = [{ label: 'the person', kept: true, reason: null, seam: 0.9, region: 'face' as const }];
    writeFileSync(job!.record, swapRecord(outcomes));
    expect(recordedOutcomes(job!)).toEqual(outcomes);
    expect(swapExtra(job!)).toBeNull();
    expect(existingSwap(catalog, members(), analyses)).toBeNull();
    writeFileSync(job!.file, 'jpeg bytes');
    expect(existingSwap(catalog, members(), analyses)).toMatchObject({
      name: 'face_swapped.jpg',
      from: job!.file,
      label: '2.jpg with open eyes from 1.jpg',
    });
    writeFileSync(job!.record, '{"version":"eye-swap-0","outcomes":[]}');
    expect(recordedOutcomes(job!)).toBeNull();
    writeFileSync(job!.record, 'not json');
    expect(recordedOutcomes(job!)).toBeNull();
  });

  it('calls for no swap when the best photo has open eyes, and refuses with a reason when no frame has them', () => {
    const open = new Map<PhotoId, FaceAnalysis>([
      [1 as PhotoId, analysis(0.04)],
      [2 as PhotoId, analysis(0.34)],
    ]);
    expect(planGroupSwap(catalog, members(), open)).toEqual({ job: null, refusals: [] });
    const shut = new Map<PhotoId, FaceAnalysis>([
      [1 as PhotoId, analysis(0.05)],
      [2 as PhotoId, analysis(0.04)],
    ]);
    expect(planGroupSwap(catalog, members(), shut)).toEqual({
      job: null,
      refusals: [{ label: 'the person', reason: 'no frame with open eyes' }],
    });
  });
});
