/**
 * Runs, their groups and decisions, and the journal of output files: what `--resume` needs to
 * continue an interrupted run and what a re-run needs to tidy what an earlier run wrote.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { pathBytes, pathFromBytes } from '../core/paths.js';
import type { FsPath, GroupKind, PhotoId } from '../core/types.js';
import type { Db } from './database.js';

export type RunStage =
  | 'discover'
  | 'inspect'
  | 'group'
  | 'quality'
  | 'analyze'
  | 'select'
  | 'enhance'
  | 'swap'
  | 'output'
  | 'act'
  | 'report'
  | 'done';

export interface RunRecord {
  readonly id: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The run's options as JSON text, exactly as stored. */
  readonly options: string;
  readonly stage: RunStage;
}

interface RunRow {
  id: number;
  started_at: string;
  finished_at: string | null;
  options: string;
  stage: RunStage;
}

const toRun = (r: RunRow): RunRecord => ({
  id: r.id,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  options: r.options,
  stage: r.stage,
});

export function beginRun(db: Db, options: string, now: Date): RunRecord {
  const id = Number(
    db.prepare("INSERT INTO runs (started_at, options, stage) VALUES (?, ?, 'discover')").run(now.toISOString(), options).lastInsertRowid,
  );
  return { id, startedAt: now.toISOString(), finishedAt: null, options, stage: 'discover' };
}

export function setStage(db: Db, runId: number, stage: RunStage): void {
  db.prepare('UPDATE runs SET stage = ? WHERE id = ?').run(stage, runId);
}

export function finishRun(db: Db, runId: number, now: Date): void {
  db.prepare("UPDATE runs SET stage = 'done', finished_at = ? WHERE id = ?").run(now.toISOString(), runId);
}

/** The run started just before `runId`, finished or not. */
export function runBefore(db: Db, runId: number): RunRecord | null {
  const row = db.prepare<[number], RunRow>('SELECT * FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1').get(runId);
  return row ? toRun(row) : null;
}

/** The newest run, finished or not. */
export function latestRun(db: Db): RunRecord | null {
  const row = db.prepare<[], RunRow>('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get();
  return row ? toRun(row) : null;
}

export interface StoredMember {
  readonly photoId: PhotoId;
  readonly score: number;
  readonly reason: string;
  readonly isBest: boolean;
}

export interface StoredGroup {
  readonly number: number;
  readonly kind: GroupKind;
  readonly members: readonly StoredMember[];
  /** Immich person mode: the person the group is about; null otherwise. */
  readonly person: string | null;
}

/** Replaces the run's groups in one transaction; a group without a number is numbered by its place (from 1). */
export function saveGroups(
  db: Db,
  runId: number,
  groups: readonly (Omit<StoredGroup, 'number' | 'person'> & { readonly number?: number; readonly person?: string | null })[],
): void {
  const insertGroup = db.prepare('INSERT INTO groups (run_id, number, kind, person) VALUES (?, ?, ?, ?)');
  const insertMember = db.prepare(
    'INSERT INTO group_members (run_id, number, position, photo_id, score, reason, is_best) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  db.transaction(() => {
    db.prepare('DELETE FROM groups WHERE run_id = ?').run(runId);
    db.prepare('DELETE FROM group_members WHERE run_id = ?').run(runId);
    groups.forEach((g, gi) => {
      const number = g.number ?? gi + 1;
      insertGroup.run(runId, number, g.kind, g.person ?? null);
      g.members.forEach((m, pos) => {
        insertMember.run(runId, number, pos, m.photoId, m.score, m.reason, m.isBest ? 1 : 0);
      });
    });
  })();
}

export function loadGroups(db: Db, runId: number): StoredGroup[] {
  const groups = db
    .prepare<[number], { number: number; kind: GroupKind; person: string | null }>(
      'SELECT number, kind, person FROM groups WHERE run_id = ? ORDER BY number',
    )
    .all(runId);
  const members = db
    .prepare<[number], { number: number; photo_id: PhotoId; score: number; reason: string; is_best: number }>(
      'SELECT number, photo_id, score, reason, is_best FROM group_members WHERE run_id = ? ORDER BY number, position',
    )
    .all(runId);
  const byNumber = new Map<number, StoredMember[]>();
  for (const m of members) {
    const list = byNumber.get(m.number) ?? [];
    list.push({ photoId: m.photo_id, score: m.score, reason: m.reason, isBest: m.is_best === 1 });
    byNumber.set(m.number, list);
  }
  return groups.map((g) => ({ number: g.number, kind: g.kind, members: byNumber.get(g.number) ?? [], person: g.person }));
}

/**
 * The groups of the newest run before `runId` that stored groups of `source`'s items: the numbers
 * a re-run keeps. (A catalog may hold runs of several sources: one server under two addresses.)
 */
export function previousGroups(db: Db, runId: number, source: string): StoredGroup[] {
  const row = db
    .prepare<[number, string], { id: number | null }>(
      `SELECT MAX(m.run_id) AS id FROM group_members m JOIN items i ON i.id = m.photo_id
       WHERE m.run_id < ? AND i.source = ?`,
    )
    .get(runId, source);
  return row?.id == null ? [] : loadGroups(db, row.id);
}

/** Files under the output root that this catalog's runs wrote, with their sizes. */
export function loadOutputs(db: Db): Map<string, { path: FsPath; size: number }> {
  const out = new Map<string, { path: FsPath; size: number }>();
  for (const r of db.prepare<[], { path: Buffer; size: number }>('SELECT path, size FROM outputs').all()) {
    out.set(r.path.toString('hex'), { path: pathFromBytes(r.path), size: r.size });
  }
  return out;
}

export function recordOutputs(db: Db, runId: number, files: readonly { path: FsPath; size: number }[]): void {
  const upsert = db.prepare(
    'INSERT INTO outputs (path, size, run_id) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, run_id = excluded.run_id',
  );
  db.transaction(() => {
    for (const f of files) upsert.run(pathBytes(f.path), f.size, runId);
  })();
}

export function forgetOutputs(db: Db, paths: readonly FsPath[]): void {
  const del = db.prepare('DELETE FROM outputs WHERE path = ?');
  db.transaction(() => {
    for (const p of paths) del.run(pathBytes(p));
  })();
}

/** The newest run recorded in a catalog file, read without creating or changing anything. */
export function peekLatestRun(file: string): RunRecord | null {
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const hasRuns = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
    return hasRuns ? latestRun(db) : null;
  } finally {
    db.close();
  }
}

/** Drops the groups of `source`'s runs before `runId` (a watch keeps only the latest, so the catalog does not grow per cycle). */
export function forgetGroupsBefore(db: Db, runId: number, source: string): void {
  const runs = `SELECT DISTINCT m.run_id FROM group_members m JOIN items i ON i.id = m.photo_id WHERE m.run_id < ? AND i.source = ?`;
  db.transaction(() => {
    const ids = db
      .prepare<[number, string], { run_id: number }>(runs)
      .all(runId, source)
      .map((r) => r.run_id);
    for (const id of ids) {
      db.prepare('DELETE FROM group_members WHERE run_id = ?').run(id);
      db.prepare('DELETE FROM groups WHERE run_id = ?').run(id);
    }
  })();
}
