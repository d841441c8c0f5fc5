import { describe, expect, it } from 'vitest';
import type { OutputPhoto } from '../../src/output/metadata-text.js';
import { planOutput, renderPlan, renderPlanPreview } from '../../src/output/plan.js';
import { photoMetadata } from '../support/records.js';

function member(relativePath: string, size: number, isBest = false): OutputPhoto {
  return {
    photo: { path: `/lib/${relativePath}`, relativePath, size, mtimeMs: 0, meta: photoMetadata() },
    decision: { score: isBest ? 0.9 : 0.4, reason: isBest ? 'best' : 'worse', isBest },
  };
}

describe('the dry-run preview', () => {
  const plan = planOutput({
    outputRoot: '/out',
    localOffset: () => 0,
    groups: [
      {
        kind: 'burst',
        photos: [member('2024/IMG_1.JPG', 2_000_000), member('2024/IMG_2.JPG', 2_000_000, true), member('2024/IMG_3.JPG', 2_000_000)],
      },
      {
        kind: 'duplicate',
        photos: [member('a.jpg', 500_000, true), member('b.png', 500_000)],
        extras: [{ name: 'hdr_merged.jpg', from: '/cache/m.jpg', size: 1_000_000, mtimeMs: 0, label: 'HDR merge' }],
      },
    ],
  });

  it('shows a line per group and a total instead of a line per file', () => {
    expect(renderPlanPreview(plan)).toEqual([
      'group_0001: burst, 3 photos; best 2024/IMG_2.JPG',
      'group_0002: duplicate, 2 photos; best a.jpg; also hdr_merged.jpg',
      '2 group folders with 10 files (8 copies, 10.5 MB) would be written to /out.',
    ]);
    // Every file stays available (--verbose).
    expect(renderPlan(plan)).toHaveLength(10);
  });

  it('counts a group of clips as clips', () => {
    const clips = planOutput({
      outputRoot: '/out',
      localOffset: () => 0,
      groups: [{ kind: 'duplicate', photos: [member('VID_1.mp4', 9_000_000, true), member('VID_1 small.MOV', 3_000_000)] }],
    });
    expect(renderPlanPreview(clips)[0]).toBe('group_0001: duplicate, 2 clips; best VID_1.mp4');
  });
});
