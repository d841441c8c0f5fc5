/**
 * What -t and --time-window mean on a real-looking library: 0–3 keeps only copies, the default
 * catches every kind, looser settings still keep look-alike scenes apart.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readReport } from '../../src/report/write.js';
import { runCli } from '../support/cli.js';
import { buildLibrary, groupsToMap, type Library, pairwise, truthMap } from '../support/library.js';

describe('threshold and time window', () => {
  let library: Library;
  let base: string;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-threshold-'));
    library = await buildLibrary(join(base, 'Photos'));
  });

  async function organize(...args: string[]) {
    const out = join(base, `out${args.join('')}`);
    // Faces only change the best pick, not the groups: skip them to keep the suite quick.
    const r = await runCli(['-s', library.root, '-o', out, '--face-backend', 'none', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const report = await readReport(join(out, 'reports', 'latest.json'));
    const groups = report.groups.map((g) => g.photos.map((p) => p.relativePath));
    const score = pairwise(truthMap(library), groupsToMap(groups));
    console.log(
      `${args.join(' ')}: precision ${score.precision.toFixed(3)} recall ${score.recall.toFixed(3)}, ${report.groups.length} groups (${report.groups.map((g) => g.kind).join(', ')})`,
    );
    return { report, score };
  }

  it('-t 3 groups only copies of the same picture, all labelled duplicate', async () => {
    const { report } = await organize('-t', '3');
    const duplicateClusters = library.clusters.filter((c) => c.kind === 'duplicate');
    expect(report.groups.map((g) => g.kind)).toEqual(duplicateClusters.map(() => 'duplicate'));
    const truth = truthMap(library);
    for (const g of report.groups) {
      const labels = new Set(g.photos.map((p) => truth.get(p.relativePath)));
      expect(labels.size).toBe(1);
    }
  });

  it('--time-window 0 still finds every group and keeps look-alikes apart', async () => {
    const { score } = await organize('--time-window', '0');
    expect(score.precision).toBeGreaterThanOrEqual(0.97);
    expect(score.recall).toBeGreaterThanOrEqual(0.85);
  });

  it('-t 8 loosens without merging different scenes', async () => {
    const { score } = await organize('-t', '8');
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
    expect(score.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('a 1-second time window splits what was shot further apart, except copies', async () => {
    const { report } = await organize('--time-window', '1');
    const truth = truthMap(library);
    const similarLabels = new Set(library.clusters.filter((c) => c.kind === 'similar').map((c) => c.label));
    for (const g of report.groups) {
      expect(g.photos.some((p) => similarLabels.has(truth.get(p.relativePath) ?? ''))).toBe(false);
    }
    expect(report.groups.filter((g) => g.kind === 'duplicate').length).toBe(library.clusters.filter((c) => c.kind === 'duplicate').length);
  });
});
