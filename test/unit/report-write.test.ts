import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_VERSION, ReportValidationError } from '../../src/report/schema.js';
import type { Report } from '../../src/report/schema.js';
import { readReport, reportFileName, writeReport } from '../../src/report/write.js';

let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'report-write-'));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function report(): Report {
  return {
    version: REPORT_VERSION,
    generatedAt: '2024-05-01T14:00:05.042+02:00',
    source: '/lib',
    output: tmp,
    options: { threshold: 8 },
    summary: { photos: 3, groups: 1, byKind: { duplicate: 0, burst: 0, similar: 1 }, grouped: 2, ungrouped: 1, errors: 0 },
    groups: [
      {
        id: 'group_0001',
        kind: 'similar',
        best: 'b.jpg',
        folder: 'group_0001',
        photos: ['a.jpg', 'b.jpg'].map((name, i) => ({
          path: `/lib/${name}`,
          relativePath: name,
          outputName: name,
          takenAt: null,
          score: i === 1 ? 0.9 : 0.3,
          reason: 'test',
          isBest: i === 1,
          dhash: '0123456789abcdef',
          width: 2,
          height: 2,
          size: 10,
          format: 'jpeg',
        })),
        extras: [],
        faceSwaps: [],
        conflicts: [],
      },
    ],
    ungrouped: ['c.jpg'],
    errors: [],
    timings: { discover: 0.1 },
  };
}

describe('writeReport', () => {
  it('writes the timestamped report and latest.json with the same pretty-printed JSON', async () => {
    const written = await writeReport(tmp, report());
    expect(written).toEqual({
      file: join(tmp, 'reports', 'report_2024-05-01_140005.json'),
      latest: join(tmp, 'reports', 'latest.json'),
    });
    const text = await readFile(written.file, 'utf8');
    expect(await readFile(written.latest, 'utf8')).toBe(text);
    expect(text).toBe(`${JSON.stringify(report(), null, 2)}\n`);
    expect(text).toContain('\n  "version": 1,');
    expect(await readReport(written.latest)).toEqual(report());
    expect((await readdir(join(tmp, 'reports'))).sort()).toEqual(['latest.json', 'report_2024-05-01_140005.json']);
  });

  it('removes temp files a killed earlier write left in reports/', async () => {
    await writeReport(tmp, report());
    await writeFile(join(tmp, 'reports', '.latest.json.tmp-4242-7'), '{"vers');
    await writeReport(tmp, report());
    expect((await readdir(join(tmp, 'reports'))).sort()).toEqual(['latest.json', 'report_2024-05-01_140005.json']);
  });

  it('writes nothing for an invalid report', async () => {
    const bad = { ...report(), summary: { ...report().summary, groups: 5 } };
    await expect(writeReport(tmp, bad)).rejects.toThrow('summary.groups: Expected 1 (length of groups) but received 5');
    expect(await readdir(tmp)).toEqual([]);
  });

  it('replaces latest.json on the next run and keeps the earlier report', async () => {
    await writeReport(tmp, report());
    await writeReport(tmp, { ...report(), generatedAt: '2024-05-02T09:08:07.000+02:00' });
    expect((await readdir(join(tmp, 'reports'))).sort()).toEqual([
      'latest.json',
      'report_2024-05-01_140005.json',
      'report_2024-05-02_090807.json',
    ]);
    expect((await readReport(join(tmp, 'reports', 'latest.json'))).generatedAt).toBe('2024-05-02T09:08:07.000+02:00');
  });
});

describe('readReport', () => {
  it('names the file and the field of an invalid report', async () => {
    const file = join(tmp, 'bad.json');
    const { groups, ...rest } = report();
    await writeFile(file, JSON.stringify({ ...rest, groups: [{ ...groups[0]!, kind: 'panorama' }] }));
    const error = await readReport(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportValidationError);
    expect((error as Error).message).toMatch(new RegExp(`^Invalid report \\(${file}\\):\\n  groups\\[0\\]\\.kind: `));
  });

  it('says when the file is not JSON', async () => {
    const file = join(tmp, 'truncated.json');
    await writeFile(file, '{"version": 1, "gro');
    await expect(readReport(file)).rejects.toThrow(`Invalid report (${file}): not JSON`);
  });
});

describe('reportFileName', () => {
  it('uses the wall-clock digits of generatedAt', () => {
    expect(reportFileName('2024-12-31T23:59:58.999-08:00')).toBe('report_2024-12-31_235958.json');
    expect(() => reportFileName('yesterday')).toThrow(RangeError);
  });
});
