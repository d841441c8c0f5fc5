/** The catalog on a real temporary SQLite file: caching by file identity, runs, groups, outputs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openDatabase, openScratchCopy } from '../../src/catalog/database.js';
import {
  itemIdsSeen,
  itemVersion,
  loadErrors,
  loadItems,
  loadPhotosSeen,
  pendingItems,
  saveErrors,
  saveFingerprints,
  sketchReader,
  syncItems,
} from '../../src/catalog/items.js';
import {
  beginRun,
  finishRun,
  latestRun,
  loadGroups,
  loadOutputs,
  peekLatestRun,
  recordOutputs,
  forgetOutputs,
  saveGroups,
} from '../../src/catalog/runs.js';
import type { Fingerprint, FsPath, PhotoMetadata } from '../../src/core/types.js';
import { photoMetadata } from '../support/records.js';
import { asPhotoId } from '../../src/core/types.js';

const meta: PhotoMetadata = photoMetadata({ width: 4, height: 3 });
const fingerprint = (n: number): Fingerprint => ({
  dhash: BigInt(n) * 0x0101_0101n,
  sketch: new Uint8Array(1024).fill(n),
  color: new Uint8Array(192).fill(n),
  quality: { sharpness: n, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
});
type Db = ReturnType<typeof openDatabase>;
const syncFiles = (db: Db, run: number, files: { path: FsPath; size: number; mtimeMs: number }[]) =>
  syncItems(
    db,
    'local',
    run,
    files.map((f) => ({ key: f.path, version: itemVersion.local(f.size, f.mtimeMs), size: f.size, mtimeMs: f.mtimeMs })),
  );
/** Items of the run still to fingerprint (a failed file waits until it changes). */
const pendingPhotos = (db: Db, run: number) => loadItems(db, pendingItems(db, itemIdsSeen(db, 'local', run), 'original', false));
const file = () => join(mkdtempSync(join(tmpdir(), 'po-catalog-')), 'catalog.db');

describe('catalog', () => {
  it('keeps a fingerprint while size and mtime stay the same, and drops it when they change', () => {
    const db = openDatabase(file());
    const run1 = beginRun(db, '{}', new Date()).id;
    const files = [
      { path: '/p/a.jpg', size: 10, mtimeMs: 1 },
      { path: Buffer.from([0x2f, 0x62, 0xff]), size: 20, mtimeMs: 2 },
    ];
    const first = syncFiles(db, run1, files);
    expect(first).toMatchObject({ added: 2, changed: 0, unchanged: 0 });
    saveFingerprints(db, [{ id: first.ids[0]!, pixels: 'original', meta, fingerprint: fingerprint(3) }]);
    saveErrors(db, [{ id: first.ids[1]!, stage: 'inspect', message: 'truncated' }]);
    expect(pendingPhotos(db, run1)).toEqual([]);

    const run2 = beginRun(db, '{}', new Date()).id;
    const second = syncFiles(db, run2, [files[0]!, { ...files[1]!, mtimeMs: 5 }]);
    expect(second).toMatchObject({ added: 0, changed: 1, unchanged: 1 });
    expect(pendingPhotos(db, run2).map((p) => p.key)).toEqual([files[1]!.path]);
    const [stored] = loadPhotosSeen(db, 'local', run2);
    expect(stored!.dhash).toBe(fingerprint(3).dhash);
    expect(sketchReader(db)(stored!.id)!.sketch[0]).toBe(3);
    expect(loadErrors(db, 'local', run2)).toEqual([]);
    db.close();
  });

  it('records errors for the run that saw the file', () => {
    const db = openDatabase(file());
    const run = beginRun(db, '{}', new Date()).id;
    const { ids } = syncFiles(db, run, [{ path: '/p/x.jpg', size: 0, mtimeMs: 1 }]);
    saveErrors(db, [{ id: ids[0]!, stage: 'inspect', message: 'empty file (0 bytes)' }]);
    expect(loadErrors(db, 'local', run)).toEqual([{ id: ids[0], key: '/p/x.jpg', stage: 'inspect', message: 'empty file (0 bytes)' }]);
    db.close();
  });

  it('stores groups in order, runs and their stage, and the output journal', () => {
    const path = file();
    const db = openDatabase(path);
    const run = beginRun(db, '{"threshold":5}', new Date('2024-01-01T00:00:00Z'));
    saveGroups(db, run.id, [
      {
        kind: 'burst',
        members: [
          { photoId: asPhotoId(1), score: 0.9, reason: 'sharpest', isBest: true },
          { photoId: asPhotoId(2), score: 0.5, reason: 'blurred', isBest: false },
        ],
      },
      { kind: 'duplicate', members: [{ photoId: asPhotoId(3), score: 1, reason: 'x', isBest: true }] },
    ]);
    expect(loadGroups(db, run.id).map((g) => [g.number, g.kind, g.members.map((m) => m.photoId)])).toEqual([
      [1, 'burst', [1, 2]],
      [2, 'duplicate', [3]],
    ]);
    expect(latestRun(db)?.stage).toBe('discover');
    recordOutputs(db, run.id, [{ path: '/o/group_0001/a.jpg', size: 5 }]);
    expect([...loadOutputs(db).values()]).toEqual([{ path: '/o/group_0001/a.jpg', size: 5 }]);
    forgetOutputs(db, ['/o/group_0001/a.jpg']);
    expect(loadOutputs(db).size).toBe(0);
    finishRun(db, run.id, new Date());
    db.close();
    expect(peekLatestRun(path)?.stage).toBe('done');
    expect(peekLatestRun(join(path, '..', 'missing.db'))).toBeNull();
  });

  it('gives --dry-run a private copy: changes to it never reach the file', () => {
    const path = file();
    const db = openDatabase(path);
    beginRun(db, '{}', new Date());
    db.close();
    const scratch = openScratchCopy(path);
    beginRun(scratch, '{}', new Date());
    expect(scratch.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 2 });
    scratch.close();
    const check = openDatabase(path);
    expect(check.prepare('SELECT count(*) AS n FROM runs').get()).toEqual({ n: 1 });
    check.close();
  });

  it('refuses a catalog written by a newer version', () => {
    const path = file();
    openDatabase(path).close();
    const raw = new Database(path);
    raw.prepare("INSERT INTO schema_migrations VALUES ('999-future', 'x')").run();
    raw.close();
    expect(() => openDatabase(path)).toThrow(/newer photo-organizer .*--force-fresh/);
  });
});
