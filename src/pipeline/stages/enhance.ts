/**
 * Enhance stage (--enable-hdr): finds the exposure brackets among the groups (core/bracket.ts)
 * and makes each one's HDR merge in a worker thread. A merge is kept in the catalog's enhanced/
 * folder under a name made from its frames and settings (output/enhanced.ts), so a re-run, a
 * resumed run or the review page never merges the same bracket twice; the output stage copies
 * it into the group folder as hdr_merged.jpg. A bracket that cannot be merged is a problem of
 * that group only.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { freemem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Decision, Photo, PhotoError } from '../../core/types.js';
import { atomicWriteFile } from '../../output/atomic.js';
import { HDR_FILE_NAME, hdrExtra, planHdr } from '../../output/enhanced.js';
import { type ExtraFile, groupFolderName } from '../../output/plan.js';
import { runBounded } from '../../core/concurrency.js';
import { workerPool } from '../worker-pool.js';
import type { HdrOutcome, HdrTask } from '../enhance-worker.js';
import type { ProgressSink } from '../progress.js';

export interface EnhanceGroup {
  readonly number: number;
  readonly members: readonly { readonly photo: Photo; readonly decision: Decision }[];
}

export interface EnhanceInput {
  readonly catalog: string;
  readonly groups: readonly EnhanceGroup[];
  readonly gamma: number;
  readonly threads: number;
  /** Dry run: find the brackets, merge nothing. */
  readonly dryRun: boolean;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

export interface EnhanceResult {
  /** Files to copy into group folders, by group number. */
  readonly extras: ReadonlyMap<number, readonly ExtraFile[]>;
  readonly brackets: number;
  /** Merges made by this run (the rest came from earlier runs). */
  readonly merged: number;
  readonly problems: readonly PhotoError[];
  /** Dry run: what would be merged, one line per bracket. */
  readonly planLines: readonly string[];
}

/** Longest side of a merge: a 24 MP frame is merged at full size, larger ones a little smaller. */
export const HDR_MAX_SIDE = 6000;

/**
 * Merges at once: a 12 MP merge peaks near 0.8 GB (bench: BENCH=hdr, about 70 bytes per pixel)
 * and keeps a core busy, so two at most whatever --threads says, and one when the free memory
 * would not hold two of the largest bracket's merges.
 */
const MAX_PARALLEL_MERGES = 2;
const BYTES_PER_PIXEL = 70;

function parallelMerges(threads: number, frames: readonly (readonly Photo[])[]): number {
  const largest = Math.max(
    ...frames.map((f) => Math.max(...f.map((p) => Math.min(p.meta.width * p.meta.height, HDR_MAX_SIDE * HDR_MAX_SIDE)))),
  );
  const fits = Math.floor(freemem() / Math.max(1, largest * BYTES_PER_PIXEL));
  return Math.max(1, Math.min(threads, MAX_PARALLEL_MERGES, fits));
}

export async function enhanceStage(input: EnhanceInput): Promise<EnhanceResult> {
  const jobs = input.groups.flatMap((g) => {
    const plan = planHdr(
      input.catalog,
      g.members.map((m) => ({ photo: m.photo, score: m.decision.score })),
      input.gamma,
    );
    return plan === null ? [] : [{ ...plan, number: g.number }];
  });
  const extras = new Map<number, ExtraFile[]>();
  const problems: PhotoError[] = [];
  if (input.dryRun) {
    const planLines = jobs.map(
      (j) => `merge HDR of ${j.frames.map((f) => f.relativePath).join(', ')} → ${groupFolderName(j.number)}/${HDR_FILE_NAME}`,
    );
    return { extras, brackets: jobs.length, merged: 0, problems, planLines };
  }
  let merged = 0;
  const todo: typeof jobs = [];
  for (const job of jobs) {
    const done = hdrExtra(job);
    if (done === null) todo.push(job);
    else extras.set(job.number, [done]);
  }
  if (todo.length > 0) {
    input.sink.start('enhance', todo.length);
    const threads = parallelMerges(
      input.threads,
      todo.map((j) => j.frames),
    );
    await mkdir(dirname(todo[0]!.file), { recursive: true });
    const pool = workerPool<HdrTask, HdrOutcome>('./enhance-worker.js', threads);
    let finished = 0;
    try {
      await runBounded(
        todo,
        threads,
        async (job) => {
          const ref = job.frames[job.reference]!;
          const task: HdrTask = {
            frames: job.frames.map((f) => f.path),
            reference: job.reference,
            gamma: input.gamma,
            maxSide: HDR_MAX_SIDE,
            make: ref.meta.make,
            model: ref.meta.model,
            takenAt: exifDate(ref.meta.takenAt?.wallClockMs ?? null),
          };
          const outcome = await pool
            .run(task, input.signal ? { signal: input.signal } : {})
            .catch((error: unknown): HdrOutcome | null =>
              input.signal?.aborted === true ? null : { ok: false, message: error instanceof Error ? error.message : String(error) },
            );
          if (outcome === null) return;
          if (outcome.ok) {
            await atomicWriteFile(dirname(job.file), basename(job.file), outcome.jpeg);
            extras.set(job.number, [hdrExtra(job)!]);
            merged++;
          } else {
            const message = `HDR merge of ${groupFolderName(job.number)} failed: ${outcome.message}`;
            problems.push({ path: ref.relativePath, stage: 'enhance', message });
            input.sink.note('problem', `${ref.relativePath}: ${message}`);
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
  if (input.signal?.aborted !== true) await forgetOthers(input.catalog, 'hdr', new Set(jobs.map((j) => basename(j.file))));
  return { extras, brackets: jobs.length, merged, problems, planLines: [] };
}

/** Removes `kind` files (hdr, swap) this run's groups no longer call for (a changed frame, another gamma). */
export async function forgetOthers(catalog: string, kind: 'hdr' | 'swap', keep: ReadonlySet<string>): Promise<void> {
  const dir = join(dirname(catalog), 'enhanced');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  const ours = new RegExp(`^${kind}-[0-9a-f]+\\.(jpg|json)$`);
  for (const name of names) if (ours.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
}

/** Wall-clock ms → EXIF's `YYYY:MM:DD HH:MM:SS`. */
export function exifDate(wallClockMs: number | null): string | null {
  if (wallClockMs === null) return null;
  const iso = new Date(wallClockMs).toISOString();
  return `${iso.slice(0, 10).replace(/-/g, ':')} ${iso.slice(11, 19)}`;
}
