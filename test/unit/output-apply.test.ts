import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FsPath, PhotoMetadata } from '../../src/core/types.js';
import { applyPlan, listGroupFolders, OutputRootError } from '../../src/output/apply.js';
import { planOutput } from '../../src/output/plan.js';
import type { OutputPlan } from '../../src/output/plan.js';
import { photoMetadata } from '../support/records.js';

const META: PhotoMetadata = photoMetadata({ width: 10, height: 10 });

let tmp: string;
let src: string;
let out: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'output-apply-'));
  src = join(tmp, 'src');
  out = join(tmp, 'out');
  await mkdir(join(src, 'a'), { recursive: true });
  await mkdir(join(src, 'b'), { recursive: true });
  // Larger than one 1 MiB compare chunk, so the byte comparison loops.
  await writeFile(join(src, 'a', 'IMG.jpg'), randomBytes(2_500_000));
  await writeFile(join(src, 'b', 'IMG.jpg'), randomBytes(1000));
  await writeFile(join(src, 'b', 'other.png'), randomBytes(5000));
});

afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function member(path: FsPath, isBest = false) {
  const info = await stat(path);
  return {
    photo: { path, relativePath: String(path).slice(src.length + 1), size: info.size, mtimeMs: info.mtimeMs, meta: META },
    decision: { score: isBest ? 1 : 0.5, reason: 'test', isBest },
  };
}

async function twoGroupPlan(): Promise<OutputPlan> {
  return planOutput({
    outputRoot: out,
    groups: [
      { photos: [await member(join(src, 'a', 'IMG.jpg'), true), await member(join(src, 'b', 'IMG.jpg'))] },
      { photos: [await member(join(src, 'b', 'other.png'), true)] },
    ],
    localOffset: () => 0,
  });
}

async function snapshot(paths: readonly string[]) {
  return Promise.all(
    paths.map(async (p) => {
      const info = await stat(p);
      return { bytes: await readFile(p), mtimeMs: info.mtimeMs, mode: info.mode };
    }),
  );
}

describe('applyPlan', () => {
  it('writes byte-identical copies, metadata.txt and best_, leaving the originals untouched', async () => {
    const sources = [join(src, 'a', 'IMG.jpg'), join(src, 'b', 'IMG.jpg'), join(src, 'b', 'other.png')];
    const before = await snapshot(sources);
    const plan = await twoGroupPlan();
    const progress: [number, number][] = [];
    const result = await applyPlan(plan, { onProgress: (done, total) => progress.push([done, total]) });

    expect(result).toEqual({ applied: 7, skipped: 0, removed: 0, cleanedTemps: 0, failed: [], aborted: false });
    expect(progress.at(-1)).toEqual([7, 7]);
    expect((await readFile(join(out, 'group_0001', 'originals', 'IMG.jpg'))).equals(before[0]!.bytes)).toBe(true);
    expect((await readFile(join(out, 'group_0001', 'originals', 'IMG_1.jpg'))).equals(before[1]!.bytes)).toBe(true);
    expect((await readFile(join(out, 'group_0001', 'best_IMG.jpg'))).equals(before[0]!.bytes)).toBe(true);
    expect((await readFile(join(out, 'group_0002', 'best_other.png'))).equals(before[2]!.bytes)).toBe(true);
    expect(await readFile(join(out, 'group_0001', 'metadata.txt'), 'utf8')).toMatch(/^Photo Group - 2 images\n/);
    const after = await snapshot(sources);
    after.forEach((file, i) => {
      expect(file.bytes.equals(before[i]!.bytes)).toBe(true);
      expect({ mtimeMs: file.mtimeMs, mode: file.mode }).toEqual({ mtimeMs: before[i]!.mtimeMs, mode: before[i]!.mode });
    });
    // Copies carry the source mtime, like the seed's shutil.copy2.
    const copied = await stat(join(out, 'group_0001', 'originals', 'IMG.jpg'));
    expect(Math.floor(copied.mtimeMs)).toBe(Math.floor(before[0]!.mtimeMs));
    expect((await readdir(join(out, 'group_0001'))).sort()).toEqual(['best_IMG.jpg', 'metadata.txt', 'originals']);
  });

  it('skips everything on a second run, with or without trusting mtimes', async () => {
    const plan = await twoGroupPlan();
    await applyPlan(plan);
    expect(await applyPlan(plan)).toMatchObject({ applied: 0, skipped: 7, failed: [] });
    expect(await applyPlan(plan, { trustMtime: true })).toMatchObject({ applied: 0, skipped: 7, failed: [] });
  });

  it('replaces a destination whose bytes differ from its source', async () => {
    const plan = await twoGroupPlan();
    await applyPlan(plan);
    const dest = join(out, 'group_0001', 'originals', 'IMG_1.jpg');
    const bytes = await readFile(dest);
    bytes[0] = bytes[0]! ^ 0xff;
    await writeFile(dest, bytes);
    await writeFile(join(out, 'group_0002', 'metadata.txt'), 'edited');
    expect(await applyPlan(plan)).toMatchObject({ applied: 2, skipped: 5 });
    expect((await readFile(dest)).equals(await readFile(join(src, 'b', 'IMG.jpg')))).toBe(true);
  });

  it('removes temp files a killed run left in the folders it touches, and only those', async () => {
    const originals = join(out, 'group_0001', 'originals');
    await mkdir(originals, { recursive: true });
    await writeFile(join(originals, '.IMG.jpg.tmp-99999-3'), 'half a copy');
    await writeFile(join(originals, 'notes.txt'), 'the user put this here');
    const result = await applyPlan(await twoGroupPlan());
    expect(result.cleanedTemps).toBe(1);
    expect((await readdir(originals)).sort()).toEqual(['IMG.jpg', 'IMG_1.jpg', 'notes.txt']);
  });

  it('records a copy whose source vanished and applies the rest', async () => {
    const plan = await twoGroupPlan();
    await rm(join(src, 'b', 'IMG.jpg'));
    const result = await applyPlan(plan);
    expect(result.applied).toBe(6);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({
      path: join(src, 'b', 'IMG.jpg'),
      target: 'group_0001/originals/IMG_1.jpg',
    });
    expect(result.failed[0]!.message).toContain('ENOENT');
    expect(await readdir(join(out, 'group_0001', 'originals'))).toEqual(['IMG.jpg']);
  });

  it('copies files whose names are not UTF-8', async () => {
    const name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]);
    const path = Buffer.concat([Buffer.from(`${src}/`), name]);
    await writeFile(path, 'latin-1 named');
    const plan = planOutput({ outputRoot: out, groups: [{ photos: [await member(path, true)] }], localOffset: () => 0 });
    expect(await applyPlan(plan)).toMatchObject({ applied: 3, failed: [] });
    const names = await readdir(Buffer.from(join(out, 'group_0001', 'originals')), { encoding: 'buffer' });
    expect(names).toEqual([name]);
    expect(await applyPlan(plan)).toMatchObject({ skipped: 3 });
  });

  it('removes only the listed stale files, then group folders left empty', async () => {
    const plan = await twoGroupPlan();
    await mkdir(join(out, 'group_0003', 'originals'), { recursive: true });
    await mkdir(join(out, 'group_0004', 'originals'), { recursive: true });
    await writeFile(join(out, 'group_0003', 'originals', 'x.jpg'), 'x');
    await writeFile(join(out, 'group_0003', 'metadata.txt'), 'm');
    await writeFile(join(out, 'group_0004', 'originals', 'y.jpg'), 'y');
    await writeFile(join(out, 'group_0004', 'originals', 'unlisted.jpg'), 'keep me');
    const stale = [
      join(out, 'group_0003', 'originals', 'x.jpg'),
      join(out, 'group_0003', 'metadata.txt'),
      join(out, 'group_0004', 'originals', 'y.jpg'),
      join(out, 'group_0004', 'originals', 'already-gone.jpg'),
    ];
    const result = await applyPlan(plan, { stale });
    expect(result).toMatchObject({ applied: 7, removed: 3, failed: [] });
    expect(await listGroupFolders(out)).toEqual(['group_0001', 'group_0002', 'group_0004']);
    expect(await readdir(join(out, 'group_0004', 'originals'))).toEqual(['unlisted.jpg']);
  });

  it('never removes a stale path that the new plan produces', async () => {
    const plan = await twoGroupPlan();
    const result = await applyPlan(plan, { stale: [join(out, 'group_0001', 'metadata.txt')] });
    expect(result.removed).toBe(0);
    expect(await readFile(join(out, 'group_0001', 'metadata.txt'), 'utf8')).toContain('Photo Group');
  });

  it('refuses stale paths outside the output root before touching anything', async () => {
    const plan = await twoGroupPlan();
    for (const path of [
      join(src, 'a', 'IMG.jpg'),
      `${out}/group_0001/../../src/a/IMG.jpg`,
      `${out}/group_0001`,
      `${out}/reports/latest.json`,
      `${out}-other/group_0001/x.jpg`,
    ]) {
      await expect(applyPlan(plan, { stale: [path] })).rejects.toThrow(OutputRootError);
    }
    expect(await listGroupFolders(out)).toEqual([]);
    expect(await readFile(join(src, 'a', 'IMG.jpg'))).toHaveLength(2_500_000);
  });

  it('refuses a plan whose destination lies outside the root or is a source', async () => {
    const plan = await twoGroupPlan();
    const escaping = { ...plan, operations: [{ ...plan.operations[0]!, dir: `${out}/../src/a`, to: `${out}/../src/a/IMG.jpg` }] };
    await expect(applyPlan(escaping)).rejects.toThrow('Refusing to write outside the output root');
    const onSource = { ...plan, root: src, operations: [{ ...plan.operations[0]!, dir: `${src}/a`, to: `${src}/a/IMG.jpg` }] };
    await expect(applyPlan(onSource)).rejects.toThrow('Refusing to overwrite a source photo');
  });

  it('does not follow a group folder that is a symlink out of the root', async () => {
    const elsewhere = join(tmp, 'elsewhere');
    await mkdir(elsewhere);
    await mkdir(out);
    await symlink(elsewhere, join(out, 'group_0002'));
    const result = await applyPlan(await twoGroupPlan());
    expect(result.failed.map((f) => f.target)).toEqual([
      'group_0002/originals/other.png',
      'group_0002/metadata.txt',
      'group_0002/best_other.png',
    ]);
    expect(result.failed[0]!.message).toContain('Refusing to write outside the output root');
    expect(await readdir(elsewhere)).toEqual(['originals']);
    expect(await readdir(join(elsewhere, 'originals'))).toEqual([]);
  });

  it('stops before the next operation once aborted', async () => {
    const controller = new AbortController();
    const result = await applyPlan(await twoGroupPlan(), {
      signal: controller.signal,
      onProgress: (done) => {
        if (done === 2) controller.abort();
      },
    });
    expect(result).toMatchObject({ applied: 2, aborted: true });
  });
});

describe('listGroupFolders', () => {
  it('lists group_NNNN folders in number order and ignores everything else', async () => {
    for (const name of ['group_10000', 'group_0002', 'group_0001', 'group_12', 'reports', 'group_0003x']) {
      await mkdir(join(out, name), { recursive: true });
    }
    await writeFile(join(out, 'group_0009'), 'a file, not a folder');
    expect(await listGroupFolders(out)).toEqual(['group_0001', 'group_0002', 'group_10000']);
    expect(await listGroupFolders(join(tmp, 'missing'))).toEqual([]);
  });
});
