import { describe, expect, it } from 'vitest';
import type { Decision, Photo, PhotoMetadata } from '../../src/core/types.js';
import { planOutput } from '../../src/output/plan.js';
import { buildReport, formatInstant } from '../../src/report/build.js';
import type { ReportInput } from '../../src/report/build.js';
import { fieldPath, parseReport, ReportSchema, ReportValidationError } from '../../src/report/schema.js';
import type { Report } from '../../src/report/schema.js';
import { photoMetadata } from '../support/records.js';
import { asPhotoId } from '../../src/core/types.js';

const META: PhotoMetadata = photoMetadata({
  takenAt: { wallClockMs: Date.UTC(2024, 4, 1, 14, 3, 7), offsetMinutes: 120, source: 'DateTimeOriginal' },
});

function photo(id: number, relativePath: string, dhash: bigint): Photo {
  return {
    id: asPhotoId(id),
    path: `/lib/${relativePath}`,
    relativePath,
    size: 1000 + id,
    mtimeMs: 0,
    meta: id === 3 ? { ...META, takenAt: null } : META,
    dhash,
    quality: { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
  };
}

function decision(photoId: number, score: number, isBest: boolean): Decision {
  return { photoId: asPhotoId(photoId), score, reason: isBest ? 'sharpest' : 'softer', isBest };
}

function sampleInput(): ReportInput {
  const groups = [
    {
      kind: 'burst' as const,
      members: [
        { photo: photo(1, 'a/IMG.jpg', 0xffn), decision: decision(1, 0.4, false) },
        { photo: photo(2, 'b/IMG.jpg', 0xfedcba9876543210n), decision: decision(2, 0.87, true) },
      ],
    },
    { kind: 'duplicate' as const, members: [{ photo: photo(3, 'c.png', 0n), decision: decision(3, 1, true) }] },
  ];
  const plan = planOutput({
    outputRoot: '/out',
    groups: groups.map((g) => ({ photos: g.members })),
    localOffset: () => 0,
  });
  return {
    generatedAt: new Date(Date.UTC(2024, 4, 1, 12, 0, 5, 42)),
    source: '/lib',
    output: '/out',
    options: { threshold: 8, timeWindow: 10, album: undefined, nested: { dryRun: false } },
    groups,
    plan,
    ungrouped: ['d.jpg'],
    errors: [{ path: '/lib/broken.jpg', stage: 'inspect', message: 'Not a JPEG' }],
    timings: { discover: 0.5, inspect: 1.25, group: 0.01, select: 0.1, output: 2 },
    localOffset: () => 120,
  };
}

describe('buildReport', () => {
  it('assembles a valid report with counts, names and ISO times', () => {
    const report = buildReport(sampleInput());
    expect(report.generatedAt).toBe('2024-05-01T14:00:05.042+02:00');
    expect(report.options).toEqual({ threshold: 8, timeWindow: 10, nested: { dryRun: false } });
    expect(report.summary).toEqual({
      photos: 4,
      groups: 2,
      byKind: { duplicate: 1, burst: 1, similar: 0 },
      grouped: 3,
      ungrouped: 1,
      errors: 1,
    });
    expect(report.groups[0]).toMatchObject({ id: 'group_0001', kind: 'burst', best: 'b/IMG.jpg', folder: 'group_0001' });
    expect(report.groups[0]!.photos[1]).toEqual({
      path: '/lib/b/IMG.jpg',
      relativePath: 'b/IMG.jpg',
      outputName: 'IMG_1.jpg',
      takenAt: '2024-05-01T14:03:07+02:00',
      score: 0.87,
      reason: 'sharpest',
      isBest: true,
      keep: false,
      dhash: 'fedcba9876543210',
      width: 4000,
      height: 3000,
      size: 1002,
      format: 'jpeg',
    });
    expect(report.groups[0]!.photos[0]!.dhash).toBe('00000000000000ff');
    expect(report.groups[1]!.photos[0]!.takenAt).toBeNull();
  });

  it('leaves folder and outputName null when no output was written', () => {
    const report = buildReport({ ...sampleInput(), plan: null });
    expect(report.groups[0]!.folder).toBeNull();
    expect(report.groups[0]!.photos[0]!.outputName).toBeNull();
  });
});

describe('ReportSchema', () => {
  it('round-trips through JSON unchanged', () => {
    const report = buildReport(sampleInput());
    const again = parseReport(JSON.parse(JSON.stringify(report)) as unknown, 'round trip');
    expect(again).toEqual(report);
  });

  it('rejects a wrong field with a message naming it', () => {
    const report = buildReport(sampleInput());
    const broken = JSON.parse(JSON.stringify(report)) as { groups: { photos: { score: unknown }[] }[] };
    broken.groups[0]!.photos[1]!.score = 'high';
    expect(() => parseReport(broken, 'test.json')).toThrow(ReportValidationError);
    expect(() => parseReport(broken, 'test.json')).toThrow(/Invalid report \(test\.json\):\n {2}groups\[0\]\.photos\[1\]\.score: /);
  });

  it('rejects a summary that disagrees with the lists, and two best photos in a group', () => {
    const report: Report = buildReport(sampleInput());
    const inconsistent = {
      ...report,
      summary: { ...report.summary, grouped: 99 },
      groups: [{ ...report.groups[0]!, photos: report.groups[0]!.photos.map((p) => ({ ...p, isBest: true })) }, report.groups[1]!],
    };
    try {
      parseReport(inconsistent, 'memory');
      expect.unreachable();
    } catch (error) {
      const fields = (error as ReportValidationError).issues.map((i) => i.field);
      expect(fields).toEqual(['summary.grouped', 'groups[0].photos']);
      expect((error as Error).message).toContain('summary.grouped: Expected 3 (photos in groups) but received 99');
    }
  });

  it('rejects an unknown version and a malformed dhash', () => {
    const report = buildReport(sampleInput());
    expect(ReportSchema.safeParse({ ...report, version: 2 }).success).toBe(false);
    const badHash = {
      ...report,
      groups: [
        { ...report.groups[0]!, photos: [{ ...report.groups[0]!.photos[0]!, dhash: 'XYZ' }, report.groups[0]!.photos[1]!] },
        report.groups[1]!,
      ],
    };
    expect(() => parseReport(badHash, 'x')).toThrow('groups[0].photos[0].dhash: Expected 16 lower-case hex digits');
  });
});

describe('fieldPath and formatInstant', () => {
  it('formats paths and local instants', () => {
    expect(fieldPath([])).toBe('(root)');
    expect(fieldPath(['groups', 3, 'photos', 0, 'size'])).toBe('groups[3].photos[0].size');
    expect(formatInstant(new Date(Date.UTC(2024, 0, 1, 2, 0, 0)), () => -330)).toBe('2023-12-31T20:30:00.000-05:30');
  });
});
