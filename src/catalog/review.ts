/**
 * Reads the review page needs beyond the other table families: which photos have faces, and the
 * faces of a few photos whatever analyzer found them. Only the analysis made for the file as it
 * is now counts (same size and mtime as its photos row), as everywhere else.
 */
import type { FaceAnalysis } from '../core/faces.js';
import type { PhotoId } from '../core/types.js';
import type { Db } from './database.js';
import { loadFaceAnalyses } from './faces.js';

/** Photos whose current face analysis found at least one face. */
export function photosWithFaces(db: Db): Set<PhotoId> {
  const rows = db
    .prepare<[], { photo_id: number }>(
      `SELECT DISTINCT f.photo_id FROM faces f
       JOIN face_analyses fa ON fa.photo_id = f.photo_id
       JOIN photos p ON p.id = fa.photo_id AND p.size = fa.size AND p.mtime_ms = fa.mtime_ms`,
    )
    .all();
  return new Set(rows.map((r) => r.photo_id));
}

/** The current face analyses of `photoIds` (each photo has at most one), by photo. */
export function currentFaces(db: Db, photoIds: readonly PhotoId[]): Map<PhotoId, FaceAnalysis> {
  const which = db.prepare<[number], { analyzer: string }>('SELECT analyzer FROM face_analyses WHERE photo_id = ?');
  const byAnalyzer = new Map<string, PhotoId[]>();
  for (const id of photoIds) {
    const row = which.get(id);
    if (row !== undefined) byAnalyzer.set(row.analyzer, [...(byAnalyzer.get(row.analyzer) ?? []), id]);
  }
  const out = new Map<PhotoId, FaceAnalysis>();
  for (const [analyzer, ids] of byAnalyzer) for (const [id, a] of loadFaceAnalyses(db, ids, analyzer)) out.set(id, a);
  return out;
}
