/** The analyze stage with a fake worker pool: what it analyzes, caches, reports and falls back to. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/catalog/database.js';
import { loadFaceAnalyses } from '../../src/catalog/faces.js';
import type { StoredPhoto } from '../../src/catalog/photos.js';
import { syncFiles } from '../../src/catalog/photos.js';
import { beginRun } from '../../src/catalog/runs.js';
import type { GroupKind } from '../../src/core/types.js';
import { analyzerFor } from '../../src/faces/backend.js';
import type { FacePoolResult, FacePoolTask, FaceRunner } from '../../src/pipeline/face-pool.js';
import type { ProgressSink } from '../../src/pipeline/progress.js';
import { analyzeStage, ranksOnFaces } from '../../src/pipeline/stages/analyze.js';
import type { FoundGroup } from '../../src/pipeline/stages/group.js';

const ANALYZER = analyzerFor('human');

function setup(files: number): { db: Db; photos: StoredPhoto[] } {
  const db = openDatabase(join(mkdtempSync(join(tmpdir(), 'po-analyze-')), 'catalog.db'));
  const run = beginRun(db, '{}', new Date()).id;
  const entries = Array.from({ length: files }, (_, i) => ({ path: `/p/IMG_${i}.JPG`, size: 100 + i, mtimeMs: 1 }));
  const { ids } = syncFiles(db, run, entries);
  const photos = ids.map(
    (id, i): StoredPhoto => ({
      id,
      path: entries[i]!.path,
      size: entries[i]!.size,
      mtimeMs: 1,
      dhash: 0n,
      quality: { sharpness: 1, highlightsClipped: 0, shadowsClipped: 0, meanLuma: 0.5, megapixels: 12 },
      meta: {
        format: 'jpeg', width: 4000, height: 3000, orientation: 1, make: null, model: null, lens: null, exposureTime: null,
        fNumber: null, iso: null, focalLength: null, gps: null, exif: [],
        takenAt: { wallClockMs: 1_700_000_000_000 + i * 300, offsetMinutes: null, source: 'DateTimeOriginal' },
      },
    }),
  );
  return { db, photos };
}

const group = (kind: GroupKind, members: StoredPhoto[]): FoundGroup => ({ kind, members });

/** A pool that answers from a script and records what it was asked. */
function fakePool(answer: (task: FacePoolTask) => FacePoolResult | { crashed: string } | { unavailable: string }) {
  const calls = { started: [] as number[], tasks: [] as number[], closed: 0 };
  const start = (threads: number): FaceRunner => {
    calls.started.push(threads);
    return {
      async runAll(tasks, onResult) {
        for (const t of tasks) {
          calls.tasks.push(t.id);
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
  worker: { threadId: 1, loads: 1, loadMs: null },
  analysis: { analyzer: ANALYZER, width: 1600, height: 1200, note: null, faces: [] },
});

function recorder() {
  const lines: string[] = [];
  const sink: ProgressSink = { start: () => {}, update: () => {}, finish: () => {}, note: (kind, line) => lines.push(`${kind}: ${line}`) };
  return { sink, lines };
}

describe('analyzeStage', () => {
  it('analyzes the members of bursts once, and nothing on the next run', async () => {
    const { db, photos } = setup(4);
    const pool = fakePool(() => found());
    const { sink } = recorder();
    const groups = [group('burst', photos.slice(0, 3))];
    expect(await analyzeStage(db, groups, { faceBackend: 'auto', threads: 4 }, sink, undefined, pool.start)).toEqual({
      analyzer: ANALYZER, analyzed: 3, cached: 0, failed: 0,
    });
    // Never more threads than pairs of photos to give them.
    expect(pool.calls.started).toEqual([2]);
    expect(pool.calls.closed).toBe(1);
    expect(loadFaceAnalyses(db, photos.map((p) => p.id), ANALYZER).size).toBe(3);
    expect(await analyzeStage(db, groups, { faceBackend: 'auto', threads: 4 }, sink, undefined, pool.start)).toEqual({
      analyzer: ANALYZER, analyzed: 0, cached: 3, failed: 0,
    });
    expect(pool.calls.started).toEqual([2]);
  });

  it('skips copies of one exposure but not a tripod burst that looks like copies', async () => {
    const { db, photos } = setup(6);
    const copies = photos.slice(0, 3).map((p) => ({ ...p, meta: { ...p.meta, takenAt: photos[0]!.meta.takenAt } }));
    const tripod = photos.slice(3);
    expect(ranksOnFaces(group('duplicate', copies))).toBe(false);
    expect(ranksOnFaces(group('duplicate', tripod))).toBe(true);
    expect(ranksOnFaces(group('similar', copies))).toBe(true);
    const pool = fakePool(() => found());
    await analyzeStage(db, [group('duplicate', copies), group('duplicate', tripod)], { faceBackend: 'human', threads: 2 }, recorder().sink, undefined, pool.start);
    expect(pool.calls.tasks).toEqual(tripod.map((p) => p.id));
  });

  it('stores a failed photo with its note and warns, and a crashed worker the same way', async () => {
    const { db, photos } = setup(3);
    const pool = fakePool((t) =>
      t.id === photos[0]!.id
        ? { ...found(), analysis: { ...found().analysis, note: 'corrupt JPEG data' } }
        : t.id === photos[1]!.id
          ? { crashed: 'out of memory' }
          : found(),
    );
    const { sink, lines } = recorder();
    const result = await analyzeStage(db, [group('burst', photos)], { faceBackend: 'auto', threads: 2 }, sink, undefined, pool.start);
    expect(result).toMatchObject({ analyzed: 1, failed: 2 });
    expect(lines).toEqual([
      'problem: /p/IMG_0.JPG: face analysis failed: corrupt JPEG data',
      'problem: /p/IMG_1.JPG: face analysis failed: face worker crashed: out of memory',
    ]);
    const stored = loadFaceAnalyses(db, photos.map((p) => p.id), ANALYZER);
    expect(stored.get(photos[1]!.id)).toMatchObject({ faces: [], note: 'face worker crashed: out of memory' });
  });

  it('under auto, turns face analysis off with a notice when the backend cannot load; under human, fails', async () => {
    const { db, photos } = setup(3);
    const broken = fakePool(() => ({ unavailable: 'Human could not load the faceres model(s)' }));
    const { sink, lines } = recorder();
    const auto = await analyzeStage(db, [group('burst', photos)], { faceBackend: 'auto', threads: 2 }, sink, undefined, broken.start);
    expect(auto.analyzer).toBeNull();
    expect(lines).toEqual([
      'notice: Face analysis is off: Human could not load the faceres model(s). Best photos are chosen on sharpness, exposure and resolution.',
    ]);
    expect(loadFaceAnalyses(db, photos.map((p) => p.id), ANALYZER).size).toBe(0);
    await expect(analyzeStage(db, [group('burst', photos)], { faceBackend: 'mediapipe', threads: 2 }, sink, undefined, broken.start)).rejects.toThrow(
      '--face-backend mediapipe: Human could not load the faceres model(s)',
    );
    expect(broken.calls.closed).toBe(2);
  });

  it('does nothing with --face-backend none', async () => {
    const { db, photos } = setup(3);
    const pool = fakePool(() => found());
    expect(await analyzeStage(db, [group('burst', photos)], { faceBackend: 'none', threads: 2 }, recorder().sink, undefined, pool.start)).toEqual({
      analyzer: null, analyzed: 0, cached: 0, failed: 0,
    });
    expect(pool.calls.started).toEqual([]);
  });
});
