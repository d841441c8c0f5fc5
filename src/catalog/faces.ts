/**
 * Face analyses in the catalog: one row per analyzed photo (with the file identity and the
 * analyzer it was made with, so a changed file or a changed analyzer means "analyze again"),
 * and one row per face with its measures and identity descriptor.
 */
import { pathFromBytes } from '../core/paths.js';
import type { FaceAnalysis, FaceRecord } from '../core/faces.js';
import type { FsPath, PhotoId } from '../core/types.js';
import type { Db } from './database.js';

export interface StoredFaceAnalysis {
  readonly photoId: PhotoId;
  readonly analysis: FaceAnalysis;
}

/**
 * Of the given photos, those without an analysis by `analyzer` for the file as it is now
 * (same size and mtime as the photos row), in the order given.
 */
export function pendingFaceAnalyses(db: Db, photoIds: readonly PhotoId[], analyzer: string): { id: PhotoId; path: FsPath }[] {
  const stmt = db.prepare<[string, number], { path: Buffer; current: number | null }>(
    `SELECT p.path AS path, fa.photo_id AS current FROM photos p
     LEFT JOIN face_analyses fa ON fa.photo_id = p.id AND fa.analyzer = ? AND fa.size = p.size AND fa.mtime_ms = p.mtime_ms
     WHERE p.id = ?`,
  );
  const pending: { id: PhotoId; path: FsPath }[] = [];
  for (const id of photoIds) {
    const row = stmt.get(analyzer, id);
    if (row && row.current === null) pending.push({ id, path: pathFromBytes(row.path) });
  }
  return pending;
}

/** Stores analyses (replacing earlier ones of the same photos) in one transaction, keyed by the photo's current identity. */
export function saveFaceAnalyses(db: Db, batch: readonly StoredFaceAnalysis[]): void {
  // Faces are deleted explicitly: the cascade needs foreign_keys on, which a dry run's scratch copy lacks.
  const dropFaces = db.prepare('DELETE FROM faces WHERE photo_id = ?');
  const drop = db.prepare('DELETE FROM face_analyses WHERE photo_id = ?');
  const insertAnalysis = db.prepare(
    `INSERT INTO face_analyses (photo_id, size, mtime_ms, analyzer, width, height, note)
     SELECT id, size, mtime_ms, ?, ?, ?, ? FROM photos WHERE id = ?`,
  );
  const insertFace = db.prepare(
    `INSERT INTO faces (photo_id, position, confidence, box_x, box_y, box_width, box_height, yaw, pitch,
       left_eye_aspect, left_eye_iris, right_eye_aspect, right_eye_iris, happy, smile_shape, smile, sharpness, descriptor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const { photoId, analysis: a } of batch) {
      dropFaces.run(photoId);
      drop.run(photoId);
      if (insertAnalysis.run(a.analyzer, a.width, a.height, a.note, photoId).changes === 0) continue;
      a.faces.forEach((f, position) =>
        insertFace.run(
          photoId,
          position,
          f.confidence,
          f.box.x,
          f.box.y,
          f.box.width,
          f.box.height,
          f.yaw,
          f.pitch,
          f.leftEye.aspect,
          f.leftEye.irisShown,
          f.rightEye.aspect,
          f.rightEye.irisShown,
          f.happy,
          f.smileShape,
          f.smile,
          f.sharpness,
          descriptorBytes(f.descriptor),
        ),
      );
    }
  })();
}

interface AnalysisRow {
  analyzer: string;
  width: number;
  height: number;
  note: string | null;
}

interface FaceRow {
  confidence: number;
  box_x: number;
  box_y: number;
  box_width: number;
  box_height: number;
  yaw: number;
  pitch: number;
  left_eye_aspect: number;
  left_eye_iris: number | null;
  right_eye_aspect: number;
  right_eye_iris: number | null;
  happy: number;
  smile_shape: number;
  smile: number;
  sharpness: number;
  descriptor: Buffer;
}

/** The current analyses by `analyzer` of the given photos; photos without one are absent from the map. */
export function loadFaceAnalyses(db: Db, photoIds: readonly PhotoId[], analyzer: string): Map<PhotoId, FaceAnalysis> {
  const analysisStmt = db.prepare<[number, string], AnalysisRow>(
    `SELECT fa.analyzer, fa.width, fa.height, fa.note FROM face_analyses fa JOIN photos p ON p.id = fa.photo_id
     WHERE fa.photo_id = ? AND fa.analyzer = ? AND fa.size = p.size AND fa.mtime_ms = p.mtime_ms`,
  );
  const facesStmt = db.prepare<[number], FaceRow>('SELECT * FROM faces WHERE photo_id = ? ORDER BY position');
  const out = new Map<PhotoId, FaceAnalysis>();
  for (const id of photoIds) {
    const a = analysisStmt.get(id, analyzer);
    if (!a) continue;
    out.set(id, { analyzer: a.analyzer, width: a.width, height: a.height, note: a.note, faces: facesStmt.all(id).map(toRecord) });
  }
  return out;
}

function toRecord(r: FaceRow): FaceRecord {
  return {
    confidence: r.confidence,
    box: { x: r.box_x, y: r.box_y, width: r.box_width, height: r.box_height },
    yaw: r.yaw,
    pitch: r.pitch,
    leftEye: { aspect: r.left_eye_aspect, irisShown: r.left_eye_iris },
    rightEye: { aspect: r.right_eye_aspect, irisShown: r.right_eye_iris },
    happy: r.happy,
    smileShape: r.smile_shape,
    smile: r.smile,
    sharpness: r.sharpness,
    descriptor: descriptorFromBytes(r.descriptor),
  };
}

/** float32 little-endian, the byte order of every platform Node runs on, written explicitly anyway. */
function descriptorBytes(d: Float32Array): Buffer {
  const out = Buffer.alloc(d.length * 4);
  d.forEach((v, i) => out.writeFloatLE(v, i * 4));
  return out;
}

function descriptorFromBytes(b: Buffer): Float32Array {
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}
