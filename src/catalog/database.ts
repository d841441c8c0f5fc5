/**
 * The SQLite file behind the catalog: opening, pragmas and schema migrations. Only catalog/
 * modules touch SQLite; each table family has its own module on top of this handle.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { mergeItemTables } from './migrations/007-one-item-table.js';

export type Db = Database.Database;

/** A schema step: SQL, or a function for steps that must compute values in JS (007). */
interface Migration {
  readonly name: string;
  readonly sql: string | ((db: Db) => void);
}

/** One face's columns, the same in the folder photos' and the Immich assets' faces tables. */
const FACE_COLUMNS = `position INTEGER NOT NULL,
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
     PRIMARY KEY (photo_id, position)`;

/**
 * Schema steps by name, applied once each in this order and recorded in `schema_migrations`.
 * Table families add their own step at the end; a name is never reused or edited once shipped.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    name: '001-photos-runs-outputs',
    sql: `CREATE TABLE photos (
     id INTEGER PRIMARY KEY,
     path BLOB NOT NULL UNIQUE,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     seen_run INTEGER NOT NULL,
     meta TEXT,
     dhash TEXT,
     sketch BLOB,
     color BLOB,
     quality TEXT,
     error_stage TEXT,
     error TEXT
   );
   CREATE INDEX photos_seen ON photos(seen_run);
   CREATE TABLE runs (
     id INTEGER PRIMARY KEY,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     options TEXT NOT NULL,
     stage TEXT NOT NULL
   );
   CREATE TABLE groups (
     run_id INTEGER NOT NULL,
     number INTEGER NOT NULL,
     kind TEXT NOT NULL,
     PRIMARY KEY (run_id, number)
   );
   CREATE TABLE group_members (
     run_id INTEGER NOT NULL,
     number INTEGER NOT NULL,
     position INTEGER NOT NULL,
     photo_id INTEGER NOT NULL,
     score REAL NOT NULL,
     reason TEXT NOT NULL,
     is_best INTEGER NOT NULL,
     PRIMARY KEY (run_id, number, position)
   );
   CREATE TABLE outputs (
     path BLOB PRIMARY KEY,
     size INTEGER NOT NULL,
     run_id INTEGER NOT NULL
   );`,
  },
  {
    // Face analysis per photo (catalog/faces.ts): one row per analyzed file identity, one per face.
    name: '002-faces',
    sql: `CREATE TABLE face_analyses (
     photo_id INTEGER PRIMARY KEY,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     analyzer TEXT NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     note TEXT
   );
   CREATE TABLE faces (
     photo_id INTEGER NOT NULL REFERENCES face_analyses(photo_id) ON DELETE CASCADE,
${FACE_COLUMNS}
   );`,
  },
  {
    // Immich assets (fingerprints keyed by server + asset id + checksum) and the journal of every
    // change made on a server (catalog/immich.ts).
    name: '003-immich',
    sql: `CREATE TABLE immich_assets (
     id INTEGER PRIMARY KEY,
     server TEXT NOT NULL,
     asset_id TEXT NOT NULL,
     checksum TEXT NOT NULL,
     seen_run INTEGER NOT NULL,
     facts TEXT NOT NULL,
     pixels TEXT,
     dhash TEXT,
     sketch BLOB,
     color BLOB,
     quality TEXT,
     error TEXT,
     UNIQUE (server, asset_id)
   );
   CREATE TABLE immich_journal (
     id INTEGER PRIMARY KEY,
     server TEXT NOT NULL,
     run_id INTEGER NOT NULL,
     op TEXT NOT NULL,
     target TEXT NOT NULL,
     entity_id TEXT,
     assets TEXT NOT NULL,
     state TEXT NOT NULL,
     message TEXT,
     created_at TEXT NOT NULL,
     finished_at TEXT
   );
   CREATE INDEX immich_journal_server ON immich_journal(server, id);`,
  },
  {
    // Review decisions (catalog/decisions.ts): the user's picks, exclusions, splits and merges,
    // a log replayed on every run's groups. `scope` keeps folder photos and Immich assets apart.
    name: '004-decisions',
    sql: `CREATE TABLE decisions (
     id INTEGER PRIMARY KEY,
     scope TEXT NOT NULL,
     kind TEXT NOT NULL,
     data TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX decisions_scope ON decisions(scope, id);`,
  },
  {
    // Person mode of an Immich run: whose photos a group is about (its person tag and album
    // name), which the review page needs to redo the group's actions.
    name: '005-group-person',
    sql: 'ALTER TABLE groups ADD COLUMN person TEXT',
  },
  {
    // Face analysis of Immich assets (catalog/faces.ts ASSET_FACES): like 002's tables, keyed by
    // immich_assets row and the picture analyzed (checksum + preview or original).
    name: '006-immich-faces',
    sql: `CREATE TABLE immich_face_analyses (
     photo_id INTEGER PRIMARY KEY,
     checksum TEXT NOT NULL,
     pixels TEXT NOT NULL,
     analyzer TEXT NOT NULL,
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     note TEXT
   );
   CREATE TABLE immich_faces (
     photo_id INTEGER NOT NULL REFERENCES immich_face_analyses(photo_id) ON DELETE CASCADE,
${FACE_COLUMNS}
   );`,
  },
  // One table of items for every source (catalog/items.ts), one pair of face tables.
  { name: '007-one-item-table', sql: mergeItemTables },
  {
    // Groups looked at on the review page (catalog/review.ts), by scope and member set: a group
    // whose photos change (a split, a new photo) is one not reviewed yet.
    name: '008-review-marks',
    sql: `CREATE TABLE review_marks (
     scope TEXT NOT NULL,
     members TEXT NOT NULL,
     reviewed_at TEXT NOT NULL,
     PRIMARY KEY (scope, members)
   )`,
  },
  {
    // --conflict-strategy manual (catalog/conflicts.ts): what the user changed on the server in a
    // group this tool organized, waiting for a decision on the review page. By scope and the
    // group's member set, like the review marks.
    name: '009-sync-conflicts',
    sql: `CREATE TABLE sync_conflicts (
     scope TEXT NOT NULL,
     members TEXT NOT NULL,
     kind TEXT NOT NULL,
     photo_id INTEGER NOT NULL,
     was_id INTEGER,
     found_at TEXT NOT NULL,
     tool_wins INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (scope, members, kind, photo_id)
   )`,
  },
  {
    // Live Photo content identifiers of folder files (catalog/content-ids.ts), by path and read
    // again when size or mtime change. Not item facts: a Live Photo's MOV is never an item.
    name: '010-content-ids',
    sql: `CREATE TABLE content_ids (
     path BLOB PRIMARY KEY,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     content_id TEXT
   )`,
  },
];

/** Opens (creating if needed) the catalog at `file` and brings its schema up to date. */
export function openDatabase(file: string): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    // WAL: readers never block the writer, and a killed process loses at most the open transaction.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = new Set(
    db
      .prepare<[], { name: string }>('SELECT name FROM schema_migrations')
      .all()
      .map((r) => r.name),
  );
  const known = new Set(MIGRATIONS.map((m) => m.name));
  const unknown = [...applied].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `The catalog was written by a newer photo-organizer (it has schema step ${unknown[0]}); upgrade, or start over with --force-fresh`,
    );
  }
  for (const m of MIGRATIONS) {
    if (applied.has(m.name)) continue;
    db.transaction(() => {
      if (typeof m.sql === 'string') db.exec(m.sql);
      else m.sql(db);
      db.prepare('INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)').run(m.name, new Date().toISOString());
    })();
  }
}

/** Deletes a catalog file and its WAL side files (for --force-fresh). */
export function removeDatabase(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}

/**
 * A private in-memory copy of the catalog for --dry-run: the run can cache and group as usual,
 * and the file on disk is only read. `null` gives an empty one (--dry-run --force-fresh).
 */
export function openScratchCopy(file: string | null): Db {
  let db: Db;
  if (file !== null && existsSync(file)) {
    // After a clean close the WAL is folded into the file, and its bytes are the whole catalog;
    // after a crash the WAL holds recent work, and a read-only connection sees it.
    db = new Database(withoutWalFlag(existsSync(`${file}-wal`) ? readOnlySnapshot(file) : readFileSync(file)));
  } else {
    db = new Database(':memory:');
  }
  migrate(db);
  return db;
}

function readOnlySnapshot(file: string): Buffer {
  const source = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return source.serialize();
  } finally {
    source.close();
  }
}

/**
 * An in-memory database cannot be in WAL mode, and SQLite refuses to open an image whose header
 * says WAL (bytes 18–19 = 2). Marking it a rollback-journal file (1) is all it takes.
 */
function withoutWalFlag(image: Buffer): Buffer {
  if (image.length >= 20 && image[18] === 2 && image[19] === 2) {
    image[18] = 1;
    image[19] = 1;
  }
  return image;
}
