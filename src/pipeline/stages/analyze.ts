/**
 * Analyze stage: face analysis of every photo that belongs to a burst or a group of similar
 * shots (nothing else is worth the time), in its own worker pool, cached in the catalog by item
 * version, picture and analyzer, so a re-run analyzes nothing it has seen. The pictures are the
 * ones the fingerprints were made from, opened by the source (and held meanwhile). A photo that
 * fails is stored with a note and no faces.
 */
import type { Db } from '../../catalog/database.js';
import { loadFaceAnalyses, pendingFaceAnalyses, saveFaceAnalyses, type StoredFaceAnalysis } from '../../catalog/faces.js';
import type { StoredItem } from '../../catalog/items.js';
import { sheetTimes } from '../../core/clip-faces.js';
import { placeDecides } from '../../core/face-matching.js';
import { facesDecide } from '../../core/face-scoring.js';
import type { PhotoId } from '../../core/types.js';
import { analyzerFor, type FaceBackendKind } from '../../faces/backend.js';
import { type PhotoSource, SourceError } from '../../sources/source.js';
import { FacePool, type FacePoolTask, type FaceRunner } from '../face-pool.js';
import type { FaceBackendName, RunOptions } from '../options.js';
import { mixedCount, type ProgressSink } from '../progress.js';
import type { FoundGroup } from './group.js';

export interface AnalyzeStageResult {
  /** Whose analyses the select stage should use; null: rank without faces. */
  readonly analyzer: string | null;
  readonly analyzed: number;
  /** Photos whose analysis came from the catalog. */
  readonly cached: number;
  /** Photos analyzed with a note instead of faces (decode or model failure). */
  readonly failed: number;
}

const FLUSH_EVERY = 16;
const FLUSH_MS = 500;

/** Whether a group's ranking looks at faces (see core/face-scoring.ts facesDecide). */
export function ranksOnFaces(group: FoundGroup): boolean {
  // Copies of one clip differ by resolution and bitrate only; takes of a scene by their key frames' faces too.
  if (group.members.some((p) => p.meta.format === 'video')) return group.kind !== 'duplicate';
  return facesDecide(
    group.kind,
    group.members.map((p) => p.meta.takenAt?.wallClockMs ?? null),
  );
}

/** Which backend a --face-backend value means, and whether failing to load it fails the run. */
export function resolveFaceBackend(name: FaceBackendName): { readonly kind: FaceBackendKind; readonly required: boolean } | null {
  switch (name) {
    case 'none':
      return null;
    case 'auto':
      return { kind: 'human', required: false };
    // The seed's backend names: this build has one built-in backend, which stands in for them.
    case 'human':
    case 'face_recognition':
    case 'mediapipe':
      return { kind: 'human', required: true };
  }
}

/** Starts the worker pool; a parameter so tests can run the stage without the face models. */
export type StartFacePool = (threads: number, kind: FaceBackendKind) => FaceRunner;
const startWorkers: StartFacePool = (threads, kind) => new FacePool(threads, kind);

export interface AnalyzeContext {
  readonly db: Db;
  readonly source: PhotoSource;
  readonly options: Pick<RunOptions, 'faceBackend' | 'threads'>;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
  /** Tests run the stage without the face models. */
  readonly startPool?: StartFacePool;
}

/** Analyzes the members of the groups whose ranking looks at faces. */
export async function analyzeStage(ctx: AnalyzeContext, groups: readonly FoundGroup[]): Promise<AnalyzeStageResult> {
  const ranked = groups.filter(ranksOnFaces);
  const items = new Map<PhotoId, StoredItem>(ranked.flatMap((g) => g.members.map((p) => [p.id, p] as const)));
  const files: PictureFiles = async (pending) => {
    const held: StoredItem[] = [];
    const tasks: PictureTask[] = [];
    for (const id of pending) {
      const item = items.get(id)!;
      try {
        const frames = item.meta?.video === undefined ? null : sheetTimes(item.meta.video.frames);
        tasks.push({ id, path: (await ctx.source.open(item)).path, ...(frames === null ? {} : { frames }) });
        held.push(item);
      } catch (error) {
        if (!(error instanceof SourceError)) throw error;
        ctx.sink.note('problem', `${ctx.source.name(item)}: no face analysis (the picture could not be had: ${error.message})`);
      }
    }
    return {
      tasks,
      names: new Map(held.map((i) => [i.id, ctx.source.name(i)])),
      release: async () => {
        for (const i of held) ctx.source.release(i);
        await ctx.source.settle();
      },
    };
  };
  const subjects = { db: ctx.db, ids: [...items.keys()], groups: ranked.map((g) => g.members.map((p) => p.id)), files };
  return analyzeFaces(subjects, ctx.options, ctx.sink, ctx.signal, ctx.startPool ?? startWorkers);
}

/** A picture to analyze: its id and file. */
export type PictureTask = Omit<FacePoolTask, 'descriptors'>;

/**
 * The files to analyze for the pending pictures (with their names for messages), held (a
 * download cache must not evict them) until `release`. A picture that cannot be had is left
 * out: it stays pending for the next run.
 */
export type PictureFiles = (
  pending: readonly PhotoId[],
) => Promise<{ readonly tasks: readonly PictureTask[]; readonly names: ReadonlyMap<PhotoId, string>; release(): Promise<void> }>;

export interface FaceSubjects {
  readonly db: Db;
  /** Pictures whose faces the ranking needs. */
  readonly ids: readonly PhotoId[];
  /** The groups they come in: people are matched across a group's frames. */
  readonly groups: readonly (readonly PhotoId[])[];
  readonly files: PictureFiles;
}

/**
 * Analyzes those of `subjects.ids` that have no current analysis, and stores what comes back.
 * Two passes: every photo first without identity descriptors (most of a face's cost); then, in
 * the groups where the faces' places do not tell who is who across the frames (placeDecides),
 * the photos whose faces lack descriptors again with them. Both passes are stored, so a re-run
 * with the same groups analyzes nothing.
 */
export async function analyzeFaces(
  subjects: FaceSubjects,
  options: Pick<RunOptions, 'faceBackend' | 'threads'>,
  sink: ProgressSink,
  signal?: AbortSignal,
  startPool: StartFacePool = startWorkers,
): Promise<AnalyzeStageResult> {
  const { db } = subjects;
  const backend = resolveFaceBackend(options.faceBackend);
  const none = { analyzer: null, analyzed: 0, cached: 0, failed: 0 };
  if (backend === null) return none;
  const analyzer = analyzerFor(backend.kind);
  const ids = [...new Set(subjects.ids)];
  const touched = new Set<PhotoId>();
  let failed = 0;
  let pool: FaceRunner | null = null;

  /** Analyzes `pending` (with or without descriptors); the backend's failure to start, or null. */
  const runPass = async (pending: readonly PhotoId[], descriptors: boolean): Promise<string | null> => {
    if (pending.length === 0) return null;
    const { tasks, names, release } = await subjects.files(pending);
    let batch: StoredFaceAnalysis[] = [];
    let lastFlush = Date.now();
    let done = 0;
    const flush = (): void => {
      if (batch.length > 0) saveFaceAnalyses(db, batch);
      batch = [];
      lastFlush = Date.now();
    };
    const clips = tasks.filter((t) => t.frames !== undefined).length;
    sink.start('analyze', tasks.length, mixedCount(tasks.length - clips, clips));
    // A thread loads ~90 MB of models (as long as analyzing a photo or two): no more threads than
    // there are pairs of photos to give them.
    pool ??= startPool(Math.max(1, Math.min(options.threads, Math.ceil(tasks.length / 2))), backend.kind);
    try {
      const { unavailable } = await pool.runAll(
        tasks.map((t) => ({ ...t, descriptors })),
        (id, result) => {
          const analysis =
            'crashed' in result
              ? { analyzer, width: 0, height: 0, faces: [], note: `face worker crashed: ${result.crashed}` }
              : result.analysis;
          done++;
          sink.update(done);
          if (analysis.note !== null) {
            sink.note('problem', `${names.get(id) ?? id}: face analysis failed: ${analysis.note}`);
            // A second pass that fails keeps the stored faces: they still rank the group.
            if (descriptors) return;
            failed++;
          }
          touched.add(id);
          batch.push({ photoId: id, analysis });
          if (batch.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) flush();
        },
        signal,
      );
      return unavailable;
    } finally {
      flush();
      await release();
      sink.finish();
    }
  };

  let unavailable: string | null;
  try {
    unavailable = await runPass(pendingFaceAnalyses(db, ids, analyzer), false);
    if (unavailable === null && signal?.aborted !== true)
      unavailable = await runPass(descriptorsWanted(db, subjects.groups, analyzer), true);
  } finally {
    await (pool as FaceRunner | null)?.close();
  }
  const cached = ids.length - touched.size;
  if (unavailable !== null) {
    if (backend.required) throw new Error(`--face-backend ${options.faceBackend}: ${unavailable}`);
    sink.note('notice', `Face analysis is off: ${unavailable}. Best photos are chosen on sharpness, exposure and resolution.`);
    return { ...none, cached };
  }
  return { analyzer, analyzed: touched.size - failed, cached, failed };
}

/** Photos of the groups where places do not decide who is who whose stored faces lack descriptors. */
function descriptorsWanted(db: Db, groups: readonly (readonly PhotoId[])[], analyzer: string): PhotoId[] {
  const wanted = new Set<PhotoId>();
  for (const group of groups) {
    const analyses = loadFaceAnalyses(db, group, analyzer);
    if (placeDecides(group.map((id) => analyses.get(id)?.faces ?? []))) continue;
    for (const id of group) if (analyses.get(id)?.faces.some((f) => f.descriptor.length === 0)) wanted.add(id);
  }
  return [...wanted];
}
