import { describe, expect, it } from 'vitest';
import type { FsPath, PhotoMetadata } from '../../src/core/types.js';
import type { OutputPhoto } from '../../src/output/metadata-text.js';
import {
  groupFolderName,
  OutputPlanError,
  planOutput,
  plannedPaths,
  renderPlan,
  staleOutputs,
  uniqueNames,
} from '../../src/output/plan.js';
import type { CopyOperation, OutputGroup } from '../../src/output/plan.js';
import { photoMetadata } from '../support/records.js';

const META: PhotoMetadata = photoMetadata({ width: 10, height: 10 });

function member(relativePath: string | Buffer, isBest = false): OutputPhoto {
  const path: FsPath = typeof relativePath === 'string' ? `/lib/${relativePath}` : Buffer.concat([Buffer.from('/lib/'), relativePath]);
  const shown = typeof relativePath === 'string' ? relativePath : relativePath.toString('latin1');
  return {
    photo: { path, relativePath: shown, size: 100, mtimeMs: 0, meta: META },
    decision: { score: isBest ? 0.9 : 0.4, reason: isBest ? 'best' : 'worse', isBest },
  };
}

function group(...photos: OutputPhoto[]): OutputGroup {
  return { photos };
}

const fixedOffset = (): number => 0;

describe('planOutput', () => {
  it('produces originals, metadata.txt and the best_ copy for each group in order', () => {
    const plan = planOutput({
      outputRoot: '/out/',
      groups: [group(member('2024/IMG_0001.JPG', true), member('2024/IMG_0002.JPG'))],
      localOffset: fixedOffset,
    });
    expect(plan.root).toBe('/out');
    expect(renderPlan(plan)).toEqual([
      'copy 2024/IMG_0001.JPG → group_0001/originals/IMG_0001.JPG',
      'copy 2024/IMG_0002.JPG → group_0001/originals/IMG_0002.JPG',
      'write group_0001/metadata.txt',
      'copy 2024/IMG_0001.JPG → group_0001/best_IMG_0001.JPG',
    ]);
    const [first] = plan.operations as CopyOperation[];
    expect(first).toMatchObject({ from: '/lib/2024/IMG_0001.JPG', dir: '/out/group_0001/originals', size: 100 });
    expect(plan.groups).toEqual([
      {
        folder: 'group_0001',
        dir: '/out/group_0001',
        originals: ['IMG_0001.JPG', 'IMG_0002.JPG'],
        bestName: 'best_IMG_0001.JPG',
        extras: [],
        kind: null,
        bestLabel: '2024/IMG_0001.JPG',
      },
    ]);
  });

  it('copies a group’s extra files (an HDR merge) in after the best_ copy', () => {
    const plan = planOutput({
      outputRoot: '/out',
      groups: [
        {
          number: 3,
          photos: [member('a.jpg', true), member('b.jpg')],
          extras: [{ name: 'hdr_merged.jpg', from: '/cat/enhanced/hdr-1.jpg', size: 777, mtimeMs: 5, label: 'HDR merge of a.jpg, b.jpg' }],
        },
      ],
      localOffset: fixedOffset,
    });
    expect(renderPlan(plan).at(-1)).toBe('copy HDR merge of a.jpg, b.jpg → group_0003/hdr_merged.jpg');
    expect(plan.operations.at(-1)).toMatchObject({
      kind: 'copy',
      role: 'extra',
      from: '/cat/enhanced/hdr-1.jpg',
      to: '/out/group_0003/hdr_merged.jpg',
      size: 777,
      mtimeMs: 5,
    });
    expect(plan.groups[0]!.extras).toEqual(['hdr_merged.jpg']);
  });

  it('numbers clashing names _1, _2 before the extension, in member order', () => {
    const plan = planOutput({
      outputRoot: '/out',
      groups: [group(member('a/IMG.jpg'), member('b/IMG.jpg'), member('c/IMG.jpg', true), member('d/README'))],
      localOffset: fixedOffset,
    });
    expect(plan.groups[0]!.originals).toEqual(['IMG.jpg', 'IMG_1.jpg', 'IMG_2.jpg', 'README']);
    expect(plan.groups[0]!.bestName).toBe('best_IMG_2.jpg');
  });

  it('steps over generated names that a later photo already has, and folds ASCII case', () => {
    expect(uniqueNames(['IMG.jpg', 'IMG.jpg', 'IMG_1.jpg', 'img.JPG', '.hidden', '.hidden', 'x.'])).toEqual([
      'IMG.jpg',
      'IMG_1.jpg',
      'IMG_1_1.jpg',
      'img_2.JPG',
      '.hidden',
      '.hidden_1',
      'x.',
    ]);
  });

  it('numbers groups from 1 with four digits and widens past 9999', () => {
    expect(groupFolderName(1)).toBe('group_0001');
    expect(groupFolderName(9999)).toBe('group_9999');
    expect(groupFolderName(10000)).toBe('group_10000');
    const groups = Array.from({ length: 10000 }, (_, i) => group(member(`p${i}.jpg`, true)));
    const plan = planOutput({ outputRoot: '/out', groups, localOffset: fixedOffset });
    expect(plan.groups.at(-2)!.folder).toBe('group_9999');
    expect(plan.groups.at(-1)!.folder).toBe('group_10000');
    expect(plan.operations.at(-1)!.to).toBe('/out/group_10000/best_p9999.jpg');
  });

  it('keeps non-UTF-8 names as bytes, numbering and prefixing them byte-wise', () => {
    const name = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x6a, 0x70, 0x67]); // "caf\xe9.jpg" in Latin-1
    const plan = planOutput({
      outputRoot: '/out',
      groups: [group(member(Buffer.concat([Buffer.from('a/'), name]), true), member(Buffer.concat([Buffer.from('b/'), name])))],
      localOffset: fixedOffset,
    });
    const [first, second] = plan.groups[0]!.originals;
    expect(Buffer.isBuffer(first)).toBe(true);
    expect(first).toEqual(name);
    expect(second).toEqual(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x5f, 0x31, 0x2e, 0x6a, 0x70, 0x67]));
    expect(plan.operations.at(-1)!.to).toEqual(Buffer.concat([Buffer.from('/out/group_0001/best_'), name]));
    expect(renderPlan(plan)[1]).toBe('copy b/caf\xe9.jpg → group_0001/originals/caf\\xe9_1.jpg');
  });

  it('is deterministic: the same input gives the same plan', () => {
    const input = {
      outputRoot: '/out',
      groups: [group(member('x/a.jpg'), member('y/a.jpg', true)), group(member('z/b.png', true))],
      localOffset: fixedOffset,
    };
    expect(planOutput(input)).toEqual(planOutput(input));
    expect(renderPlan(planOutput(input))).toEqual(renderPlan(planOutput(input)));
  });

  it('rejects a relative root, an empty group and a group without exactly one best', () => {
    expect(() => planOutput({ outputRoot: 'out', groups: [] })).toThrow(OutputPlanError);
    expect(() => planOutput({ outputRoot: '/out', groups: [group()] })).toThrow(/group_0001/);
    expect(() => planOutput({ outputRoot: '/out', groups: [group(member('a.jpg', true), member('b.jpg', true))] })).toThrow(
      'Expected a non-empty group with exactly one best photo for group_0001 but received 2 photos and 2 best',
    );
  });
});

describe('staleOutputs', () => {
  it('lists earlier outputs the new plan no longer produces, comparing bytes', () => {
    const plan = planOutput({ outputRoot: '/out', groups: [group(member('a.jpg', true))], localOffset: fixedOffset });
    const previous = [
      '/out/group_0001/originals/a.jpg',
      '/out/group_0001/originals/old.jpg',
      Buffer.from('/out/group_0001/metadata.txt'),
      '/out/group_0002/metadata.txt',
    ];
    expect(staleOutputs(previous, plan)).toEqual(['/out/group_0001/originals/old.jpg', '/out/group_0002/metadata.txt']);
    expect(plannedPaths(plan)).toHaveLength(3);
  });
});
