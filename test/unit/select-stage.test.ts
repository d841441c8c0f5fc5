/**
 * The select stage on a real temporary catalog, for any source: ranking (copies of one picture by
 * how they were saved, whatever the source), the automatic groups stored, and review decisions
 * replayed with each group's number and person kept.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { saveDecision } from '../../src/catalog/decisions.js';
import { loadPhotos, saveFingerprints, type StoredPhoto, syncItems } from '../../src/catalog/items.js';
import { beginRun, loadGroups } from '../../src/catalog/runs.js';
import { silentProgress } from '../../src/pipeline/progress.js';
import type { FoundGroup } from '../../src/pipeline/stages/group.js';
import { selectStage } from '../../src/pipeline/stages/select.js';
import { MemorySource } from '../support/memory-source.js';
import { imageQuality, photoMetadata } from '../support/records.js';
import type { PhotoId } from '../../src/core/types.js';

interface Setup {
  readonly db: Db;
  readonly run: number;
  readonly source: MemorySource;
  readonly photos: StoredPhoto[];
}

/** Items of `sourceId` (in a new catalog, or `into`); item i has `megapixels[i]` and a file of `sizes[i]` bytes. */
function setup(sourceId: string, megapixels: readonly number[], sizes: readonly number[], into?: Db): Setup {
  const db = into ?? openDatabase(join(mkdtempSync(join(tmpdir(), 'po-select-')), 'catalog.db'));
  const run = beginRun(db, '{}', new Date()).id;
  const keys = megapixels.map((_, i) => `IMG_${i}.JPG`);
  const source = new MemorySource(
    keys.map((key) => ({ key })),
    { id: sourceId },
  );
  const { ids } = syncItems(
    db,
    sourceId,
    run,
    keys.map((key, i) => ({ key, version: `v${i}`, size: sizes[i]!, mtimeMs: 1 })),
  );
  saveFingerprints(
    db,
    ids.map((id, i) => ({
      id,
      pixels: 'original' as const,
      meta: photoMetadata({ takenAt: null }),
      fingerprint: {
        dhash: 1n,
        sketch: new Uint8Array(1024),
        color: new Uint8Array(192),
        quality: { ...imageQuality(), megapixels: megapixels[i]! },
      },
    })),
  );
  return { db, run, source, photos: loadPhotos(db, ids) };
}

const select = (s: Setup, groups: FoundGroup[]) =>
  selectStage({ db: s.db, runId: s.run, source: s.source, analyzer: null, serverFaces: null, sink: silentProgress }, groups);

describe('selectStage', () => {
  for (const sourceId of ['local', 'https://photos.example.com/api']) {
    it(`ranks copies of one picture by resolution, then file size, on ${sourceId === 'local' ? 'a folder' : 'an Immich server'}`, () => {
      const s = setup(sourceId, [3, 12, 12], [900_000, 2_000_000, 4_000_000]);
      const [group] = select(s, [{ kind: 'duplicate', person: null, members: s.photos.slice(0, 3) }]);
      const best = group!.members.find((m) => m.decision.isBest)!;
      expect(best.photo.key).toBe('IMG_2.JPG');
      expect(best.decision.reason).toMatch(/^best copy: 12\.0 MP/);
    });
  }

  it('stores the automatic ranking, and gives a part split off in review its group’s person and a new number', () => {
    const s = setup('https://a/api', [12, 12, 12, 12, 12, 12], [1, 2, 3, 4, 5, 6]);
    const [p1, p2, p3, p4, p5, p6] = s.photos.map((p) => p.id) as [PhotoId, PhotoId, PhotoId, PhotoId, PhotoId, PhotoId];
    // Person mode: the same photo may be in Alice's group and in Bob's.
    const found: FoundGroup[] = [
      { kind: 'burst', person: 'Alice', members: s.photos.slice(0, 4) },
      { kind: 'burst', person: 'Bob', members: s.photos.slice(3) },
    ];
    saveDecision(s.db, s.source.scope, { kind: 'split', group: [p1, p2, p3, p4], part: [p3, p4] }, new Date());
    saveDecision(s.db, s.source.scope, { kind: 'pick', group: [p4, p5, p6], photo: p6 }, new Date());
    const out = select(s, found);
    expect(loadGroups(s.db, s.run).map((g) => [g.number, g.person, g.members.map((m) => m.photoId)])).toEqual([
      [1, 'Alice', [p1, p2, p3, p4]],
      [2, 'Bob', [p4, p5, p6]],
    ]);
    expect(out.map((g) => [g.number, g.person, g.members.map((m) => m.photo.id)])).toEqual([
      [1, 'Alice', [p1, p2]],
      [3, 'Alice', [p3, p4]],
      [2, 'Bob', [p4, p5, p6]],
    ]);
    expect(out[2]!.members.filter((m) => m.decision.isBest).map((m) => m.photo.id)).toEqual([p6]);
  });

  it('keeps the numbers of the groups of the run before, a new group taking the next number', () => {
    const s = setup('local', [12, 12, 12, 12, 12, 12, 12], [1, 2, 3, 4, 5, 6, 7]);
    const [a, b, c, d, e, f, g] = s.photos;
    select(s, [
      { kind: 'burst', person: null, members: [a!, b!] },
      { kind: 'burst', person: null, members: [d!, e!] },
    ]);
    // The next run: a new burst sorts first (it was taken earlier), and a frame joined the second.
    const next = { ...s, run: beginRun(s.db, '{}', new Date()).id };
    const out = select(next, [
      { kind: 'burst', person: null, members: [f!, g!] },
      { kind: 'burst', person: null, members: [a!, b!] },
      { kind: 'burst', person: null, members: [c!, d!, e!] },
    ]);
    expect(out.map((g) => [g.number, g.members.map((m) => m.photo.key)])).toEqual([
      [1, ['IMG_0.JPG', 'IMG_1.JPG']],
      [2, ['IMG_2.JPG', 'IMG_3.JPG', 'IMG_4.JPG']],
      [3, ['IMG_5.JPG', 'IMG_6.JPG']],
    ]);
  });

  it('numbers groups of another source (one server under another address) from 1, apart from this one’s', () => {
    const s = setup('https://a/api', [12, 12, 12, 12], [1, 2, 3, 4]);
    select(s, [{ kind: 'burst', person: null, members: s.photos.slice(0, 2) }]);
    const other = setup('https://b/api', [12, 12], [1, 2], s.db);
    const out = select(other, [{ kind: 'burst', person: null, members: other.photos }]);
    expect(out.map((g) => g.number)).toEqual([1]);
  });

  it('ranks on the faces the server found when they are given', () => {
    const s = setup('https://a/api', [12, 12], [1, 2]);
    s.source.serverFaceMap = new Map([[s.photos[1]!.id, [{ x1: 0, y1: 0, x2: 500, y2: 500, imageWidth: 1000, imageHeight: 1000 }]]]);
    const serverFaces = s.source.serverFaceMap;
    const [group] = selectStage({ db: s.db, runId: s.run, source: s.source, analyzer: null, serverFaces, sink: silentProgress }, [
      { kind: 'burst', person: null, members: s.photos },
    ]);
    expect(group!.members.find((m) => m.decision.isBest)!.photo.id).toBe(s.photos[1]!.id);
  });
});
