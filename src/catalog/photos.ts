/**
 * Photos in the catalog: one row per file path, with its metadata, fingerprint or error cached
 * and keyed by size + mtime, so an unchanged file is never decoded twice.
 */
import { hashToHex, hexToHash } from '../core/dhash.js';
import { pathBytes, pathFromBytes } from '../core/paths.js';
import type { Fingerprint, FsPath, ImageQuality, Photo, PhotoId, PhotoMetadata } from '../core/types.js';
import type { Db } from './database.js';

export interface FileEntry {
  readonly path: FsPath;
  readonly size: number;
  readonly mtimeMs: number;
}

export interface SyncResult {
  /** Row ids of the entries, in the order given. */
  readonly ids: PhotoId[];
  readonly added: number;
  readonly changed: number;
  readonly unchanged: number;
}

/** A fingerprinted photo as stored: relative paths depend on the run's source root, so not here. */
export type StoredPhoto = Omit<Photo, 'relativePath'>;

export interface StoredError {
  readonly id: PhotoId;
  readonly path: FsPath;
  readonly stage: string;
  readonly message: string;
}

/** Records the files found by a run; a changed size or mtime drops what was cached for the old file. */
export function syncFiles(db: Db, runId: number, files: readonly FileEntry[]): SyncResult {
  const find = db.prepare<[Buffer], { id: number; size: number; mtime_ms: number }>('SELECT id, size, mtime_ms FROM photos WHERE path = ?');
  const insert = db.prepare('INSERT INTO photos (path, size, mtime_ms, seen_run) VALUES (?, ?, ?, ?)');
  const touch = db.prepare('UPDATE photos SET seen_run = ? WHERE id = ?');
  const reset = db.prepare(
    `UPDATE photos SET size = ?, mtime_ms = ?, seen_run = ?, meta = NULL, dhash = NULL, sketch = NULL,
       color = NULL, quality = NULL, error_stage = NULL, error = NULL WHERE id = ?`,
  );
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  const ids: PhotoId[] = [];
  db.transaction(() => {
    for (const f of files) {
      const key = pathBytes(f.path);
      const row = find.get(key);
      if (!row) {
        ids.push(Number(insert.run(key, f.size, f.mtimeMs, runId).lastInsertRowid));
        added++;
      } else if (row.size !== f.size || row.mtime_ms !== f.mtimeMs) {
        reset.run(f.size, f.mtimeMs, runId, row.id);
        ids.push(row.id);
        changed++;
      } else {
        touch.run(runId, row.id);
        ids.push(row.id);
        unchanged++;
      }
    }
  })();
  return { ids, added, changed, unchanged };
}

/** Photos of this run that have neither a fingerprint nor an error yet, in id order. */
export function pendingPhotos(db: Db, runId: number): { id: PhotoId; path: FsPath }[] {
  return db
    .prepare<[number], { id: number; path: Buffer }>(
      'SELECT id, path FROM photos WHERE seen_run = ? AND dhash IS NULL AND error IS NULL ORDER BY path',
    )
    .all(runId)
    .map((r) => ({ id: r.id, path: pathFromBytes(r.path) }));
}

export interface InspectedPhoto {
  readonly id: PhotoId;
  readonly meta: PhotoMetadata;
  readonly fingerprint: Fingerprint;
}

/** Stores a batch of results in one transaction. */
export function saveInspected(db: Db, batch: readonly InspectedPhoto[]): void {
  const update = db.prepare(
    'UPDATE photos SET meta = ?, dhash = ?, sketch = ?, color = ?, quality = ?, error_stage = NULL, error = NULL WHERE id = ?',
  );
  db.transaction(() => {
    for (const p of batch) {
      const f = p.fingerprint;
      update.run(
        JSON.stringify(p.meta),
        hashToHex(f.dhash),
        Buffer.from(f.sketch),
        Buffer.from(f.color),
        JSON.stringify(f.quality),
        p.id,
      );
    }
  })();
}

/** Stores per-photo failures in one transaction. */
export function saveErrors(db: Db, batch: readonly { id: PhotoId; stage: string; message: string }[]): void {
  const update = db.prepare('UPDATE photos SET error_stage = ?, error = ? WHERE id = ?');
  db.transaction(() => {
    for (const e of batch) update.run(e.stage, e.message, e.id);
  })();
}

interface PhotoRow {
  id: number;
  path: Buffer;
  size: number;
  mtime_ms: number;
  meta: string;
  dhash: string;
  quality: string;
}

/** Every fingerprinted photo of the run, in path order (the order grouping depends on). */
export function loadPhotos(db: Db, runId: number): StoredPhoto[] {
  return db
    .prepare<[number], PhotoRow>(
      `SELECT id, path, size, mtime_ms, meta, dhash, quality FROM photos
       WHERE seen_run = ? AND dhash IS NOT NULL ORDER BY path`,
    )
    .all(runId)
    .map(toStoredPhoto);
}

/** What grouping needs of a photo: a few dozen bytes, where a full record holds its EXIF too. */
export interface PhotoKey {
  readonly id: PhotoId;
  readonly path: FsPath;
  readonly dhash: bigint;
  readonly takenAtMs: number | null;
}

/** Every fingerprinted photo of the run as a PhotoKey, in path order (as loadPhotos). */
export function loadPhotoKeys(db: Db, runId: number): PhotoKey[] {
  return db
    .prepare<[number], { id: number; path: Buffer; dhash: string; taken_at_ms: number | null }>(
      `SELECT id, path, dhash, json_extract(meta, '$.takenAt.wallClockMs') AS taken_at_ms FROM photos
       WHERE seen_run = ? AND dhash IS NOT NULL ORDER BY path`,
    )
    .all(runId)
    .map((r) => ({ id: r.id, path: pathFromBytes(r.path), dhash: hexToHash(r.dhash), takenAtMs: r.taken_at_ms }));
}

/** The full records of some photos, in the order given (ids the catalog lacks are skipped). */
export function loadPhotosById(db: Db, ids: readonly PhotoId[]): StoredPhoto[] {
  const stmt = db.prepare<[number], PhotoRow>('SELECT id, path, size, mtime_ms, meta, dhash, quality FROM photos WHERE id = ? AND dhash IS NOT NULL');
  return ids.flatMap((id) => {
    const row = stmt.get(id);
    return row === undefined ? [] : [toStoredPhoto(row)];
  });
}

function toStoredPhoto(r: PhotoRow): StoredPhoto {
  return {
    id: r.id,
    path: pathFromBytes(r.path),
    size: r.size,
    mtimeMs: r.mtime_ms,
    meta: JSON.parse(r.meta) as PhotoMetadata,
    dhash: hexToHash(r.dhash),
    quality: JSON.parse(r.quality) as ImageQuality,
  };
}

/**
 * A reader of one picture's sketches by row id (one prepared statement, reused): a folder photo's,
 * or an Immich asset's (the two tables keep fingerprints in the same columns).
 */
export function sketchReader(db: Db, table: 'photos' | 'immich_assets' = 'photos'): (id: PhotoId) => Pick<Fingerprint, 'sketch' | 'color'> | null {
  const stmt = db.prepare<[number], { sketch: Buffer | null; color: Buffer | null }>(`SELECT sketch, color FROM ${table} WHERE id = ?`);
  return (id) => {
    const row = stmt.get(id);
    if (!row?.sketch || !row.color) return null;
    return { sketch: new Uint8Array(row.sketch), color: new Uint8Array(row.color) };
  };
}

/** Failures recorded for this run's photos, in path order. */
export function loadErrors(db: Db, runId: number): StoredError[] {
  return db
    .prepare<[number], { id: number; path: Buffer; error_stage: string; error: string }>(
      'SELECT id, path, error_stage, error FROM photos WHERE seen_run = ? AND error IS NOT NULL ORDER BY path',
    )
    .all(runId)
    .map((r) => ({ id: r.id, path: pathFromBytes(r.path), stage: r.error_stage, message: r.error }));
}
