/**
 * Bad input never stops a run: each bad file gets one line naming it, lands in the report, and
 * the rest of the library is organized — including files with non-UTF-8 and emoji names.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import type { Report } from '../../src/report/schema.js';
import { runCli, type CliResult } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';

/** A PNG whose header claims 60000 x 60000 pixels: a decompression bomb in 100 bytes. */
function bombPng(): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(60000, 0);
  ihdr.writeUInt32BE(60000, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('a library with bad files', () => {
  let library: Library;
  let out: string;
  let run: CliResult;
  let report: Report;
  const nonUtf8 = Buffer.concat([Buffer.from('/'), Buffer.from([0x66, 0x6f, 0xff, 0x6f]), Buffer.from('.jpg')]);

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-bad-'));
    library = await buildLibrary(join(base, 'Photos'), { variant: 'small' });
    const bad = join(library.root, 'bad');
    mkdirSync(bad);
    const someJpeg = join(library.root, library.photos.find((p) => p.format === 'jpeg' && p.cluster)!.relativePath);
    const bytes = readFileSync(someJpeg);
    writeFileSync(join(bad, 'truncated.jpg'), bytes.subarray(0, Math.floor(bytes.length / 3)));
    writeFileSync(join(bad, 'empty.jpg'), Buffer.alloc(0));
    writeFileSync(join(bad, 'notes.jpg'), 'This is a shopping list, not a photo.\nMilk\nEggs\n');
    writeFileSync(join(bad, 'bomb.png'), bombPng());
    symlinkSync(join(bad, 'gone.jpg'), join(bad, 'dangling.jpg'));
    // Good photos with awkward names: copies of a clustered photo, so they must be grouped.
    copyFileSync(someJpeg, join(bad, 'café 📷 copy.jpg'));
    writeFileSync(Buffer.concat([Buffer.from(bad), nonUtf8]), bytes);
    out = join(base, 'Organized');
    run = await runCli(['-s', library.root, '-o', out]);
    report = await readReport(join(out, 'reports', 'latest.json'));
  });

  it('finishes normally', () => {
    expect(run.code, run.stderr).toBe(0);
  });

  const cases: [string, RegExp][] = [
    ['truncated.jpg', /truncated/i],
    ['empty.jpg', /empty file/i],
    ['notes.jpg', /not an image/i],
    ['bomb.png', /too large|60000/i],
    ['dangling.jpg', /broken symbolic link/i],
  ];
  for (const [name, message] of cases) {
    it(`reports ${name} in one line naming the file, and in the report`, () => {
      const lines = run.stderr.split('\n').filter((l) => l.includes(`bad/${name}`));
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      const entry = report.errors.find((e) => e.path.endsWith(`bad/${name}`));
      expect(entry?.message).toMatch(message);
    });
  }

  it('organizes the photos with emoji and non-UTF-8 names with their group', () => {
    const grouped = report.groups.flatMap((g) => g.photos.map((p) => p.relativePath));
    expect(grouped).toContain('bad/café 📷 copy.jpg');
    expect(grouped).toContain('bad/fo\\xffo.jpg');
    const group = report.groups.find((g) => g.photos.some((p) => p.relativePath === 'bad/fo\\xffo.jpg'))!;
    const names = readdirSync(Buffer.from(join(out, group.id, 'originals')), { encoding: 'buffer' });
    expect(names.some((n) => n.equals(nonUtf8.subarray(1)))).toBe(true);
  });

  it('still organizes the rest of the library', () => {
    const clustered = library.photos.filter((p) => p.cluster).map((p) => p.relativePath);
    const grouped = new Set(report.groups.flatMap((g) => g.photos.map((p) => p.relativePath)));
    for (const p of clustered) expect(grouped.has(p), p).toBe(true);
    expect(report.summary.errors).toBe(report.errors.length);
    // Files that are not photos are skipped, not counted as scanned photos; the dangling link never was a file.
    const skipped = report.errors.filter((e) => e.stage === 'inspect' || e.stage === 'fingerprint').length;
    expect(skipped).toBe(4);
    expect(run.stdout).toMatch(
      new RegExp(
        `^Scanned ${report.summary.photos} photos; skipped 4 files that could not be read as photos \\(listed in the report\\)\\.$`,
        'm',
      ),
    );
    expect(run.stdout).toMatch(/^1 file could not be processed \(listed in the report\)\.$/m);
  });
});
