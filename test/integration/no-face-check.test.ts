/**
 * Photos settled as "no face" on their ranking decode (faces/no-face-check.ts): never a photo
 * with a face the analysis would keep, and in the fingerprint stage, burst frames without faces
 * stored as analyzed (with none) while frames of people are left to the face stage.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { loadFaceAnalyses, pendingFaceAnalyses } from '../../src/catalog/faces.js';
import { syncItems } from '../../src/catalog/items.js';
import { beginRun } from '../../src/catalog/runs.js';
import { FACE_DECODE_SIDE } from '../../src/faces/backend.js';
import { noFaceSize } from '../../src/faces/no-face-check.js';
import { loadPixels } from '../../src/media/load.js';
import analyzeFaces from '../../src/pipeline/face-worker.js';
import { QUALITY_SIDE } from '../../src/pipeline/inspect-worker.js';
import { silentProgress } from '../../src/pipeline/progress.js';
import { fingerprintStage } from '../../src/pipeline/stages/fingerprint.js';
import { fixturePhotoPath } from '../support/library.js';
import { MemorySource } from '../support/memory-source.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const dir = mkdtempSync(join(tmpdir(), 'po-no-face-'));
const dbs: Db[] = [];
afterAll(() => {
  for (const db of dbs) db.close();
});

/** What the check settles for `file`, from a ranking-size decode as the fingerprint and quality workers make it. */
const settled = async (file: string) =>
  noFaceSize(await loadPixels(file, { maxSide: QUALITY_SIDE }), () => loadPixels(file, { maxSide: FACE_DECODE_SIDE }));

describe('the no-face check on ranking decodes', () => {
  it('never settles a photo with a face: people, portraits, video stills, a tilted head, small faces', async () => {
    const files = [
      ...['people-group', 'people-friends', 'portrait-smile', 'portrait-costume'].map((n) => fixturePhotoPath(n as 'people-group')),
      ...readdirSync(join(fixtures, 'video'))
        .filter((f) => f.endsWith('.jpg'))
        .map((f) => join(fixtures, 'video', f)),
    ];
    const tilted = join(dir, 'tilted.jpg');
    await sharp(fixturePhotoPath('portrait-smile')).rotate(35, { background: '#777' }).jpeg().toFile(tilted);
    // The group photo small in a wide frame: faces of ~20–30 px in the 440 px decode.
    const small = join(dir, 'small-faces.jpg');
    const group = await sharp(fixturePhotoPath('people-group')).resize(1200).toBuffer();
    await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#6a7a5a' } })
      .composite([{ input: group, left: 900, top: 600 }])
      .jpeg()
      .toFile(small);
    for (const file of [...files, tilted, small]) {
      expect({ file, settled: await settled(file) }).toEqual({ file, settled: null });
    }
  });

  it('settles landscapes the detector sees nothing in, on the ranking decode', async () => {
    for (const name of ['mountains-peaks', 'stream-forest'] as const) {
      expect(Math.max(...Object.values((await settled(fixturePhotoPath(name)))!))).toBe(QUALITY_SIDE);
    }
  });

  it('settles landscapes whose doubtful boxes are too small to judge at 440 px on the face stage’s decode, as the face stage does', async () => {
    // At 440 px the detector finds only small boxes in these (scores 0.3–0.75), which the mesh cannot judge.
    for (const name of ['boats-lake', 'mountains-dusk'] as const) {
      const file = fixturePhotoPath(name);
      const outcome = await analyzeFaces({ path: file, backend: 'human', descriptors: false });
      if (!outcome.ok) throw new Error(outcome.message);
      const { width, height, faces } = outcome.analysis;
      expect(faces).toEqual([]);
      // Stored as the face stage would store it: at the size of its decode, not the ranking one.
      expect(await settled(file)).toEqual({ width, height });
      expect(Math.max(width, height)).toBeGreaterThan(QUALITY_SIDE);
    }
  });
});

describe('the fingerprint stage with faces on', () => {
  /** Three frames a second apart of a fixture scene, written as JPEGs with capture times. */
  async function burst(scene: 'stream-forest' | 'portrait-smile', at: number): Promise<string[]> {
    const files: string[] = [];
    for (const k of [0, 1, 2]) {
      const file = join(dir, `${scene}-${k}.jpg`);
      // A hand-held burst: the frame shifted by a few pixels.
      const { data, info } = await sharp(fixturePhotoPath(scene)).resize(1600).toBuffer({ resolveWithObject: true });
      await sharp(data)
        .extract({ left: k * 3, top: k * 2, width: info.width - 10, height: info.height - 10 })
        .jpeg({ quality: 90 })
        .withExif({ IFD2: { DateTimeOriginal: `2024:05:01 ${at}:00:0${k}` } })
        .toFile(file);
      files.push(file);
    }
    return files;
  }

  async function fingerprinted(faceAnalyzer: string | null) {
    const files = [...(await burst('stream-forest', 10)), ...(await burst('portrait-smile', 11))];
    const source = new MemorySource(files.map((file, i) => ({ key: `IMG_${i}.jpg`, file })));
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-nf-db-')), 'catalog.db'));
    dbs.push(db);
    const run = beginRun(db, '{}', new Date()).id;
    const ids = syncItems(db, source.id, run, (await source.discover()).entries).ids;
    await fingerprintStage({ db, source, threads: 2, sink: silentProgress, faceAnalyzer }, ids);
    return { db, landscapes: ids.slice(0, 3), portraits: ids.slice(3) };
  }

  it('stores the landscape frames as analyzed with no faces, and leaves the portraits to the face stage', async () => {
    const { db, landscapes, portraits } = await fingerprinted('test-analyzer');
    const stored = loadFaceAnalyses(db, landscapes, 'test-analyzer');
    expect([...stored.values()].map((a) => [a.faces.length, Math.max(a.width, a.height)])).toEqual([
      [0, QUALITY_SIDE],
      [0, QUALITY_SIDE],
      [0, QUALITY_SIDE],
    ]);
    expect(pendingFaceAnalyses(db, portraits, 'test-analyzer')).toEqual(portraits);
  });

  it('stores nothing when faces are off', async () => {
    const { db, landscapes } = await fingerprinted(null);
    expect(loadFaceAnalyses(db, landscapes, 'test-analyzer').size).toBe(0);
  });
});
