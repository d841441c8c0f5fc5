/**
 * Reads the review page needs beyond the other table families: which pictures have faces, and
 * the faces of a few pictures whatever analyzer found them. Only the analysis made for the
 * picture as it is now counts, as everywhere else.
 */
import type { FaceAnalysis } from '../core/faces.js';
import type { PhotoId } from '../core/types.js';
import type { Db } from './database.js';
import { type FaceTables, loadFaceAnalyses, PHOTO_FACES, sameIdentity } from './faces.js';

/** Pictures whose current face analysis found at least one face. */
export function photosWithFaces(db: Db, t: FaceTables = PHOTO_FACES): Set<PhotoId> {
  const rows = db
    .prepare<[], { photo_id: number }>(
      `SELECT DISTINCT f.photo_id FROM ${t.faces} f
       JOIN ${t.analyses} fa ON fa.photo_id = f.photo_id
       JOIN ${t.source} p ON p.id = fa.photo_id AND ${sameIdentity(t)}`,
    )
    .all();
  return new Set(rows.map((r) => r.photo_id));
}

/** The current face analyses of `photoIds` (each picture has at most one), by picture. */
export function currentFaces(db: Db, photoIds: readonly PhotoId[], t: FaceTables = PHOTO_FACES): Map<PhotoId, FaceAnalysis> {
  const which = db.prepare<[number], { analyzer: string }>(`SELECT analyzer FROM ${t.analyses} WHERE photo_id = ?`);
  const byAnalyzer = new Map<string, PhotoId[]>();
  for (const id of photoIds) {
    const row = which.get(id);
    if (row !== undefined) byAnalyzer.set(row.analyzer, [...(byAnalyzer.get(row.analyzer) ?? []), id]);
  }
  const out = new Map<PhotoId, FaceAnalysis>();
  for (const [analyzer, ids] of byAnalyzer) for (const [id, a] of loadFaceAnalyses(db, ids, analyzer, t)) out.set(id, a);
  return out;
}
