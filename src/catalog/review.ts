/**
 * Reads the review page needs beyond the other table families: which items have faces, and
 * the faces of a few items whatever analyzer found them (only the analysis made for the
 * picture as it is now counts, as everywhere else); and which groups the user has reviewed.
 */
import type { FaceAnalysis } from '../core/faces.js';
import { setKey } from '../core/decisions.js';
import type { PhotoId } from '../core/types.js';
import type { Db } from './database.js';
import { CURRENT_ANALYSIS, loadFaceAnalyses } from './faces.js';

/** Items of `source` whose current face analysis found at least one face. */
export function photosWithFaces(db: Db, source: string): Set<PhotoId> {
  const rows = db
    .prepare<[string], { item_id: PhotoId }>(
      `SELECT DISTINCT f.item_id FROM item_faces f
       JOIN item_face_analyses fa ON fa.item_id = f.item_id
       JOIN items i ON i.id = fa.item_id AND ${CURRENT_ANALYSIS}
       WHERE i.source = ?`,
    )
    .all(source);
  return new Set(rows.map((r) => r.item_id));
}

/** The current face analyses of `photoIds` (each item has at most one), by item. */
export function currentFaces(db: Db, photoIds: readonly PhotoId[]): Map<PhotoId, FaceAnalysis> {
  const which = db.prepare<[number], { analyzer: string }>('SELECT analyzer FROM item_face_analyses WHERE item_id = ?');
  const byAnalyzer = new Map<string, PhotoId[]>();
  for (const id of photoIds) {
    const row = which.get(id);
    if (row !== undefined) byAnalyzer.set(row.analyzer, [...(byAnalyzer.get(row.analyzer) ?? []), id]);
  }
  const out = new Map<PhotoId, FaceAnalysis>();
  for (const [analyzer, ids] of byAnalyzer) for (const [id, a] of loadFaceAnalyses(db, ids, analyzer)) out.set(id, a);
  return out;
}

/** The member sets (core/decisions.ts setKey) of the scope's groups marked reviewed. */
export function reviewedGroups(db: Db, scope: string): Set<string> {
  const rows = db.prepare<[string], { members: string }>('SELECT members FROM review_marks WHERE scope = ?').all(scope);
  return new Set(rows.map((r) => r.members));
}

/** Marks the group of these photos reviewed (again: the time is updated). */
export function markReviewed(db: Db, scope: string, members: readonly PhotoId[], now: Date): void {
  db.prepare(
    `INSERT INTO review_marks (scope, members, reviewed_at) VALUES (?, ?, ?)
     ON CONFLICT (scope, members) DO UPDATE SET reviewed_at = excluded.reviewed_at`,
  ).run(scope, setKey(members), now.toISOString());
}
