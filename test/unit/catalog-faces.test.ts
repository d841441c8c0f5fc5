/** Face analyses in the catalog, on a real temporary SQLite file. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, openScratchCopy } from '../../src/catalog/database.js';
import { forgetFaceAnalyses, loadFaceAnalyses, pendingFaceAnalyses, saveFaceAnalyses } from '../../src/catalog/faces.js';
import { itemVersion, saveFingerprints, syncItems } from '../../src/catalog/items.js';
import { currentFaces, photosWithFaces } from '../../src/catalog/review.js';
import { beginRun } from '../../src/catalog/runs.js';
import type { FaceAnalysis, FaceRecord } from '../../src/core/faces.js';
import { assetFacts, imageQuality } from '../support/records.js';
import { asPhotoId, type PhotoId } from '../../src/core/types.js';

type Db = ReturnType<typeof openDatabase>;
const syncFiles = (db: Db, run: number, files: { path: string; size: number; mtimeMs: number }[]) =>
  syncItems(
    db,
    'local',
    run,
    files.map((f) => ({ key: f.path, version: itemVersion.local(f.size, f.mtimeMs), size: f.size, mtimeMs: f.mtimeMs })),
  );
const syncAssets = (
  db: Db,
  server: string,
  run: number,
  assets: { assetId: string; checksum: string; facts: ReturnType<typeof assetFacts> }[],
) =>
  syncItems(
    db,
    server,
    run,
    assets.map((a) => ({ key: a.assetId, version: itemVersion.asset(a.checksum), size: 1, mtimeMs: 1, facts: a.facts })),
  ).ids;

const file = () => join(mkdtempSync(join(tmpdir(), 'po-faces-')), 'catalog.db');

const record = (seed: number): FaceRecord => ({
  confidence: 0.91,
  box: { x: 0.1, y: 0.2, width: 0.15, height: 0.2 },
  yaw: -12.5,
  pitch: 3,
  leftEye: { aspect: 0.31, irisShown: 0.88 },
  rightEye: { aspect: 0.29, irisShown: null },
  happy: 0.7,
  smileShape: 0.4,
  smile: 0.58,
  sharpness: 1.25,
  descriptor: Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * seed) / 7),
});

const analysis = (faces: FaceRecord[], analyzer = 'human-test/1600/1', note: string | null = null): FaceAnalysis => ({
  analyzer,
  width: 1600,
  height: 1200,
  faces,
  note,
});

describe('catalog faces', () => {
  it('stores and reads back every measure and the descriptor exactly', () => {
    const db = openDatabase(file());
    const run = beginRun(db, '{}', new Date()).id;
    const { ids } = syncFiles(db, run, [
      { path: '/p/a.jpg', size: 10, mtimeMs: 1 },
      { path: '/p/b.jpg', size: 11, mtimeMs: 1 },
    ]);
    const [a, b] = ids as [PhotoId, PhotoId];
    saveFaceAnalyses(db, [
      { photoId: a, analysis: analysis([record(1), record(2)]) },
      { photoId: b, analysis: analysis([], 'human-test/1600/1', 'corrupt JPEG data') },
    ]);
    const loaded = loadFaceAnalyses(db, [a, b], 'human-test/1600/1');
    expect(loaded.get(a)).toEqual(analysis([record(1), record(2)]));
    expect(loaded.get(a)!.faces[1]!.descriptor).toEqual(record(2).descriptor);
    expect(loaded.get(b)).toEqual(analysis([], 'human-test/1600/1', 'corrupt JPEG data'));
    expect(pendingFaceAnalyses(db, [a, b], 'human-test/1600/1')).toEqual([]);
    db.close();
  });

  it('analyzes again when the file changes or the analyzer is a different one', () => {
    const db = openDatabase(file());
    const run1 = beginRun(db, '{}', new Date()).id;
    const { ids } = syncFiles(db, run1, [{ path: '/p/a.jpg', size: 10, mtimeMs: 1 }]);
    const id = ids[0]!;
    saveFaceAnalyses(db, [{ photoId: id, analysis: analysis([record(1)]) }]);
    expect(pendingFaceAnalyses(db, [id], 'human-other/1600/1')).toEqual([id]);
    expect(loadFaceAnalyses(db, [id], 'human-other/1600/1').size).toBe(0);

    const run2 = beginRun(db, '{}', new Date()).id;
    syncFiles(db, run2, [{ path: '/p/a.jpg', size: 10, mtimeMs: 2 }]);
    expect(pendingFaceAnalyses(db, [id], 'human-test/1600/1')).toEqual([id]);
    expect(loadFaceAnalyses(db, [id], 'human-test/1600/1').size).toBe(0);
    // The new analysis replaces the old one and its faces.
    saveFaceAnalyses(db, [{ photoId: id, analysis: analysis([record(3)]) }]);
    expect(loadFaceAnalyses(db, [id], 'human-test/1600/1').get(id)!.faces).toEqual([record(3)]);
    db.close();
  });

  it('forgets the analyses it is told to (a clip fingerprinted on other key frames), and only those', () => {
    const db = openDatabase(file());
    const run = beginRun(db, '{}', new Date()).id;
    const [a, b] = syncFiles(db, run, [
      { path: '/p/a.mp4', size: 10, mtimeMs: 1 },
      { path: '/p/b.mp4', size: 10, mtimeMs: 1 },
    ]).ids as [PhotoId, PhotoId];
    saveFaceAnalyses(db, [
      { photoId: a, analysis: analysis([record(1)]) },
      { photoId: b, analysis: analysis([record(2)]) },
    ]);
    forgetFaceAnalyses(db, [a]);
    expect(pendingFaceAnalyses(db, [a, b], 'human-test/1600/1')).toEqual([a]);
    expect(loadFaceAnalyses(db, [b], 'human-test/1600/1').get(b)!.faces).toEqual([record(2)]);
    db.close();
  });

  it('replaces analyses in a dry run scratch copy too (no foreign-key cascade there)', () => {
    const path = file();
    const disk = openDatabase(path);
    const run = beginRun(disk, '{}', new Date()).id;
    const id = syncFiles(disk, run, [{ path: '/p/a.jpg', size: 10, mtimeMs: 1 }]).ids[0]!;
    saveFaceAnalyses(disk, [{ photoId: id, analysis: analysis([record(1), record(2)]) }]);
    disk.close();
    const scratch = openScratchCopy(path);
    saveFaceAnalyses(scratch, [{ photoId: id, analysis: analysis([record(4)]) }]);
    expect(loadFaceAnalyses(scratch, [id], 'human-test/1600/1').get(id)!.faces).toEqual([record(4)]);
    scratch.close();
  });

  it('ignores photos the catalog does not know', () => {
    const db = openDatabase(file());
    const unknown = asPhotoId(99);
    saveFaceAnalyses(db, [{ photoId: unknown, analysis: analysis([record(1)]) }]);
    expect(loadFaceAnalyses(db, [unknown], 'human-test/1600/1').size).toBe(0);
    expect(pendingFaceAnalyses(db, [unknown], 'human-test/1600/1')).toEqual([]);
    db.close();
  });

  it('keeps Immich assets’ analyses apart, per picture: a new checksum or the other picture kind means analyze again', () => {
    const db = openDatabase(file());
    const run = beginRun(db, '{}', new Date()).id;
    // One table of items: a folder photo and an asset never share an id.
    const photo = syncFiles(db, run, [{ path: '/p/a.jpg', size: 10, mtimeMs: 1 }]).ids[0]!;
    const [asset] = syncAssets(db, 'https://a/api', run, [{ assetId: 'x', checksum: 'c1', facts: assetFacts() }]);
    expect(asset).not.toBe(photo);
    const fingerprint = { dhash: 1n, sketch: new Uint8Array(1024), color: new Uint8Array(192), quality: imageQuality() };
    saveFingerprints(db, [{ id: asset!, pixels: 'preview', meta: null, fingerprint }]);
    saveFaceAnalyses(db, [{ photoId: asset!, analysis: analysis([record(5)]) }]);
    expect(loadFaceAnalyses(db, [asset!], 'human-test/1600/1').get(asset!)!.faces).toEqual([record(5)]);
    expect(loadFaceAnalyses(db, [photo], 'human-test/1600/1').size).toBe(0);
    expect(pendingFaceAnalyses(db, [asset!], 'human-test/1600/1')).toEqual([]);
    expect(photosWithFaces(db, 'https://a/api')).toEqual(new Set([asset]));
    expect(photosWithFaces(db, 'local')).toEqual(new Set());
    expect(currentFaces(db, [asset!]).get(asset!)!.faces).toHaveLength(1);

    // The original fingerprinted instead of the preview: another picture.
    saveFingerprints(db, [{ id: asset!, pixels: 'original', meta: null, fingerprint }]);
    expect(pendingFaceAnalyses(db, [asset!], 'human-test/1600/1')).toEqual([asset]);
    saveFaceAnalyses(db, [{ photoId: asset!, analysis: analysis([record(6)]) }]);
    expect(pendingFaceAnalyses(db, [asset!], 'human-test/1600/1')).toEqual([]);
    // The asset edited on the server: its checksum changes.
    syncAssets(db, 'https://a/api', run, [{ assetId: 'x', checksum: 'c2', facts: assetFacts() }]);
    expect(loadFaceAnalyses(db, [asset!], 'human-test/1600/1').size).toBe(0);
    db.close();
  });
});
