/**
 * Schema step 007: the folder photos (`photos`) and the Immich assets (`immich_assets`) become one
 * `items` table with a source column, and their two pairs of face tables one pair. Everything a
 * catalog of release 0.1.0 holds is carried over: fingerprints (an unchanged file is not decoded
 * again), face analyses, groups, review decisions; the Immich journal is untouched (it names
 * assets by their server ids). Folder photos keep their row ids; assets are renumbered after them,
 * and the groups of Immich runs and the decisions of Immich scopes are renumbered with them.
 */
import { metadataFromFacts } from '../../core/immich.js';
import type { AssetFacts } from '../../core/immich.js';
import type { Db } from '../database.js';
import { itemVersion, LOCAL_SOURCE } from '../../core/items.js';

const SCHEMA = `CREATE TABLE items (
     id INTEGER PRIMARY KEY,
     source TEXT NOT NULL,
     key BLOB NOT NULL,
     version TEXT NOT NULL,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     seen_run INTEGER NOT NULL,
     facts TEXT,
     meta TEXT,
     pixels TEXT,
     dhash TEXT,
     sketch BLOB,
     color BLOB,
     quality TEXT,
     error_stage TEXT,
     error TEXT,
     UNIQUE (source, key)
   );
   CREATE INDEX items_seen ON items(source, seen_run);
   CREATE TABLE item_face_analyses (
     item_id INTEGER PRIMARY KEY,
     version TEXT NOT NULL,
     pixels TEXT NOT NULL,
     analyzer TEXT NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     note TEXT
   );
   CREATE TABLE item_faces (
     item_id INTEGER NOT NULL REFERENCES item_face_analyses(item_id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     confidence REAL NOT NULL,
     box_x REAL NOT NULL,
     box_y REAL NOT NULL,
     box_width REAL NOT NULL,
     box_height REAL NOT NULL,
     yaw REAL NOT NULL,
     pitch REAL NOT NULL,
     left_eye_aspect REAL NOT NULL,
     left_eye_iris REAL,
     right_eye_aspect REAL NOT NULL,
     right_eye_iris REAL,
     happy REAL NOT NULL,
     smile_shape REAL NOT NULL,
     smile REAL NOT NULL,
     sharpness REAL NOT NULL,
     descriptor BLOB NOT NULL,
     PRIMARY KEY (item_id, position)
   );`;

const FACE_FIELDS = `position, confidence, box_x, box_y, box_width, box_height, yaw, pitch, left_eye_aspect, left_eye_iris,
  right_eye_aspect, right_eye_iris, happy, smile_shape, smile, sharpness, descriptor`;

export function mergeItemTables(db: Db): void {
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT INTO items (id, source, key, version, size, mtime_ms, seen_run, facts, meta, pixels, dhash, sketch, color, quality, error_stage, error)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const photos = db
    .prepare<[], PhotoRow>('SELECT id, path, size, mtime_ms, seen_run, meta, dhash, sketch, color, quality, error_stage, error FROM photos')
    .all();
  for (const p of photos) {
    const version = itemVersion.local(p.size, p.mtime_ms);
    insert.run(
      p.id,
      LOCAL_SOURCE,
      p.path,
      version,
      p.size,
      p.mtime_ms,
      p.seen_run,
      null,
      p.meta,
      p.dhash === null ? null : 'original',
      p.dhash,
      p.sketch,
      p.color,
      p.quality,
      p.error_stage,
      p.error,
    );
  }
  db.exec(`INSERT INTO item_face_analyses (item_id, version, pixels, analyzer, width, height, note)
     SELECT fa.photo_id, '', 'original', fa.analyzer, fa.width, fa.height, fa.note FROM face_analyses fa`);
  // An analysis was of the file as it was then: it stays current only if the file has not changed.
  const setVersion = db.prepare('UPDATE item_face_analyses SET version = ? WHERE item_id = ?');
  for (const a of db
    .prepare<[], { photo_id: number; size: number; mtime_ms: number }>('SELECT photo_id, size, mtime_ms FROM face_analyses')
    .all()) {
    setVersion.run(itemVersion.local(a.size, a.mtime_ms), a.photo_id);
  }
  db.exec(`INSERT INTO item_faces (item_id, ${FACE_FIELDS}) SELECT photo_id, ${FACE_FIELDS} FROM faces`);

  // Assets go after the photos; the map renumbers what pointed at their old ids.
  const offset = db.prepare<[], { top: number | null }>('SELECT MAX(id) AS top FROM photos').get()?.top ?? 0;
  const assets = db.prepare<[], AssetRow>('SELECT * FROM immich_assets').all();
  for (const a of assets) {
    const facts = JSON.parse(a.facts) as AssetFacts;
    insert.run(
      a.id + offset,
      a.server,
      Buffer.from(a.asset_id, 'utf8'),
      itemVersion.asset(a.checksum),
      facts.size,
      facts.modifiedMs,
      a.seen_run,
      a.facts,
      JSON.stringify(metadataFromFacts(facts)),
      a.pixels,
      a.dhash,
      a.sketch,
      a.color,
      a.quality,
      a.error === null ? null : 'fingerprint',
      a.error,
    );
  }
  db.prepare(
    `INSERT INTO item_face_analyses (item_id, version, pixels, analyzer, width, height, note)
     SELECT photo_id + ?, checksum, pixels, analyzer, width, height, note FROM immich_face_analyses`,
  ).run(offset);
  db.prepare(`INSERT INTO item_faces (item_id, ${FACE_FIELDS}) SELECT photo_id + ?, ${FACE_FIELDS} FROM immich_faces`).run(offset);
  if (offset > 0) renumberAssets(db, offset);
  db.exec(
    'DROP TABLE immich_faces; DROP TABLE immich_face_analyses; DROP TABLE faces; DROP TABLE face_analyses; DROP TABLE immich_assets; DROP TABLE photos;',
  );
}

/** Groups of Immich runs and decisions of Immich scopes named assets by their old row ids. */
function renumberAssets(db: Db, offset: number): void {
  // Rows are rewritten in place: the primary key includes position, not photo_id.
  db.prepare(
    `UPDATE group_members SET photo_id = photo_id + ?
     WHERE run_id IN (SELECT id FROM runs WHERE json_extract(options, '$.sourceType') IN ('immich', 'hybrid'))`,
  ).run(offset);
  const update = db.prepare('UPDATE decisions SET data = ? WHERE id = ?');
  for (const d of db.prepare<[], { id: number; data: string }>("SELECT id, data FROM decisions WHERE scope LIKE 'immich:%'").all()) {
    const data = JSON.parse(d.data) as Record<string, unknown>;
    const moved = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [
        k,
        Array.isArray(v) ? v.map((x) => (typeof x === 'number' ? x + offset : x)) : typeof v === 'number' ? v + offset : v,
      ]),
    );
    update.run(JSON.stringify(moved), d.id);
  }
}

interface PhotoRow {
  id: number;
  path: Buffer;
  size: number;
  mtime_ms: number;
  seen_run: number;
  meta: string | null;
  dhash: string | null;
  sketch: Buffer | null;
  color: Buffer | null;
  quality: string | null;
  error_stage: string | null;
  error: string | null;
}

interface AssetRow {
  id: number;
  server: string;
  asset_id: string;
  checksum: string;
  seen_run: number;
  facts: string;
  pixels: string | null;
  dhash: string | null;
  sketch: Buffer | null;
  color: Buffer | null;
  quality: string | null;
  error: string | null;
}
