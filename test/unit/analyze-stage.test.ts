/** The analyze stage with a fake worker pool: what it analyzes, caches, reports and falls back to. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { loadFaceAnalyses } from '../../src/catalog/faces.js';
import { loadPhotos, saveFingerprints, type StoredPhoto, syncItems } from '../../src/catalog/items.js';
import { beginRun } from '../../src/catalog/runs.js';
import type { GroupKind } from '../../src/core/types.js';
import { analyzerFor } from '../../src/faces/backend.js';
import type { FacePoolResult, FacePoolTask, FaceRunner } from '../../src/pipeline/face-pool.js';
import type { ProgressSink } from '../../src/pipeline/progress.js';
import { analyzeStage, ranksOnFaces } from '../../src/pipeline/stages/analyze.js';
import { MemorySource } from '../support/memory-source.js';
import { imageQuality, photoMetadata } from '../support/records.js';
import type { FoundGroup } from '../../src/pipeline/stages/group.js';

const ANALYZER = analyzerFor('human');

function setup(files: number, unavailable: readonly number[] = []): { db: Db; photos: StoredPhoto[]; source: MemorySource } {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-analyze-')), 'catalog.db'));
  const run = beginRun(db, '{}', new Date()).id;
  const source = new MemorySource(
    Array.from({ length: files }, (_, i) => ({
      key: `/p/IMG_${i}.JPG`,
      size: 100 + i,
      ...(unavailable.includes(i) ? { file: null } : {}),
    })),
  );
  const entries = Array.from({ length: files }, (_, i) => ({ key: `/p/IMG_${i}.JPG`, version: `${100 + i}:1`, size: 100 + i, mtimeMs: 1 }));
  const { ids } = syncItems(db, 'local', run, entries);
  saveFingerprints(
    db,
    ids.map((id, i) => ({
      id,
      pixels: 'original' as const,
      meta: photoMetadata({ takenAt: { wallClockMs: 1_700_000_000_000 + i * 300, offsetMinutes: null, source: 'DateTimeOriginal' } }),
      fingerprint: { dhash: 0n, sketch: new Uint8Array(1024), color: new Uint8Array(192), quality: { ...imageQuality(), megapixels: 12 } },
    })),
  );
  return { db, photos: loadPhotos(db, ids), source };
}

const group = (kind: GroupKind, members: StoredPhoto[]): FoundGroup => ({ kind, person: null, members });

/** A pool that answers from a script and records what it was asked. */
function fakePool(answer: (task: FacePoolTask) => FacePoolResult | { crashed: string } | { unavailable: string }) {
  const calls = { started: [] as number[], tasks: [] as number[], withDescriptors: [] as number[], closed: 0 };
  const start = (threads: number): FaceRunner => {
    calls.started.push(threads);
    return {
      async runAll(tasks, onResult) {
        for (const t of tasks) {
          calls.tasks.push(t.id);
          if (t.descriptors) calls.withDescriptors.push(t.id);
          const a = answer(t);
          if ('unavailable' in a) return { unavailable: a.unavailable };
          onResult(t.id, a);
        }
        return { unavailable: null };
      },
      async close() {
        calls.closed++;
      },
    };
  };
  return { start, calls };
}

/** A photo analyzed without trouble (no faces: the stage stores whatever it is given). */
const found = (): FacePoolResult => ({
  ok: true,
  worker: { threadId: 1, loads: 1, loadMs: null, runtime: 'onnxruntime', models: [], v8Bytes: 0 },
  analysis: { analyzer: ANALYZER, width: 1600, height: 1200, note: null, faces: [] },
});

/** A photo with one face at `x` (box 0.2 wide), with a descriptor when the task asked for one. */
const oneFace = (x: number, task: FacePoolTask): FacePoolResult => {
  const eye = { aspect: 0.3, irisShown: 0.8 };
  const face = {
    confidence: 0.9,
    box: { x, y: 0.2, width: 0.2, height: 0.25 },
    yaw: 0,
    pitch: 0,
    leftEye: eye,
    rightEye: eye,
    happy: 0,
    smileShape: 0,
    smile: 0,
    sharpness: 1,
    descriptor: task.descriptors ? Float32Array.from([1, 2, 3]) : new Float32Array(0),
  };
  return { ...found(), analysis: { ...found().analysis, faces: [face] } };
};

function recorder() {
  const lines: string[] = [];
  const sink: ProgressSink = { start: () => {}, update: () => {}, finish: () => {}, note: (kind, line) => lines.push(`${kind}: ${line}`) };
  return { sink, lines };
}

describe('analyzeStage', () => {
  it('analyzes the members of bursts once, and nothing on the next run', async () => {
    const { db, photos, source } = setup(4);
    const pool = fakePool(() => found());
    const { sink } = recorder();
    const groups = [group('burst', photos.slice(0, 3))];
    expect(await analyzeStage({ db, source, options: { faceBackend: 'auto', threads: 4 }, sink, startPool: pool.start }, groups)).toEqual({
      analyzer: ANALYZER,
      analyzed: 3,
      cached: 0,
      failed: 0,
    });
    // Never more threads than pairs of photos to give them.
    expect(pool.calls.started).toEqual([2]);
    expect(pool.calls.closed).toBe(1);
    expect(
      loadFaceAnalyses(
        db,
        photos.map((p) => p.id),
        ANALYZER,
      ).size,
    ).toBe(3);
    expect(await analyzeStage({ db, source, options: { faceBackend: 'auto', threads: 4 }, sink, startPool: pool.start }, groups)).toEqual({
      analyzer: ANALYZER,
      analyzed: 0,
      cached: 3,
      failed: 0,
    });
    expect(pool.calls.started).toEqual([2]);
  });

  it('skips descriptors where the faces stay in place across the frames', async () => {
    const { db, photos, source } = setup(3);
    const pool = fakePool((t) => oneFace(0.3 + (t.id % 2) * 0.01, t));
    const groups = [group('burst', photos)];
    const options = { faceBackend: 'auto', threads: 2 } as const;
    expect(await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, groups)).toMatchObject({
      analyzed: 3,
    });
    expect(pool.calls.tasks).toEqual(photos.map((p) => p.id));
    expect(pool.calls.withDescriptors).toEqual([]);
    const stored = loadFaceAnalyses(
      db,
      photos.map((p) => p.id),
      ANALYZER,
    );
    expect([...stored.values()].map((a) => a.faces[0]!.descriptor.length)).toEqual([0, 0, 0]);
    await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, groups);
    expect(pool.calls.tasks).toHaveLength(3);
  });

  it('analyzes again with descriptors the frames of a group where a face moved, once', async () => {
    const { db, photos, source } = setup(4);
    const moved = photos[1]!.id;
    const pool = fakePool((t) => oneFace(t.id === moved ? 0.7 : 0.3, t));
    const groups = [group('burst', photos.slice(0, 3)), group('burst', [photos[3]!])];
    const options = { faceBackend: 'auto', threads: 2 } as const;
    expect(await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, groups)).toEqual({
      analyzer: ANALYZER,
      analyzed: 4,
      cached: 0,
      failed: 0,
    });
    const burst = photos.slice(0, 3).map((p) => p.id);
    expect(pool.calls.withDescriptors).toEqual(burst);
    // One pool for both passes.
    expect(pool.calls.started).toHaveLength(1);
    const stored = loadFaceAnalyses(db, burst, ANALYZER);
    expect([...stored.values()].map((a) => a.faces[0]!.descriptor.length)).toEqual([3, 3, 3]);
    expect(await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, groups)).toMatchObject({
      analyzed: 0,
      cached: 4,
    });
    expect(pool.calls.tasks).toHaveLength(7);
  });

  it('asks for descriptors of analyses stored without them when a regrouping makes the places ambiguous', async () => {
    const { db, photos, source } = setup(4);
    const pool = fakePool((t) => oneFace(t.id === photos[3]!.id ? 0.7 : 0.3, t));
    const options = { faceBackend: 'auto', threads: 2 } as const;
    await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, [
      group('burst', photos.slice(0, 3)),
      group('burst', [photos[3]!]),
    ]);
    expect(pool.calls.withDescriptors).toEqual([]);
    // A looser threshold puts the fourth photo, its face elsewhere, in the same group.
    expect(await analyzeStage({ db, source, options, sink: recorder().sink, startPool: pool.start }, [group('similar', photos)])).toEqual({
      analyzer: ANALYZER,
      analyzed: 4,
      cached: 0,
      failed: 0,
    });
    expect(pool.calls.withDescriptors).toEqual(photos.map((p) => p.id));
  });

  it('keeps the first pass of a photo whose second pass fails', async () => {
    const { db, photos, source } = setup(2);
    const pool = fakePool((t) =>
      t.descriptors && t.id === photos[1]!.id ? { crashed: 'out of memory' } : oneFace(t.id === photos[1]!.id ? 0.7 : 0.3, t),
    );
    const { sink, lines } = recorder();
    expect(
      await analyzeStage({ db, source, options: { faceBackend: 'auto', threads: 2 }, sink, startPool: pool.start }, [
        group('burst', photos),
      ]),
    ).toMatchObject({ analyzed: 2, failed: 0 });
    expect(lines).toEqual(['problem: /p/IMG_1.JPG: face analysis failed: face worker crashed: out of memory']);
    expect(loadFaceAnalyses(db, [photos[1]!.id], ANALYZER).get(photos[1]!.id)).toMatchObject({ note: null, faces: [{ box: { x: 0.7 } }] });
  });

  it('skips copies of one exposure but not a tripod burst that looks like copies', async () => {
    const { db, photos, source } = setup(6);
    const copies = photos.slice(0, 3).map((p) => ({ ...p, meta: { ...p.meta, takenAt: photos[0]!.meta.takenAt } }));
    const tripod = photos.slice(3);
    expect(ranksOnFaces(group('duplicate', copies))).toBe(false);
    expect(ranksOnFaces(group('duplicate', tripod))).toBe(true);
    expect(ranksOnFaces(group('similar', copies))).toBe(true);
    const pool = fakePool(() => found());
    await analyzeStage({ db, source, options: { faceBackend: 'human', threads: 2 }, sink: recorder().sink, startPool: pool.start }, [
      group('duplicate', copies),
      group('duplicate', tripod),
    ]);
    expect(pool.calls.tasks).toEqual(tripod.map((p) => p.id));
  });

  it('stores a failed photo with its note and warns, and a crashed worker the same way', async () => {
    const { db, photos, source } = setup(3);
    const pool = fakePool((t) =>
      t.id === photos[0]!.id
        ? { ...found(), analysis: { ...found().analysis, note: 'corrupt JPEG data' } }
        : t.id === photos[1]!.id
          ? { crashed: 'out of memory' }
          : found(),
    );
    const { sink, lines } = recorder();
    const result = await analyzeStage({ db, source, options: { faceBackend: 'auto', threads: 2 }, sink, startPool: pool.start }, [
      group('burst', photos),
    ]);
    expect(result).toMatchObject({ analyzed: 1, failed: 2 });
    expect(lines).toEqual([
      'problem: /p/IMG_0.JPG: face analysis failed: corrupt JPEG data',
      'problem: /p/IMG_1.JPG: face analysis failed: face worker crashed: out of memory',
    ]);
    const stored = loadFaceAnalyses(
      db,
      photos.map((p) => p.id),
      ANALYZER,
    );
    expect(stored.get(photos[1]!.id)).toMatchObject({ faces: [], note: 'face worker crashed: out of memory' });
  });

  it('under auto, turns face analysis off with a notice when the backend cannot load; under human, fails', async () => {
    const { db, photos, source } = setup(3);
    const broken = fakePool(() => ({ unavailable: 'Human could not load the faceres model(s)' }));
    const { sink, lines } = recorder();
    const auto = await analyzeStage({ db, source, options: { faceBackend: 'auto', threads: 2 }, sink, startPool: broken.start }, [
      group('burst', photos),
    ]);
    expect(auto.analyzer).toBeNull();
    expect(lines).toEqual([
      'notice: Face analysis is off: Human could not load the faceres model(s). Best photos are chosen on sharpness, exposure and resolution.',
    ]);
    expect(
      loadFaceAnalyses(
        db,
        photos.map((p) => p.id),
        ANALYZER,
      ).size,
    ).toBe(0);
    await expect(
      analyzeStage({ db, source, options: { faceBackend: 'mediapipe', threads: 2 }, sink, startPool: broken.start }, [
        group('burst', photos),
      ]),
    ).rejects.toThrow('--face-backend mediapipe: Human could not load the faceres model(s)');
    expect(broken.calls.closed).toBe(2);
  });

  it('does nothing with --face-backend none', async () => {
    const { db, photos, source } = setup(3);
    const pool = fakePool(() => found());
    expect(
      await analyzeStage({ db, source, options: { faceBackend: 'none', threads: 2 }, sink: recorder().sink, startPool: pool.start }, [
        group('burst', photos),
      ]),
    ).toEqual({
      analyzer: null,
      analyzed: 0,
      cached: 0,
      failed: 0,
    });
    expect(pool.calls.started).toEqual([]);
  });
});
