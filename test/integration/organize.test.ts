/**
 * The organizer end to end on a generated library whose truth is known: run the real CLI, read
 * the report and the output tree, measure pairwise precision/recall of the groups.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import type { Report } from '../../src/report/schema.js';
import { buildLibrary, groupsToMap, type Library, pairwise, truthMap } from '../support/library.js';
import { runCli } from '../support/cli.js';

/** Every file under `dir` (relative path → sha256 and mtime), to prove originals stay untouched. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${prefix}${e.name}/`);
      else out.set(`${prefix}${e.name}`, `${createHash('sha256').update(readFileSync(p)).digest('hex')}@${statSync(p).mtimeMs}`);
    }
  };
  walk(dir, '');
  return out;
}

function foundGroups(report: Report): string[][] {
  return report.groups.map((g) => g.photos.map((p) => p.relativePath));
}

describe('organizing a generated library (default options)', () => {
  let library: Library;
  let out: string;
  let report: Report;
  let before: Map<string, string>;
  let firstRun: Awaited<ReturnType<typeof runCli>>;

  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-organize-'));
    library = await buildLibrary(join(base, 'Photos'));
    out = join(base, 'Organized');
    before = snapshot(library.root);
    firstRun = await runCli(['-s', library.root, '-o', out, '--threads', '2']);
    report = await readReport(join(out, 'reports', 'latest.json'));
  });

  it('finishes with exit code 0 and a summary', () => {
    expect(firstRun.code, firstRun.stderr).toBe(0);
    expect(firstRun.stdout).toMatch(/Scanned \d+ photos/);
    expect(firstRun.stdout).toMatch(/Found \d+ groups?/);
    expect(firstRun.stdout).toContain(`Report: ${join(out, 'reports', 'latest.json')}`);
  });

  it('groups the library with high pairwise precision and recall', () => {
    const score = pairwise(truthMap(library), groupsToMap(foundGroups(report)));
    const misses: string[] = [];
    for (const c of library.clusters) {
      const where = c.members.map((m) => report.groups.findIndex((g) => g.photos.some((p) => p.relativePath === m)));
      if (new Set(where).size !== 1 || where[0] === -1)
        misses.push(`${c.label} (${c.kind}): ${c.members.map((m, i) => `${m}→${where[i]}`).join(', ')}`);
    }
    const extras = report.groups
      .map((g, i) => ({ i, labels: [...new Set(g.photos.map((p) => truthMap(library).get(p.relativePath) ?? `alone:${p.relativePath}`))] }))
      .filter((g) => g.labels.length > 1)
      .map((g) => `group ${g.i}: ${g.labels.join(' + ')}`);
    console.log(
      `pairwise precision ${score.precision.toFixed(3)}, recall ${score.recall.toFixed(3)}, F1 ${score.f1.toFixed(3)} ` +
        `(TP ${score.truePositives}, FP ${score.falsePositives}, FN ${score.falseNegatives})\n` +
        [...misses.map((m) => `split/missed: ${m}`), ...extras.map((e) => `merged: ${e}`)].join('\n'),
    );
    expect(score.precision).toBeGreaterThanOrEqual(0.97);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('labels each group with the kind of its truth cluster', () => {
    const truth = truthMap(library);
    const kinds = new Map(library.clusters.map((c) => [c.label, c.kind]));
    let right = 0;
    let total = 0;
    for (const g of report.groups) {
      const labels = g.photos.map((p) => truth.get(p.relativePath)).filter((l): l is string => !!l);
      const label = labels[0];
      if (!label) continue;
      total++;
      if (kinds.get(label) === g.kind) right++;
      else console.log(`kind: ${g.id} is ${g.kind}, truth ${label} is ${kinds.get(label)}`);
    }
    expect(total).toBeGreaterThan(0);
    expect(right / total).toBeGreaterThanOrEqual(0.8);
  });

  it('never modifies, moves or deletes an original', () => {
    expect(snapshot(library.root)).toEqual(before);
  });

  it('writes the seed tree: byte-identical originals, metadata.txt and a best_ copy per group', () => {
    for (const g of report.groups) {
      const dir = join(out, g.id);
      const originals = readdirSync(join(dir, 'originals')).sort();
      expect(originals).toHaveLength(g.photos.length);
      for (const p of g.photos) {
        const copy = readFileSync(join(dir, 'originals', p.outputName!));
        expect(copy.equals(readFileSync(p.path)), p.relativePath).toBe(true);
      }
      const best = g.photos.find((p) => p.isBest)!;
      expect(readFileSync(join(dir, `best_${best.outputName}`)).equals(readFileSync(best.path))).toBe(true);
      const text = readFileSync(join(dir, 'metadata.txt'), 'utf8');
      // The seed's opening lines, then the group's header (kind, best, why, time span), then the photos.
      expect(text.startsWith(`Photo Group - ${g.photos.length} images\n${'='.repeat(80)}\n\nkind: ${g.kind} `)).toBe(true);
      expect(text).toMatch(/\ntime_span: [^\n]+\n(undated: \d+\n)?\nPhoto 1: /);
      expect(text).toContain('reason: ');
    }
  });

  it('gives every grouped photo a score and a reason, and one best per group', () => {
    for (const g of report.groups) {
      expect(g.photos.filter((p) => p.isBest)).toHaveLength(1);
      for (const p of g.photos) {
        expect(p.score).toBeGreaterThan(0);
        expect(p.reason.length).toBeGreaterThan(5);
      }
    }
  });

  it('gives identical groups with one thread', async () => {
    const again = join(out, '..', 'Organized-1thread');
    const r = await runCli(['-s', library.root, '-o', again, '--threads', '1']);
    expect(r.code, r.stderr).toBe(0);
    const other = await readReport(join(again, 'reports', 'latest.json'));
    expect(foundGroups(other)).toEqual(foundGroups(report));
    expect(other.groups.map((g) => g.best)).toEqual(report.groups.map((g) => g.best));
  });

  it('decodes nothing on a second run over the unchanged library and rewrites nothing', async () => {
    const r = await runCli(['-s', library.root, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`Scanned ${library.photos.length} photos \\(${library.photos.length} from the catalog, 0 decoded\\)`),
    );
    expect(r.stdout).toMatch(/ 0 files written/);
    const second = await readReport(join(out, 'reports', 'latest.json'));
    expect(foundGroups(second)).toEqual(foundGroups(report));
  });
});
