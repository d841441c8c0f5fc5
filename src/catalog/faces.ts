/**
 * Face analyses in the catalog: one row per analyzed picture (with the picture's identity and the
 * analyzer it was made with, so a changed picture or a changed analyzer means "analyze again"),
 * and one row per face with its measures and identity descriptor. Folder photos and Immich assets
 * have a pair of tables each, alike but for the identity: size and mtime of a file, checksum and
 * picture kind (preview or original) of an asset.
 */
import type { FaceAnalysis, FaceRecord } from '../core/faces.js';
import type { PhotoId } from '../core/types.js';
import type { Db } from './database.js';

export interface StoredFaceAnalysis {
  readonly photoId: PhotoId;
  readonly analysis: FaceAnalysis;
}

/** A pair of face tables and where the analyzed pictures' identity comes from. Fixed names only (they go into SQL). */
export interface FaceTables {
  readonly analyses: 'face_analyses' | 'immich_face_analyses';
  readonly faces: 'faces' | 'immich_faces';
  /** The table of the pictures, whose `id` is the analyses' photo_id. */
  readonly source: 'photos' | 'immich_assets';
  /** Identity columns, the same names in the analyses table and the source table. */
  readonly identity: readonly ['size', 'mtime_ms'] | readonly ['checksum', 'pixels'];
}

/** Folder photos (photos table). */
export const PHOTO_FACES: FaceTables = { analyses: 'face_analyses', faces: 'faces', source: 'photos', identity: ['size', 'mtime_ms'] };

/** Immich assets (immich_assets table); an asset's analysis is of the picture its fingerprint was made from. */
export const ASSET_FACES: FaceTables = { analyses: 'immich_face_analyses', faces: 'immich_faces', source: 'immich_assets', identity: ['checksum', 'pixels'] };

/** `fa.size = p.size AND fa.mtime_ms = p.mtime_ms`: the analysis is of the picture as it is now. */
export function sameIdentity(t: FaceTables, analysis = 'fa', picture = 'p'): string {
  return t.identity.map((c) => `${analysis}.${c} = ${picture}.${c}`).join(' AND ');
}

/** Of the given pictures, those without a current analysis by `analyzer`, in the order given. */
export function pendingFaceAnalyses(db: Db, photoIds: readonly PhotoId[], analyzer: string, t: FaceTables = PHOTO_FACES): PhotoId[] {
  const stmt = db.prepare<[string, number], { current: number | null }>(
    `SELECT fa.photo_id AS current FROM ${t.source} p
     LEFT JOIN ${t.analyses} fa ON fa.photo_id = p.id AND fa.analyzer = ? AND ${sameIdentity(t)}
     WHERE p.id = ?`,
  );
  return photoIds.filter((id) => stmt.get(analyzer, id)?.current === null);
}

/** Stores analyses (replacing earlier ones of the same photos) in one transaction, keyed by the photo's current identity. */
export function saveFaceAnalyses(db: Db, batch: readonly StoredFaceAnalysis[], t: FaceTables = PHOTO_FACES): void {
  // Faces are deleted explicitly: the cascade needs foreign_keys on, which a dry run's scratch copy lacks.
  const dropFaces = db.prepare(`DELETE FROM ${t.faces} WHERE photo_id = ?`);
  const drop = db.prepare(`DELETE FROM ${t.analyses} WHERE photo_id = ?`);
  const [a1, a2] = t.identity;
  const insertAnalysis = db.prepare(
    `INSERT INTO ${t.analyses} (photo_id, ${a1}, ${a2}, analyzer, width, height, note)
     SELECT id, ${a1}, ${a2}, ?, ?, ?, ? FROM ${t.source} WHERE id = ?`,
  );
  const insertFace = db.prepare(
    `INSERT INTO ${t.faces} (photo_id, position, confidence, box_x, box_y, box_width, box_height, yaw, pitch,
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
export function loadFaceAnalyses(db: Db, photoIds: readonly PhotoId[], analyzer: string, t: FaceTables = PHOTO_FACES): Map<PhotoId, FaceAnalysis> {
  const analysisStmt = db.prepare<[number, string], AnalysisRow>(
    `SELECT fa.analyzer, fa.width, fa.height, fa.note FROM ${t.analyses} fa JOIN ${t.source} p ON p.id = fa.photo_id
     WHERE fa.photo_id = ? AND fa.analyzer = ? AND ${sameIdentity(t)}`,
  );
  const facesStmt = db.prepare<[number], FaceRow>(`SELECT * FROM ${t.faces} WHERE photo_id = ? ORDER BY position`);
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
