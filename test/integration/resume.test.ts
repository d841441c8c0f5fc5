/**
 * Crash safety: a run killed with SIGKILL at several points, then resumed, must leave exactly
 * the output of an uninterrupted run — nothing lost, nothing duplicated.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
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

async function groupsOf(out: string) {
  const r = await readReport(join(out, 'reports', 'latest.json'));
  return { groups: r.groups.map((g) => ({ kind: g.kind, best: g.best, photos: g.photos.map((p) => p.relativePath) })), ungrouped: r.ungrouped };
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

  const points: { name: string; when: RegExp; delayMs: number }[] = [
    { name: 'while scanning', when: /Scanning|Fingerprinting/, delayMs: 0 },
    { name: 'mid-way through fingerprinting', when: /Fingerprinting: \d+ photos\n/, delayMs: 600 },
    { name: 'while writing the output', when: /Writing output: \d+ files\n/, delayMs: 40 },
    { name: 'after writing the output', when: /Writing output: \d+ files in/, delayMs: 0 },
  ];
  for (const point of points) {
    it(`ends with the uninterrupted output when killed ${point.name}`, async () => {
      const out = join(base, `killed-${point.name.replace(/\W+/g, '-')}`);
      const killed = await runCli(['-s', library.root, '-o', out, '--threads', '1'], { killWhen: point.when, killDelayMs: point.delayMs });
      // The kill may land after a fast stage finished; either way the resumed run must converge.
      console.log(`${point.name}: ${killed.signal ?? `exit ${killed.code}`}; last line: ${killed.stderr.trim().split('\n').at(-1)}`);
      const resumed = await runCli(['-o', out, '--resume', '--threads', '2']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(tree(out)).toEqual(expected);
      expect(await groupsOf(out)).toEqual(expectedGroups);
      // No temp file from the killed run survives anywhere in the output.
      expect(Object.keys(tree(out)).filter((p) => p.includes('.tmp-'))).toEqual([]);
    });
  }
});
