/**
 * A catalog written by release 0.1.0 (test/fixtures/catalogs, made by
 * scripts/make-catalog-fixture.mjs with that release) opens with this version and keeps what it
 * holds: fingerprints (nothing decoded again), face analyses, groups, review decisions and the
 * Immich journal — folder photos and Immich assets now items of one table.
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/catalog/database.js';
import { immichScope, LOCAL_SCOPE, loadDecisions } from '../../src/catalog/decisions.js';
import { loadFaceAnalyses, pendingFaceAnalyses } from '../../src/catalog/faces.js';
import { loadJournal } from '../../src/catalog/immich-journal.js';
import { itemIdsSeen, itemVersion, loadItems, loadPhotos, pendingItems, syncItems } from '../../src/catalog/items.js';
import { beginRun, loadGroups } from '../../src/catalog/runs.js';
import { ownedFromJournal } from '../../src/immich/actions/state.js';
import { asPhotoId } from '../../src/core/types.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'catalogs');
const manifest = JSON.parse(readFileSync(join(FIXTURES, 'release-0.1.0.json'), 'utf8')) as {
  files: { path: string; size: number; mtimeMs: number }[];
  localDecisionPick: number;
  immich: { server: string; assetIds: string[]; rowIds: number[] };
};

function openCopy() {
  const file = join(mkdtempSync(join(tmpdir(), 'po-migrate-')), 'catalog.db');
  copyFileSync(join(FIXTURES, 'release-0.1.0.db'), file);
  return openDatabase(file);
}

describe('a catalog of release 0.1.0', () => {
  it('keeps every folder fingerprint: the same files are found unchanged and nothing is decoded again', () => {
    const db = openCopy();
    try {
      const run = beginRun(db, '{}', new Date()).id;
      const synced = syncItems(
        db,
        'local',
        run,
        manifest.files.map((f) => ({ key: f.path, version: itemVersion.local(f.size, f.mtimeMs), size: f.size, mtimeMs: f.mtimeMs })),
      );
      expect(synced).toMatchObject({ added: 0, changed: 0, unchanged: 5 });
      const ids = itemIdsSeen(db, 'local', run);
      expect(pendingItems(db, ids, 'original', false)).toEqual([]);
      expect(loadPhotos(db, ids).map((p) => p.key)).toEqual(
        ['bird-q60.jpg', 'bird-small.jpg', 'bird.jpg', 'ridge.jpg'].map((n) => `/tmp/po-catalog-fixture/lib/${n}`),
      );
      expect(loadItems(db, ids).find((i) => i.error !== null)).toMatchObject({
        key: '/tmp/po-catalog-fixture/lib/notes.jpg',
        errorStage: 'inspect',
      });
      // The folder run's group and its review decision name the same photos as before.
      expect(
        loadGroups(db, 1)[0]!
          .members.map((m) => m.photoId)
          .sort(),
      ).toEqual([1, 2, 3]);
      expect(loadDecisions(db, LOCAL_SCOPE).map((d) => d.decision)).toEqual([
        { kind: 'pick', group: [1, 2, 3], photo: manifest.localDecisionPick },
      ]);
      const first = asPhotoId(1);
      const faces = loadFaceAnalyses(db, [first], 'human-test');
      expect(faces.get(first)?.faces).toHaveLength(1);
      expect(faces.get(first)!.faces[0]!.descriptor).toEqual(new Float32Array([0.25, -0.5, 1, 0]));
    } finally {
      db.close();
    }
  });

  it('carries the Immich assets over as items after the photos, their groups and decisions renumbered with them', () => {
    const db = openCopy();
    try {
      const { server, assetIds } = manifest.immich;
      const run = beginRun(db, '{}', new Date()).id;
      const synced = syncItems(
        db,
        server,
        run,
        assetIds.map((id, i) => ({ key: id, version: itemVersion.asset(`c2hhMS0${i}`), size: 1, mtimeMs: 1 })),
      );
      expect(synced).toMatchObject({ added: 0, changed: 0, unchanged: 3 });
      const ids = synced.ids;
      expect(Math.min(...ids)).toBeGreaterThan(5);
      expect(pendingItems(db, ids, 'preview', true)).toEqual([]);
      const items = loadItems(db, ids);
      expect(items.map((i) => [i.key, i.pixels, i.facts?.fileName, i.meta?.takenAt?.wallClockMs])).toEqual(
        assetIds.map((id, i) => [id, 'preview', `IMG_000${i}.jpg`, 1714557600000 + i * 1000]),
      );
      expect(loadGroups(db, 2)[0]!.members.map((m) => m.photoId)).toEqual(ids);
      expect(loadDecisions(db, immichScope(server)).map((d) => d.decision)).toEqual([{ kind: 'exclude', group: ids, photo: ids[2] }]);
      expect(pendingFaceAnalyses(db, ids, 'human-test')).toEqual([ids[0], ids[2]]);
      expect(loadFaceAnalyses(db, [ids[1]!], 'human-test').get(ids[1]!)?.faces).toHaveLength(2);
      // The journal --undo reads is untouched.
      const journal = loadJournal(db, server);
      expect(journal.map((e) => [e.op, e.state])).toEqual([
        ['create-tag', 'done'],
        ['add-tag', 'done'],
        ['favorite', 'pending'],
      ]);
      expect([...ownedFromJournal(journal).tagged.get('photo-organizer/best')!]).toEqual([assetIds[0]]);
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((t) => t.name);
      expect(tables).not.toContain('photos');
      expect(tables).not.toContain('immich_assets');
    } finally {
      db.close();
    }
  });
});
