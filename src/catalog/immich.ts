/**
 * Immich in the catalog: the assets a run listed, with their fingerprints cached by server +
 * asset id + checksum (an unchanged asset is never downloaded twice), and the journal of every
 * change this tool made on a server. The journal is written ahead: an entry is `pending` before
 * its request leaves and `done` or `failed` after, so a run killed in between leaves a trace that
 * the next run checks against the server instead of guessing.
 */
import { hashToHex, hexToHash } from '../core/dhash.js';
import type { AssetFacts, JournalEntry, JournalOp, JournalStart, JournalState, ListedAsset } from '../core/immich.js';
import type { Fingerprint, ImageQuality } from '../core/types.js';
import type { Db } from './database.js';

export type { AssetFacts, JournalEntry, JournalOp, JournalStart, JournalState, ListedAsset } from '../core/immich.js';

/** A listed asset as stored: `id` is the catalog row id (the PhotoId of groups and reports). */
export interface StoredAsset extends ListedAsset {
  readonly id: number;
  /** Which picture the fingerprint was made from, null when there is none yet. */
  readonly pixels: 'preview' | 'original' | null;
  readonly dhash: bigint | null;
  readonly quality: ImageQuality | null;
  readonly error: string | null;
}

/**
 * Records the assets a run listed (in the order given) and returns their row ids. A changed
 * checksum drops the cached fingerprint: the picture is not the one that was fingerprinted.
 */
export function syncAssets(db: Db, server: string, runId: number, assets: readonly ListedAsset[]): number[] {
  const find = db.prepare<[string, string], { id: number; checksum: string }>('SELECT id, checksum FROM immich_assets WHERE server = ? AND asset_id = ?');
  const insert = db.prepare('INSERT INTO immich_assets (server, asset_id, checksum, seen_run, facts) VALUES (?, ?, ?, ?, ?)');
  const touch = db.prepare('UPDATE immich_assets SET seen_run = ?, facts = ? WHERE id = ?');
  const reset = db.prepare(
    `UPDATE immich_assets SET checksum = ?, seen_run = ?, facts = ?, pixels = NULL, dhash = NULL, sketch = NULL,
       color = NULL, quality = NULL, error = NULL WHERE id = ?`,
  );
  const ids: number[] = [];
  db.transaction(() => {
    for (const a of assets) {
      const facts = JSON.stringify(a.facts);
      const row = find.get(server, a.assetId);
      if (!row) {
        ids.push(Number(insert.run(server, a.assetId, a.checksum, runId, facts).lastInsertRowid));
      } else if (row.checksum !== a.checksum) {
        reset.run(a.checksum, runId, facts, row.id);
        ids.push(row.id);
      } else {
        touch.run(runId, facts, row.id);
        ids.push(row.id);
      }
    }
  })();
  return ids;
}

interface AssetRow {
  id: number;
  asset_id: string;
  checksum: string;
  facts: string;
  pixels: 'preview' | 'original' | null;
  dhash: string | null;
  quality: string | null;
  error: string | null;
}

/** The stored assets with these row ids, in the order given. */
export function loadAssets(db: Db, ids: readonly number[]): StoredAsset[] {
  const get = db.prepare<[number], AssetRow>('SELECT id, asset_id, checksum, facts, pixels, dhash, quality, error FROM immich_assets WHERE id = ?');
  return ids.map((id) => {
    const r = get.get(id);
    if (!r) throw new Error(`Catalog row ${id} of immich_assets vanished during the run`);
    return {
      id: r.id,
      assetId: r.asset_id,
      checksum: r.checksum,
      facts: JSON.parse(r.facts) as AssetFacts,
      pixels: r.pixels,
      dhash: r.dhash === null ? null : hexToHash(r.dhash),
      quality: r.quality === null ? null : (JSON.parse(r.quality) as ImageQuality),
      error: r.error,
    };
  });
}

/** Row ids of the assets a run listed on a server (those a later run listed again are its own). */
export function assetsListedBy(db: Db, server: string, runId: number): number[] {
  return db
    .prepare<[string, number], { id: number }>('SELECT id FROM immich_assets WHERE server = ? AND seen_run = ? ORDER BY id')
    .all(server, runId)
    .map((r) => r.id);
}

/** Stores fingerprints made from `pixels` in one transaction (and clears earlier errors). */
export function saveFingerprints(db: Db, batch: readonly { id: number; pixels: 'preview' | 'original'; fingerprint: Fingerprint }[]): void {
  const update = db.prepare('UPDATE immich_assets SET pixels = ?, dhash = ?, sketch = ?, color = ?, quality = ?, error = NULL WHERE id = ?');
  db.transaction(() => {
    for (const b of batch) {
      const f = b.fingerprint;
      update.run(b.pixels, hashToHex(f.dhash), Buffer.from(f.sketch), Buffer.from(f.color), JSON.stringify(f.quality), b.id);
    }
  })();
}

/** Stores per-asset failures (download or decode); the next run tries these assets again. */
export function saveAssetErrors(db: Db, batch: readonly { id: number; message: string }[]): void {
  const update = db.prepare('UPDATE immich_assets SET error = ? WHERE id = ?');
  db.transaction(() => {
    for (const b of batch) update.run(b.message, b.id);
  })();
}

/**
 * Forgets the fingerprints of a server's assets (--force-fresh): each is downloaded and judged
 * again. The rows stay, so an asset keeps its id and the review decisions made on it stay its
 * own; the journal stays too.
 */
export function forgetFingerprints(db: Db, server: string): void {
  db.prepare('UPDATE immich_assets SET pixels = NULL, dhash = NULL, sketch = NULL, color = NULL, quality = NULL, error = NULL WHERE server = ?').run(server);
}

/** File names of the assets a catalog knows on a server (for messages about assets not listed now). */
export function assetFileNames(db: Db, server: string): Map<string, string> {
  const rows = db.prepare<[string], { asset_id: string; facts: string }>('SELECT asset_id, facts FROM immich_assets WHERE server = ?').all(server);
  return new Map(rows.map((r) => [r.asset_id, (JSON.parse(r.facts) as AssetFacts).fileName]));
}

// ---------------------------------------------------------------------------------------------
// Journal
// ---------------------------------------------------------------------------------------------

/** Writes a pending entry before the request that makes the change leaves. */
export function journalBegin(db: Db, server: string, runId: number, start: JournalStart, now: Date): number {
  return Number(
    db
      .prepare("INSERT INTO immich_journal (server, run_id, op, target, entity_id, assets, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)")
      .run(server, runId, start.op, start.target, start.entityId, JSON.stringify(start.assets), now.toISOString()).lastInsertRowid,
  );
}

/** Settles an entry: done (with the entity id the server gave, if any) or failed (with why). */
export function journalFinish(
  db: Db,
  entryId: number,
  state: Exclude<JournalState, 'pending'>,
  details: { readonly entityId?: string | null; readonly message?: string | null; readonly assets?: readonly string[] },
  now: Date,
): void {
  db.prepare(
    `UPDATE immich_journal SET state = ?, entity_id = COALESCE(?, entity_id), message = ?, assets = COALESCE(?, assets), finished_at = ?
     WHERE id = ?`,
  ).run(
    state,
    details.entityId ?? null,
    details.message ?? null,
    details.assets === undefined ? null : JSON.stringify(details.assets),
    now.toISOString(),
    entryId,
  );
}

/** The journal of one server, oldest first. */
export function loadJournal(db: Db, server: string): JournalEntry[] {
  return db
    .prepare<[string], { id: number; run_id: number; op: JournalOp; target: string; entity_id: string | null; assets: string; state: JournalState; message: string | null }>(
      'SELECT id, run_id, op, target, entity_id, assets, state, message FROM immich_journal WHERE server = ? ORDER BY id',
    )
    .all(server)
    .map((r) => ({
      id: r.id,
      runId: r.run_id,
      op: r.op,
      target: r.target,
      entityId: r.entity_id,
      assets: JSON.parse(r.assets) as string[],
      state: r.state,
      message: r.message,
    }));
}
