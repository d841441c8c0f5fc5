/**
 * Face swap stage (--enable-face-swap): for each group whose best photo has someone with closed
 * or half-closed eyes, the swap planned from the catalog's face analyses (output/face-swapped.ts)
 * is made in a worker thread (enhance/face-swap.ts) and kept in the catalog's enhanced/ folder
 * with a record of each person's outcome, so a re-run, a resumed run or the review page never
 * swaps the same faces twice; the output stage copies it into the group folder as
 * face_swapped.jpg. A swap that fails is a problem of that group only.
 */
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { loadFaceAnalyses } from '../../catalog/faces.js';
import type { Db } from '../../catalog/database.js';
import { swapLine } from '../../core/face-swap-plan.js';
import type { ServerFace } from '../../core/server-faces.js';
import type { GroupKind, PhotoError, PhotoId } from '../../core/types.js';
import { atomicWriteFile } from '../../output/atomic.js';
import {
  FACE_SWAP_FILE_NAME,
  planGroupSwap,
  recordedOutcomes,
  type StoredOutcome,
  type SwapJob,
  swapExtra,
  swapRecord,
} from '../../output/face-swapped.js';
import { type ExtraFile, groupFolderName } from '../../output/plan.js';
import { runBounded } from '../../core/concurrency.js';
import { workerPool } from '../worker-pool.js';
import type { ProgressSink } from '../progress.js';
import type { SwapTask, SwapTaskOutcome } from '../swap-worker.js';
import type { EnhanceGroup } from './enhance.js';
import { exifDate, forgetOthers, HDR_MAX_SIDE } from './enhance.js';

export interface SwapInput {
  readonly db: Db;
  readonly catalog: string;
  /** The face analyzer whose analyses the catalog holds; null when faces were not analyzed. */
  readonly analyzer: string | null;
  readonly groups: readonly EnhanceGroup[];
  readonly dryRun: boolean;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

/** One person's outcome in a group, for the summary and the report. */
export interface PersonSwap {
  readonly group: number;
  readonly label: string;
  readonly kept: boolean;
  readonly reason: string | null;
  /** What a made swap replaced: the eyes, or the whole inner face; null when none was made. */
  readonly region: 'eyes' | 'face' | null;
}

export interface SwapStageResult {
  readonly extras: ReadonlyMap<number, readonly ExtraFile[]>;
  /** Groups whose best photo has someone with closed eyes. */
  readonly blinking: number;
  /** People with a donor planned (each is still checked when the swap is made). */
  readonly planned: number;
  /** Groups with a face_swapped.jpg. */
  readonly swapped: number;
  /** Swaps made by this run (the rest came from earlier runs). */
  readonly made: number;
  readonly people: readonly PersonSwap[];
  readonly problems: readonly PhotoError[];
  /** Dry run: what would be swapped, one line per person. */
  readonly planLines: readonly string[];
}

/**
 * With the faces an Immich server found (--immich-use-server-faces), the groups to analyse with
 * this tool's face models so a swap can be planned: those whose best photo has a server face, as
 * the analyze stage takes them. The server's faces have no landmarks nor eye states.
 */
export function groupsForSwap<P extends { readonly id: PhotoId }>(
  groups: readonly {
    readonly kind: GroupKind;
    readonly person: string | null;
    readonly members: readonly { readonly photo: P; readonly decision: { readonly isBest: boolean } }[];
  }[],
  serverFaces: ReadonlyMap<PhotoId, readonly ServerFace[]>,
): { kind: GroupKind; person: string | null; members: P[] }[] {
  return groups
    .filter((g) => g.members.some((m) => m.decision.isBest && (serverFaces.get(m.photo.id)?.length ?? 0) > 0))
    .map((g) => ({ kind: g.kind, person: g.person, members: g.members.map((m) => m.photo) }));
}

/** Swaps at once: each worker holds its own face models (~300 MB), and a group's swap is a second or two. */
const SWAP_THREADS = 1;

export async function swapStage(input: SwapInput): Promise<SwapStageResult> {
  const people: PersonSwap[] = [];
  const extras = new Map<number, ExtraFile[]>();
  const problems: PhotoError[] = [];
  if (input.analyzer === null) {
    input.sink.note('notice', "--enable-face-swap needs this tool's own face analysis (not --face-backend none): no face swapped");
    return { extras, blinking: 0, planned: 0, swapped: 0, made: 0, people, problems, planLines: [] };
  }
  const ids = input.groups.flatMap((g) => g.members.map((m) => m.photo.id));
  const analyses = loadFaceAnalyses(input.db, ids, input.analyzer);
  const jobs: { number: number; job: SwapJob }[] = [];
  let blinking = 0;
  for (const g of input.groups) {
    const { job, refusals } = planGroupSwap(input.catalog, g.members, analyses);
    if (job !== null || refusals.length > 0) blinking++;
    for (const r of refusals) people.push({ group: g.number, label: r.label, kept: false, reason: r.reason, region: null });
    if (job !== null) jobs.push({ number: g.number, job });
  }
  const planned = jobs.reduce((n, { job }) => n + job.swaps.length, 0);
  if (input.dryRun) {
    const planLines = jobs.flatMap(({ number, job }) =>
      job.swaps.map(
        (s) =>
          `swap eyes in ${job.best.relativePath}: ${swapLine(s.plan, s.donor.relativePath)} → ${groupFolderName(number)}/${FACE_SWAP_FILE_NAME}`,
      ),
    );
    for (const p of people) planLines.push(`no face swap in ${groupFolderName(p.group)}: ${p.label}: ${p.reason}`);
    return { extras, blinking, planned, swapped: 0, made: 0, people, problems, planLines };
  }

  const record = (number: number, outcomes: readonly StoredOutcome[]): void => {
    for (const o of outcomes) people.push({ group: number, label: o.label, kept: o.kept, reason: o.reason, region: o.region });
  };
  const todo: typeof jobs = [];
  for (const j of jobs) {
    const earlier = recordedOutcomes(j.job);
    const extra = swapExtra(j.job);
    // Not tried yet, or a kept swap whose picture has gone from the cache: made (again).
    if (earlier === null || (extra === null && earlier.some((o) => o.kept))) {
      todo.push(j);
      continue;
    }
    record(j.number, earlier);
    if (extra !== null) extras.set(j.number, [extra]);
  }
  let made = 0;
  if (todo.length > 0) {
    input.sink.start('swap', todo.length);
    await mkdir(dirname(todo[0]!.job.file), { recursive: true });
    const pool = workerPool<SwapTask, SwapTaskOutcome>('./swap-worker.js', SWAP_THREADS);
    let finished = 0;
    try {
      await runBounded(
        todo,
        SWAP_THREADS,
        async ({ number, job }) => {
          const outcome = await pool
            .run(taskOf(job), input.signal ? { signal: input.signal } : {})
            .catch((error: unknown): SwapTaskOutcome | null =>
              input.signal?.aborted === true ? null : { ok: false, message: error instanceof Error ? error.message : String(error) },
            );
          if (outcome === null) return;
          if (outcome.ok) {
            if (outcome.jpeg !== null) await atomicWriteFile(dirname(job.file), basename(job.file), outcome.jpeg);
            // The record last: a swap interrupted before it is made again, never half-kept.
            await atomicWriteFile(dirname(job.record), basename(job.record), swapRecord(outcome.outcomes));
            record(number, outcome.outcomes);
            const extra = swapExtra(job);
            if (extra !== null) {
              extras.set(number, [extra]);
              made++;
            }
          } else {
            const message = `face swap of ${groupFolderName(number)} failed: ${outcome.message}`;
            problems.push({ path: job.best.relativePath, stage: 'enhance', message });
            input.sink.note('problem', `${job.best.relativePath}: ${message}`);
          }
          input.sink.update(++finished);
        },
        () => input.signal?.aborted === true,
      );
    } finally {
      await pool.destroy();
      input.sink.finish();
    }
  }
  if (input.signal?.aborted !== true) {
    await forgetOthers(input.catalog, 'swap', new Set(jobs.flatMap(({ job }) => [basename(job.file), basename(job.record)])));
  }
  return { extras, blinking, planned, swapped: extras.size, made, people, problems, planLines: [] };
}

function taskOf(job: SwapJob): SwapTask {
  const meta = job.best.meta;
  return {
    best: job.best.path,
    swaps: job.swaps.map((s) => ({
      label: s.plan.label,
      face: s.plan.face,
      donor: s.donor.path,
      donorFace: s.plan.donorFace,
      widest: s.plan.widest,
    })),
    maxSide: HDR_MAX_SIDE,
    make: meta.make,
    model: meta.model,
    takenAt: exifDate(meta.takenAt?.wallClockMs ?? null),
  };
}
