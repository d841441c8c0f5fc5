/** Immich in the catalog: fingerprints cached by asset id + checksum, the write-ahead journal. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/catalog/database.js';
import { assetsListedBy, forgetFingerprints, journalBegin, journalFinish, loadAssets, loadJournal, saveFingerprints, syncAssets } from '../../src/catalog/immich.js';
import type { Fingerprint } from '../../src/core/types.js';
import { assetFacts } from '../support/records.js';

const facts = assetFacts();
const fingerprint: Fingerprint = {
  dhash: 0x0123456789abcdefn,
  sketch: new Uint8Array(1024),
  color: new Uint8Array(192),
  quality: { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
};

describe('Immich catalog tables', () => {
  it('keeps a fingerprint while the checksum stays, and drops it when the asset changes', () => {
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-cat-')), 'catalog.db'));
    try {
      const [id] = syncAssets(db, 'https://a/api', 1, [{ assetId: 'x', checksum: 'c1', facts }]);
      saveFingerprints(db, [{ id: id!, pixels: 'preview', fingerprint }]);
      expect(syncAssets(db, 'https://a/api', 2, [{ assetId: 'x', checksum: 'c1', facts }])).toEqual([id]);
      expect(loadAssets(db, [id!])[0]).toMatchObject({ pixels: 'preview', dhash: 0x0123456789abcdefn });
      // The same id on another server is another asset.
      expect(syncAssets(db, 'https://b/api', 2, [{ assetId: 'x', checksum: 'c1', facts }])[0]).not.toBe(id);
      syncAssets(db, 'https://a/api', 3, [{ assetId: 'x', checksum: 'c2', facts }]);
      expect(loadAssets(db, [id!])[0]).toMatchObject({ checksum: 'c2', pixels: null, dhash: null, quality: null });
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
      saveFingerprints(db, [...ids, other!].map((id) => ({ id, pixels: 'preview' as const, fingerprint })));
      forgetFingerprints(db, 'https://a/api');
      // Review decisions name assets by these ids: a fresh start must not renumber them.
      expect(syncAssets(db, 'https://a/api', 2, [{ assetId: 'y', checksum: 'c2', facts }])).toEqual([ids[1]]);
      expect(loadAssets(db, ids).map((a) => a.dhash)).toEqual([null, null]);
      expect(loadAssets(db, [other!])[0]!.dhash).toBe(0x0123456789abcdefn);
      expect(assetsListedBy(db, 'https://a/api', 2)).toEqual([ids[1]]);
      expect(assetsListedBy(db, 'https://a/api', 1)).toEqual([ids[0]]);
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
