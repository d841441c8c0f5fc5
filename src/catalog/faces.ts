/**
 * Face analyses in the catalog: one row per analyzed item (with the item's version, the picture
 * analyzed — preview or original — and the analyzer, so a changed picture or analyzer means
 * "analyze again"), and one row per face with its measures and identity descriptor.
 */
import type { FaceAnalysis, FaceRecord } from '../core/faces.js';
import type { PhotoId } from '../core/types.js';
import type { Db } from './database.js';

export interface StoredFaceAnalysis {
  readonly photoId: PhotoId;
  readonly analysis: FaceAnalysis;
}

/** The analysis of a photo whose decode of `size` surely showed no face (faces/no-face-check.ts). */
export function noFaceAnalysis(analyzer: string, size: { readonly width: number; readonly height: number }): FaceAnalysis {
  return { analyzer, width: size.width, height: size.height, faces: [], note: null };
}

/** The analysis is of the item's picture as it is now: same version, same picture kind (a file's own, until fingerprinted). */
export const CURRENT_ANALYSIS = "fa.version = i.version AND fa.pixels = COALESCE(i.pixels, 'original')";

/** Of the given items, those without a current analysis by `analyzer`, in the order given. */
export function pendingFaceAnalyses(db: Db, photoIds: readonly PhotoId[], analyzer: string): PhotoId[] {
  const stmt = db.prepare<[string, number], { current: number | null }>(
    `SELECT fa.item_id AS current FROM items i
     LEFT JOIN item_face_analyses fa ON fa.item_id = i.id AND fa.analyzer = ? AND ${CURRENT_ANALYSIS}
     WHERE i.id = ?`,
  );
  return photoIds.filter((id) => stmt.get(analyzer, id)?.current === null);
}

/**
 * Drops the analyses of some items: a clip fingerprinted again with other key frames (another
 * --video-strategy) has a new sheet of frames to look at, though its file did not change.
 */
export function forgetFaceAnalyses(db: Db, ids: readonly PhotoId[]): void {
  const dropFaces = db.prepare('DELETE FROM item_faces WHERE item_id = ?');
  const drop = db.prepare('DELETE FROM item_face_analyses WHERE item_id = ?');
  db.transaction(() => {
    for (const id of ids) {
      dropFaces.run(id);
      drop.run(id);
    }
  })();
}

/** Stores analyses (replacing earlier ones of the same items) in one transaction, keyed by the item's current version and picture. */
export function saveFaceAnalyses(db: Db, batch: readonly StoredFaceAnalysis[]): void {
  // Faces are deleted explicitly: the cascade needs foreign_keys on, which a dry run's scratch copy lacks.
  const dropFaces = db.prepare('DELETE FROM item_faces WHERE item_id = ?');
  const drop = db.prepare('DELETE FROM item_face_analyses WHERE item_id = ?');
  const insertAnalysis = db.prepare(
    `INSERT INTO item_face_analyses (item_id, version, pixels, analyzer, width, height, note)
     SELECT id, version, COALESCE(pixels, 'original'), ?, ?, ?, ? FROM items WHERE id = ?`,
  );
  const insertFace = db.prepare(
    `INSERT INTO item_faces (item_id, position, confidence, box_x, box_y, box_width, box_height, yaw, pitch,
       left_eye_aspect, left_eye_iris, right_eye_aspect, right_eye_iris, happy, smile_shape, smile, sharpness, descriptor)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  db.transaction(() => {
    for (const { photoId, analysis: a } of batch) {
      dropFaces.run(photoId);
      drop.run(photoId);
      if (insertAnalysis.run(a.analyzer, a.width, a.height, a.note, photoId).changes === 0) continue;
      a.faces.forEach((f, position) => {
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
        );
      });
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
    `SELECT fa.analyzer, fa.width, fa.height, fa.note FROM item_face_analyses fa JOIN items i ON i.id = fa.item_id
     WHERE fa.item_id = ? AND fa.analyzer = ? AND ${CURRENT_ANALYSIS}`,
  );
  const facesStmt = db.prepare<[number], FaceRow>('SELECT * FROM item_faces WHERE item_id = ? ORDER BY position');
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
  d.forEach((v, i) => {
    out.writeFloatLE(v, i * 4);
  });
  return out;
}

function descriptorFromBytes(b: Buffer): Float32Array {
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}
