/** The CLI around grouping: groups left out by --min-group-size are counted, earlier output trees inside -s are skipped. */
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { buildLibrary, type Library } from '../support/library.js';

describe('grouping from the command line', () => {
  let base: string;
  let library: Library;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'po-grouping-cli-'));
    library = await buildLibrary(join(base, 'Photos'), { variant: 'small' });
    // One copy of a photo that is alone in the truth: a pair of copies, below the default --min-group-size 3.
    const single = library.photos.find((p) => p.cluster === null && p.format === 'jpeg')!;
    mkdirSync(join(library.root, 'copies'));
    copyFileSync(join(library.root, single.relativePath), join(library.root, 'copies', 'copy.jpg'));
  });

  it('says how many groups --min-group-size left out, and keeps them with --min-group-size 2', async () => {
    const r = await runCli(['-s', library.root, '-o', join(base, 'Out-default'), '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 group of 2 left out: --min-group-size 2 keeps them.');
    const kept = await runCli(['-s', library.root, '-o', join(base, 'Out-pairs'), '--dry-run', '--min-group-size', '2']);
    expect(kept.stdout).not.toContain('left out');
    const groups = (out: string): number => Number(/Found (\d+) groups?/.exec(out)![1]);
    expect(groups(kept.stdout)).toBe(groups(r.stdout) + 1);
  });

  it('skips an earlier output tree inside the source with a notice, instead of grouping its copies', async () => {
    const first = await runCli(['-s', library.root, '-o', join(library.root, 'Organized')]);
    expect(first.code).toBe(0);
    const found = /Found (\d+) groups?/.exec(first.stdout)![1];
    const second = await runCli(['-s', library.root, '-o', join(base, 'Elsewhere'), '--dry-run']);
    expect(second.code).toBe(0);
    expect(second.stdout + second.stderr).toContain(`Skipped ${join(library.root, 'Organized')}: it is an output folder of an earlier run`);
    expect(/Found (\d+) groups?/.exec(second.stdout)![1]).toBe(found);
    expect(second.stdout).toMatch(new RegExp(`Scanned ${library.photos.length + 1} photos`));
  });
});
