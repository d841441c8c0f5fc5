/**
 * --conflict-strategy manual: the user's changes on the server kept in the catalog until decided,
 * listed per group in the report, and turned into review decisions when the user keeps them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepToolChoice, loadConflicts, regroupConflicts, replaceConflicts, type SyncConflict } from '../../src/catalog/conflicts.js';
import { openDatabase } from '../../src/catalog/database.js';
import { loadPhotos, saveFingerprints, syncItems } from '../../src/catalog/items.js';
import { beginRun } from '../../src/catalog/runs.js';
import type { AdjustedGroup } from '../../src/core/decisions.js';
import { asPhotoId, type PhotoId } from '../../src/core/types.js';
import { writeRunReport } from '../../src/pipeline/sinks/report.js';
import { readReport } from '../../src/report/write.js';
import { conflictsIn, keepingServer } from '../../src/review/conflicts.js';
import { MemorySource } from '../support/memory-source.js';
import { imageQuality, photoMetadata } from '../support/records.js';

const ids = (...n: number[]): PhotoId[] => n.map(asPhotoId);
const cover = (photo: number, was: number, members = ids(1, 2, 3)) => ({
  members,
  kind: 'cover' as const,
  photo: asPhotoId(photo),
  was: asPhotoId(was),
});
const out = (kind: 'unstacked' | 'unalbumed', photo: number, members = ids(1, 2, 3)) => ({
  members,
  kind,
  photo: asPhotoId(photo),
  was: null,
});
const group = (members: PhotoId[], best: PhotoId): AdjustedGroup => ({
  number: 3,
  kind: 'burst',
  order: 3,
  changedBy: [],
  members: members.map((photoId) => ({ photoId, score: 0.5, reason: '', isBest: photoId === best })),
});

describe('conflicts in the catalog', () => {
  it('keeps those still found (with the time first found), drops those undone, and tells which are new', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-conflicts-')), 'catalog.db'));
    const first = replaceConflicts(db, 'immich:a', [cover(2, 1), out('unstacked', 3)], new Date('2024-05-01T10:00:00Z'));
    expect(first.map((c) => c.kind)).toEqual(['cover', 'unstacked']);
    keepToolChoice(db, 'immich:a', ids(3, 2, 1));
    const second = replaceConflicts(db, 'immich:a', [cover(2, 1), out('unalbumed', 2)], new Date('2024-05-01T11:00:00Z'));
    expect(second.map((c) => c.kind)).toEqual(['unalbumed']);
    const stored = loadConflicts(db, 'immich:a');
    expect(stored.map((c) => [c.kind, c.foundAt, c.toolWins])).toEqual([
      ['cover', '2024-05-01T10:00:00.000Z', true],
      ['unalbumed', '2024-05-01T11:00:00.000Z', false],
    ]);
    expect(loadConflicts(db, 'local')).toEqual([]);
    db.close();
  });
  it('keeps a conflict of a group a new frame joined, under the group’s new members, with its time and decision', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-conflicts-')), 'catalog.db'));
    replaceConflicts(db, 'immich:a', [cover(2, 1)], new Date('2024-05-01T10:00:00Z'));
    keepToolChoice(db, 'immich:a', ids(1, 2, 3));
    const again = replaceConflicts(db, 'immich:a', [cover(2, 1, ids(4, 1, 2, 3))], new Date('2024-05-01T11:00:00Z'));
    expect(again).toEqual([]);
    expect(loadConflicts(db, 'immich:a').map((c) => [c.members, c.foundAt, c.toolWins])).toEqual([
      [ids(1, 2, 3, 4), '2024-05-01T10:00:00.000Z', true],
    ]);
    db.close();
  });
  it('moves a conflict onto the group that holds its photo now, the one sharing most with where it was found', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-conflicts-')), 'catalog.db'));
    replaceConflicts(db, 'immich:a', [cover(2, 1), out('unstacked', 9, ids(8, 9))], new Date('2024-05-01T10:00:00Z'));
    // A new frame 4 joined 1-3; 2 is also in a person group; 9 is in no group now.
    regroupConflicts(db, 'immich:a', [ids(2, 5, 6), ids(1, 2, 3, 4), ids(7, 8)]);
    expect(loadConflicts(db, 'immich:a').map((c) => [c.kind, c.members])).toEqual([
      ['cover', ids(1, 2, 3, 4)],
      ['unstacked', ids(8, 9)],
    ]);
    db.close();
  });
});

describe('deciding on the review page', () => {
  const stored = (c: Omit<SyncConflict, 'foundAt' | 'toolWins'>, toolWins = false): SyncConflict => ({ ...c, foundAt: 'now', toolWins });

  it('keeps the user’s change as one pick and the photos taken out, only for the group as it stands', () => {
    const g = group(ids(1, 2, 3), asPhotoId(1));
    const waiting = conflictsIn([stored(cover(2, 1)), stored(out('unstacked', 3)), stored(cover(3, 1, ids(1, 3)))], g);
    expect(keepingServer(waiting, g)).toEqual([
      { kind: 'pick', photo: 2 },
      { kind: 'exclude', photo: 3 },
    ]);
    // Decided for this tool's choice: no longer waiting.
    expect(conflictsIn([stored(cover(2, 1), true)], g)).toEqual([]);
    // A cover moved to the photo that is best already needs no pick.
    expect(keepingServer([stored(cover(1, 2))], g)).toEqual([]);
  });

  it('lists a group’s waiting changes in the report, photos named as the source names them', async () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-conflicts-')), 'catalog.db'));
    const run = beginRun(db, '{}', new Date()).id;
    const keys = ['IMG_1.JPG', 'IMG_2.JPG'];
    const listed = syncItems(
      db,
      'local',
      run,
      keys.map((key) => ({ key, version: 'v', size: 1, mtimeMs: 1 })),
    ).ids;
    saveFingerprints(
      db,
      listed.map((id) => ({
        id,
        pixels: 'original' as const,
        meta: photoMetadata({ takenAt: null }),
        fingerprint: { dhash: 1n, sketch: new Uint8Array(1024), color: new Uint8Array(192), quality: imageQuality() },
      })),
    );
    const photos = loadPhotos(db, listed);
    const root = mkdtempSync(join(tmpdir(), 'po-conflicts-out-'));
    const written = await writeRunReport({
      source: new MemorySource(keys.map((key) => ({ key }))),
      root,
      options: {},
      groups: [
        {
          number: 7,
          kind: 'burst',
          person: null,
          members: photos.map((photo, i) => ({ photo, decision: { photoId: photo.id, score: 0.5, reason: 'r', isBest: i === 0 } })),
        },
      ],
      plan: null,
      ungrouped: [],
      errors: [],
      timings: {},
      conflicts: [
        { members: listed, kind: 'cover', photo: listed[1]!, was: listed[0]!, foundAt: '2024-05-01T10:00:00.000Z', toolWins: false },
        { members: [listed[0]!], kind: 'unstacked', photo: listed[0]!, was: null, foundAt: '2024-05-01T10:00:00.000Z', toolWins: false },
      ],
    });
    expect((await readReport(written.latest)).groups[0]!.conflicts).toEqual([
      { change: 'cover', photo: 'IMG_2.JPG', was: 'IMG_1.JPG', foundAt: '2024-05-01T10:00:00.000Z' },
    ]);
    db.close();
  });
});
