/**
 * Crash safety: a run killed with SIGKILL at several points, then resumed, must leave exactly
 * the output of an uninterrupted run — nothing lost, nothing duplicated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { latestRun, type RunRecord, type RunStage } from '../../src/catalog/runs.js';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';

/** Output tree as relative path → sha256, leaving out the reports, the run logs and the catalog (each run has its own). */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, prefix: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (prefix === '' && (e.name === 'reports' || e.name === 'logs' || e.name === '.photo-organizer')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p, `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** The newest run in the catalog of output folder `out`, read without changing the file. */
function lastRun(out: string): RunRecord | null {
  const db = new Database(join(out, '.photo-organizer', 'catalog.db'), { readonly: true, fileMustExist: true });
  try {
    return latestRun(db);
  } finally {
    db.close();
  }
}

async function groupsOf(out: string) {
  const r = await readReport(join(out, 'reports', 'latest.json'));
  return {
    groups: r.groups.map((g) => ({ kind: g.kind, best: g.best, photos: g.photos.map((p) => p.relativePath) })),
    ungrouped: r.ungrouped,
  };
}

describe('resume after SIGKILL', () => {
  let library: Library;
  let base: string;
  let expected: Record<string, string>;
  let expectedGroups: Awaited<ReturnType<typeof groupsOf>>;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-resume-'));
    library = await buildLibrary(join(base, 'Photos'));
    const reference = join(base, 'reference');
    const r = await runCli(['-s', library.root, '-o', reference, '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    expected = tree(reference);
    expectedGroups = await groupsOf(reference);
    expect(Object.keys(expected).length).toBeGreaterThan(20);
  });

  // Each kill lands at the moment the run prints `line` (`delayMs` later for the one mid-stage):
  // the CLI freezes itself there until the SIGKILL arrives, so the stage it dies in is known.
  const points: { name: string; line: RegExp; delayMs?: number; stage: RunStage; args?: string[] }[] = [
    // Found every file, recorded none of them yet.
    { name: 'while scanning', line: /Scanning: \d+ files found in/, stage: 'discover' },
    // Some fingerprints stored, the rest not (one thread keeps the stage long enough).
    { name: 'mid-way through fingerprinting', line: /Fingerprinting: \d+ photos\n/, delayMs: 600, stage: 'inspect' },
    { name: 'as it starts writing the output', line: /Writing output: \d+ files\n/, stage: 'output' },
    // Every file in place, the report not written and the run not marked done; --verbose prints
    // the stage's closing line however short the stage was.
    { name: 'after writing the output', line: /Writing output: \d+ files in/, stage: 'output', args: ['--verbose'] },
  ];
  for (const point of points) {
    it(`ends with the uninterrupted output when killed ${point.name}`, async () => {
      const out = join(base, `killed-${point.name.replace(/\W+/g, '-')}`);
      const killAt = { line: point.line, ...(point.delayMs === undefined ? {} : { delayMs: point.delayMs }) };
      const killed = await runCli(['-s', library.root, '-o', out, '--threads', '1', ...(point.args ?? [])], { killAt });
      expect(killed.signal, killed.stderr).toBe('SIGKILL');
      expect(lastRun(out)).toMatchObject({ stage: point.stage, finishedAt: null });
      const resumed = await runCli(['-o', out, '--resume', '--threads', '2']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(tree(out)).toEqual(expected);
      expect(await groupsOf(out)).toEqual(expectedGroups);
      // No temp file from the killed run survives anywhere in the output.
      expect(Object.keys(tree(out)).filter((p) => p.includes('.tmp-'))).toEqual([]);
    });
  }
});
