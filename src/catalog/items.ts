/**
 * Items in the catalog: one row per photo of a source — a file of a folder (keyed by its path),
 * or an asset of an Immich server (keyed by its id) — with its metadata, fingerprint or error
 * cached and tied to the item's version (size + mtime of a file, checksum of an asset), so an
 * unchanged item is never decoded or downloaded twice.
 */
import { hashToHex, hexToHash } from '../core/dhash.js';
import type { AssetFacts } from '../core/immich.js';
import { type ItemEntry, isPhoto, type PictureKind, type StoredItem, type StoredPhoto, type SyncResult } from '../core/items.js';
import { pathBytes, pathFromBytes } from '../core/paths.js';
import { asPhotoId, type Fingerprint, type FsPath, type ImageQuality, type PhotoId, type PhotoMetadata } from '../core/types.js';
import type { Db } from './database.js';

export { itemVersion, LOCAL_SOURCE } from '../core/items.js';
export type { ItemEntry, PictureKind, StoredItem, StoredPhoto, SyncResult } from '../core/items.js';

/** Records the items a run found; a changed version drops what was cached for the old one. */
export function syncItems(db: Db, source: string, runId: number, entries: readonly ItemEntry[]): SyncResult {
  const find = db.prepare<[string, Buffer], { id: PhotoId; version: string }>('SELECT id, version FROM items WHERE source = ? AND key = ?');
  const insert = db.prepare(
    'INSERT INTO items (source, key, version, size, mtime_ms, seen_run, facts, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // Listing facts (favourite, archive…) change without the picture changing: kept current. A
  // listing never knows a clip's frames: those its fingerprint stored stay.
  const touch = db.prepare(
    `UPDATE items SET seen_run = @run, facts = COALESCE(@facts, facts),
       meta = CASE WHEN @meta IS NULL THEN meta WHEN json_extract(meta, '$.video') IS NULL THEN @meta
         ELSE json_set(@meta, '$.video', json(json_extract(meta, '$.video'))) END
     WHERE id = @id`,
  );
  const reset = db.prepare(
    `UPDATE items SET version = ?, size = ?, mtime_ms = ?, seen_run = ?, facts = ?, meta = ?, pixels = NULL, dhash = NULL,
       sketch = NULL, color = NULL, quality = NULL, error_stage = NULL, error = NULL WHERE id = ?`,
  );
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  const ids: PhotoId[] = [];
  db.transaction(() => {
    for (const e of entries) {
      const key = pathBytes(e.key);
      const facts = e.facts === undefined ? null : JSON.stringify(e.facts);
      const meta = e.meta === undefined ? null : JSON.stringify(e.meta);
      const row = find.get(source, key);
      if (!row) {
        ids.push(asPhotoId(Number(insert.run(source, key, e.version, e.size, e.mtimeMs, runId, facts, meta).lastInsertRowid)));
        added++;
      } else if (row.version !== e.version) {
        reset.run(e.version, e.size, e.mtimeMs, runId, facts, meta, row.id);
        ids.push(row.id);
        changed++;
      } else {
        touch.run({ run: runId, facts, meta, id: row.id });
        ids.push(row.id);
        unchanged++;
      }
    }
  })();
  return { ids, added, changed, unchanged };
}

/** Ids of the items of `source` that a run found, in key order (a folder's path order). */
export function itemIdsSeen(db: Db, source: string, runId: number): PhotoId[] {
  return db
    .prepare<[string, number], { id: PhotoId }>('SELECT id FROM items WHERE source = ? AND seen_run = ? ORDER BY key')
    .all(source, runId)
    .map((r) => r.id);
}

/**
 * Of `ids`, those without a fingerprint made from `pixels` (and, for clips, from frames chosen by `clipChoice`), in the order given. Failed items are
 * left out unless `retryFailed` (a download can fail for a while; a broken file stays broken
 * until it changes, which resets its row).
 */
export function pendingItems(
  db: Db,
  ids: readonly PhotoId[],
  pixels: PictureKind | ((id: PhotoId) => PictureKind),
  retryFailed: boolean,
  clipChoice: string | null = null,
): PhotoId[] {
  const stmt = db.prepare<[number], { dhash: string | null; pixels: string | null; error: string | null; choice: string | null }>(
    "SELECT dhash, pixels, error, json_extract(meta, '$.video.choice') AS choice FROM items WHERE id = ?",
  );
  // A clip whose frames another --video-strategy or --video-max-frames chose is fingerprinted again
  // (a server clip seen through its poster, a preview, has no frames the strategy chose).
  const rechoose = (choice: string | null, from: string | null): boolean =>
    clipChoice !== null && from === 'original' && choice !== null && choice !== clipChoice;
  const kindOf = typeof pixels === 'function' ? pixels : (): PictureKind => pixels;
  return ids.filter((id) => {
    const r = stmt.get(id);
    return (
      r !== undefined && (retryFailed || r.error === null) && (r.dhash === null || r.pixels !== kindOf(id) || rechoose(r.choice, r.pixels))
    );
  });
}

export interface FingerprintedItem {
  readonly id: PhotoId;
  readonly pixels: PictureKind;
  /** Metadata read from the picture; null keeps what the listing said. */
  readonly meta: PhotoMetadata | null;
  readonly fingerprint: Fingerprint;
}

/** Stores a batch of fingerprints in one transaction (and clears earlier errors). */
export function saveFingerprints(db: Db, batch: readonly FingerprintedItem[]): void {
  const update = db.prepare(
    `UPDATE items SET meta = COALESCE(?, meta), pixels = ?, dhash = ?, sketch = ?, color = ?, quality = ?, error_stage = NULL, error = NULL
     WHERE id = ?`,
  );
  db.transaction(() => {
    for (const p of batch) {
      const f = p.fingerprint;
      update.run(
        p.meta === null ? null : JSON.stringify(p.meta),
        p.pixels,
        hashToHex(f.dhash),
        Buffer.from(f.sketch),
        Buffer.from(f.color),
        JSON.stringify(f.quality),
        p.id,
      );
    }
  })();
}

/** Stores qualities measured again at full size (stages/quality.ts) in one transaction. */
export function saveQualities(db: Db, batch: readonly { readonly id: PhotoId; readonly quality: ImageQuality }[]): void {
  const update = db.prepare('UPDATE items SET quality = ? WHERE id = ?');
  db.transaction(() => {
    for (const q of batch) update.run(JSON.stringify(q.quality), q.id);
  })();
}

/** Stores per-item failures in one transaction; the next run tries these items again only once they change. */
export function saveErrors(db: Db, batch: readonly { id: PhotoId; stage: string; message: string }[]): void {
  const update = db.prepare('UPDATE items SET error_stage = ?, error = ? WHERE id = ?');
  db.transaction(() => {
    for (const e of batch) update.run(e.stage, e.message, e.id);
  })();
}

/**
 * Forgets the fingerprints and errors of a source's items (--force-fresh on a server): each is
 * judged again. The rows stay, so an item keeps its id and the review decisions made on it.
 */
export function forgetFingerprints(db: Db, source: string): void {
  db.prepare(
    'UPDATE items SET pixels = NULL, dhash = NULL, sketch = NULL, color = NULL, quality = NULL, error_stage = NULL, error = NULL WHERE source = ?',
  ).run(source);
}

interface ItemRow {
  id: PhotoId;
  source: string;
  key: Buffer;
  version: string;
  size: number;
  mtime_ms: number;
  facts: string | null;
  meta: string | null;
  pixels: PictureKind | null;
  dhash: string | null;
  quality: string | null;
  error_stage: string | null;
  error: string | null;
}

const COLUMNS = 'id, source, key, version, size, mtime_ms, facts, meta, pixels, dhash, quality, error_stage, error';

function toItem(r: ItemRow): StoredItem {
  return {
    id: r.id,
    source: r.source,
    key: pathFromBytes(r.key),
    version: r.version,
    size: r.size,
    mtimeMs: r.mtime_ms,
    facts: r.facts === null ? null : (JSON.parse(r.facts) as AssetFacts),
    meta: r.meta === null ? null : (JSON.parse(r.meta) as PhotoMetadata),
    pixels: r.pixels,
    dhash: r.dhash === null ? null : hexToHash(r.dhash),
    quality: r.quality === null ? null : (JSON.parse(r.quality) as ImageQuality),
    errorStage: r.error_stage,
    error: r.error,
  };
}

/** The stored items with these ids, in the order given (ids the catalog lacks are skipped). */
export function loadItems(db: Db, ids: readonly PhotoId[]): StoredItem[] {
  const get = db.prepare<[number], ItemRow>(`SELECT ${COLUMNS} FROM items WHERE id = ?`);
  return ids.flatMap((id) => {
    const r = get.get(id);
    return r === undefined ? [] : [toItem(r)];
  });
}

/** The fingerprinted items among `ids`, in the order given. */
export function loadPhotos(db: Db, ids: readonly PhotoId[]): StoredPhoto[] {
  return loadItems(db, ids).filter(isPhoto);
}

/** Every fingerprinted item of a source that a run found, in key order. */
export function loadPhotosSeen(db: Db, source: string, runId: number): StoredPhoto[] {
  return loadPhotos(db, itemIdsSeen(db, source, runId));
}

/** What grouping needs of an item: a few dozen bytes, where a full record holds its EXIF too. */
export interface PhotoKey {
  readonly id: PhotoId;
  readonly dhash: bigint;
  readonly takenAtMs: number | null;
  /** A video clip (grouped apart from photos, on its key frames). */
  readonly clip: boolean;
}

/** The fingerprinted items among `ids` as PhotoKeys, in the order given. */
export function loadPhotoKeys(db: Db, ids: readonly PhotoId[]): PhotoKey[] {
  const get = db.prepare<[number], { id: PhotoId; dhash: string | null; taken_at_ms: number | null; clip: number }>(
    `SELECT id, dhash, json_extract(meta, '$.takenAt.wallClockMs') AS taken_at_ms,
       coalesce(json_extract(meta, '$.format') = 'video', 0) AS clip FROM items WHERE id = ?`,
  );
  return ids.flatMap((id) => {
    const r = get.get(id);
    return r?.dhash == null ? [] : [{ id: r.id, dhash: hexToHash(r.dhash), takenAtMs: r.taken_at_ms, clip: r.clip === 1 }];
  });
}

/** A reader of one item's sketches by id (one prepared statement, reused). */
export function sketchReader(db: Db): (id: PhotoId) => Pick<Fingerprint, 'sketch' | 'color'> | null {
  const stmt = db.prepare<[number], { sketch: Buffer | null; color: Buffer | null }>('SELECT sketch, color FROM items WHERE id = ?');
  return (id) => {
    const row = stmt.get(id);
    if (!row?.sketch || !row.color) return null;
    return { sketch: new Uint8Array(row.sketch), color: new Uint8Array(row.color) };
  };
}

export interface StoredError {
  readonly id: PhotoId;
  readonly key: FsPath;
  readonly stage: string;
  readonly message: string;
}

/** Failures recorded for the items of `source` a run found, in key order. */
export function loadErrors(db: Db, source: string, runId: number): StoredError[] {
  return db
    .prepare<[string, number], { id: PhotoId; key: Buffer; error_stage: string | null; error: string }>(
      'SELECT id, key, error_stage, error FROM items WHERE source = ? AND seen_run = ? AND error IS NOT NULL ORDER BY key',
    )
    .all(source, runId)
    .map((r) => ({ id: r.id, key: pathFromBytes(r.key), stage: r.error_stage ?? 'inspect', message: r.error }));
}

/** File names of the assets a catalog knows on a server (for messages about assets not listed now). */
export function assetFileNames(db: Db, source: string): Map<string, string> {
  const rows = db.prepare<[string], { key: Buffer; facts: string | null }>('SELECT key, facts FROM items WHERE source = ?').all(source);
  return new Map(
    rows.flatMap((r) => (r.facts === null ? [] : [[r.key.toString('utf8'), (JSON.parse(r.facts) as AssetFacts).fileName] as const])),
  );
}

/** How many of the items of `source` a run found are video clips (known once fingerprinted). */
export function countClips(db: Db, source: string, runId: number): number {
  return db
    .prepare<[string, number], { n: number }>(
      "SELECT count(*) AS n FROM items WHERE source = ? AND seen_run = ? AND json_extract(meta, '$.format') = 'video'",
    )
    .get(source, runId)!.n;
}
