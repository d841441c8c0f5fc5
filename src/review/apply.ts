/**
 * "Apply" for a folder run: the output tree redone for the changed groups only (plan, then the
 * atomic applier, with the outputs journal kept as a run keeps it), then the report rewritten
 * from the catalog so latest.json shows the decisions.
 */
import { join } from 'node:path';
import type { Db } from '../catalog/database.js';
import { loadErrors, type StoredPhoto } from '../catalog/photos.js';
import type { AdjustedGroup } from '../core/decisions.js';
import { displayPath, relativeDisplay } from '../core/paths.js';
import type { Photo, PhotoError, PhotoId } from '../core/types.js';
import type { ApplyResult } from '../output/apply.js';
import type { OutputDiff } from '../output/changes.js';
import { existingHdr } from '../output/enhanced.js';
import { type OutputPlan, planOutput } from '../output/plan.js';
import { previewRedo, redoChangedFolders } from '../output/redo.js';
import { buildReport } from '../report/build.js';
import type { Report } from '../report/schema.js';
import { LATEST_REPORT, readReport, REPORTS_FOLDER, type WrittenReport, writeReport } from '../report/write.js';

export interface LocalApplyInput {
  readonly db: Db;
  readonly runId: number;
  /** The run's options as stored (for a report that cannot be read back). */
  readonly runOptions: Readonly<Record<string, unknown>>;
  /** Absolute source and output roots of the run. */
  readonly source: string;
  readonly output: string;
  /** The adjusted groups, in list order. */
  readonly groups: readonly AdjustedGroup[];
  /** Every fingerprinted photo of the run. */
  readonly photos: ReadonlyMap<PhotoId, StoredPhoto>;
  /** The run merged brackets (--enable-hdr): its catalog file and --hdr-gamma. */
  readonly hdr: { readonly catalog: string; readonly gamma: number } | null;
}

export interface LocalApplyOutcome {
  readonly diff: OutputDiff;
  readonly applied: ApplyResult;
  readonly report: WrittenReport;
}

/** The full plan of the adjusted groups and what it changes on disk. */
export function previewLocalApply(input: LocalApplyInput): OutputDiff {
  return previewRedo(input.db, fullPlan(input));
}

/**
 * Every group's files. A bracket keeps its HDR merge while its frames are the ones merged; one
 * the review changed gets its merge at the next run of the organizer (merging is the run's work).
 */
function fullPlan(input: LocalApplyInput): OutputPlan {
  return planOutput({
    outputRoot: input.output,
    groups: input.groups.map((g) => {
      const photos = g.members.map((m) => ({ photo: photoOf(input, m.photoId), decision: m }));
      const extra = input.hdr === null ? null : existingHdr(input.hdr.catalog, photos.map((p) => ({ photo: p.photo, score: p.decision.score })), input.hdr.gamma);
      return { number: g.number, kind: g.kind, photos, extras: extra === null ? [] : [extra] };
    }),
  });
}

/** Writes the changed folders, removes what they no longer hold, rewrites the report. */
export async function applyLocal(input: LocalApplyInput): Promise<LocalApplyOutcome> {
  const full = fullPlan(input);
  const { diff, applied } = await redoChangedFolders(input.db, input.runId, full);
  const report = await rewriteReport(input, full, applied);
  return { diff, applied, report };
}

async function rewriteReport(input: LocalApplyInput, plan: OutputPlan, applied: ApplyResult): Promise<WrittenReport> {
  const previous = await previousReport(input.output);
  const grouped = new Set(input.groups.flatMap((g) => g.members.map((m) => m.photoId)));
  const errors: PhotoError[] = [
    // Discovery problems are only in the report: keep its list when it can be read.
    ...(previous?.errors.filter((e) => e.stage !== 'output') ??
      loadErrors(input.db, input.runId).map((e) => ({
        path: displayPath(e.path),
        stage: e.stage === 'fingerprint' ? ('fingerprint' as const) : ('inspect' as const),
        message: e.message,
      }))),
    ...applied.failed.map((f) => ({ path: f.path, stage: 'output' as const, message: `${f.target}: ${f.message}` })),
  ];
  const report = buildReport({
    generatedAt: new Date(),
    source: input.source,
    output: input.output,
    options: previous?.options ?? input.runOptions,
    groups: input.groups.map((g) => ({
      number: g.number,
      kind: g.kind,
      members: g.members.map((m) => ({ photo: photoOf(input, m.photoId), decision: m })),
    })),
    plan,
    ungrouped: [...input.photos.values()].filter((p) => !grouped.has(p.id)).map((p) => relativeDisplay(input.source, p.path)),
    errors,
    timings: previous?.timings ?? {},
  });
  return writeReport(input.output, report);
}

/** The run's latest.json, or null when it is missing or unreadable (the catalog has the rest). */
export async function previousReport(output: string): Promise<Report | null> {
  try {
    return await readReport(join(output, REPORTS_FOLDER, LATEST_REPORT));
  } catch {
    return null;
  }
}

function photoOf(input: LocalApplyInput, id: PhotoId): Photo {
  const p = input.photos.get(id);
  if (p === undefined) throw new Error(`Photo ${id} of a group is not among the run's photos`);
  return { ...p, relativePath: relativeDisplay(input.source, p.path) };
}
