/** Immich assets as catalog items (fingerprints cached by asset id + checksum), and the write-ahead journal. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/catalog/database.js';
import { journalBegin, journalFinish, loadJournal } from '../../src/catalog/immich-journal.js';
import { forgetFingerprints, itemIdsSeen, itemVersion, loadItems, saveFingerprints, syncItems } from '../../src/catalog/items.js';
import type { Db } from '../../src/catalog/database.js';
import type { Fingerprint } from '../../src/core/types.js';
import { assetFacts } from '../support/records.js';
import type { PhotoId } from '../../src/core/types.js';

const facts = assetFacts();
const asset = (assetId: string, checksum: string) => ({
  key: assetId,
  version: itemVersion.asset(checksum),
  size: facts.size,
  mtimeMs: facts.modifiedMs,
  facts,
});
const syncAssets = (db: Db, server: string, run: number, assets: { assetId: string; checksum: string; facts?: unknown }[]) =>
  syncItems(
    db,
    server,
    run,
    assets.map((a) => asset(a.assetId, a.checksum)),
  ).ids;
const loadAssets = (db: Db, ids: PhotoId[]) => loadItems(db, ids);
const fingerprint: Fingerprint = {
  dhash: 0x0123456789abcdefn,
  sketch: new Uint8Array(1024),
  color: new Uint8Array(192),
  quality: { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
};

describe('Immich assets in the catalog', () => {
  it('keeps a fingerprint while the checksum stays, and drops it when the asset changes', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-cat-')), 'catalog.db'));
    try {
      const [id] = syncAssets(db, 'https://a/api', 1, [{ assetId: 'x', checksum: 'c1', facts }]);
      saveFingerprints(db, [{ id: id!, pixels: 'preview', meta: null, fingerprint }]);
      expect(syncAssets(db, 'https://a/api', 2, [{ assetId: 'x', checksum: 'c1', facts }])).toEqual([id]);
      expect(loadAssets(db, [id!])[0]).toMatchObject({ pixels: 'preview', dhash: 0x0123456789abcdefn });
      // The same id on another server is another asset.
      expect(syncAssets(db, 'https://b/api', 2, [{ assetId: 'x', checksum: 'c1', facts }])[0]).not.toBe(id);
      syncAssets(db, 'https://a/api', 3, [{ assetId: 'x', checksum: 'c2', facts }]);
      expect(loadAssets(db, [id!])[0]).toMatchObject({ version: 'c2', pixels: null, dhash: null, quality: null });
    } finally {
      db.close();
    }
  });

  it('forgets fingerprints on --force-fresh but keeps each asset its id, and knows what a run listed', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-cat-')), 'catalog.db'));
    try {
      const ids = syncAssets(db, 'https://a/api', 1, [
        { assetId: 'x', checksum: 'c1', facts },
        { assetId: 'y', checksum: 'c2', facts },
      ]);
      const [other] = syncAssets(db, 'https://b/api', 1, [{ assetId: 'x', checksum: 'c1', facts }]);
      saveFingerprints(
        db,
        [...ids, other!].map((id) => ({ id, pixels: 'preview' as const, meta: null, fingerprint })),
      );
      forgetFingerprints(db, 'https://a/api');
      // Review decisions name assets by these ids: a fresh start must not renumber them.
      expect(syncAssets(db, 'https://a/api', 2, [{ assetId: 'y', checksum: 'c2', facts }])).toEqual([ids[1]]);
      expect(loadAssets(db, ids).map((a) => a.dhash)).toEqual([null, null]);
      expect(loadAssets(db, [other!])[0]!.dhash).toBe(0x0123456789abcdefn);
      expect(itemIdsSeen(db, 'https://a/api', 2)).toEqual([ids[1]]);
      expect(itemIdsSeen(db, 'https://a/api', 1)).toEqual([ids[0]]);
    } finally {
      db.close();
    }
  });

  it('journals ahead: pending until settled, per server, oldest first', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-cat-')), 'catalog.db'));
    try {
      const now = new Date('2025-01-01T00:00:00Z');
      const a = journalBegin(db, 'https://a/api', 1, { op: 'create-album', target: 'Trip-0001', entityId: null, assets: ['x', 'y'] }, now);
      const b = journalBegin(db, 'https://a/api', 1, { op: 'favorite', target: '', entityId: null, assets: ['x'] }, now);
      journalBegin(db, 'https://b/api', 1, { op: 'archive', target: '', entityId: null, assets: ['z'] }, now);
      journalFinish(db, a, 'done', { entityId: 'album-1', assets: ['x'] }, now);
      journalFinish(db, b, 'failed', { message: 'Immich said 500' }, now);
      expect(loadJournal(db, 'https://a/api').map((e) => [e.op, e.state, e.entityId, e.assets, e.message])).toEqual([
        ['create-album', 'done', 'album-1', ['x'], null],
        ['favorite', 'failed', null, ['x'], 'Immich said 500'],
      ]);
      expect(loadJournal(db, 'https://b/api').map((e) => e.state)).toEqual(['pending']);
    } finally {
      db.close();
    }
  });
});
