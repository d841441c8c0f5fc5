/**
 * The run report (`OUT/reports/*.json`): a stable, versioned contract for other tools and the
 * review page, documented field by field in docs/report.md. Validated on write and on read.
 */
import { z } from 'zod';

export const REPORT_VERSION = 1;

/** Camera time: naive (`2024-05-01T14:03:07`) or with its recorded offset (`…+02:00`). */
const captureTime = z.iso.datetime({ local: true, offset: true });
const count = z.int().nonnegative();

export const ReportPhotoSchema = z.object({
  /** Absolute path; invalid UTF-8 bytes shown as \xNN. */
  path: z.string().min(1),
  relativePath: z.string().min(1),
  /** File name inside the group's originals/ folder; null when no output was written. */
  outputName: z.string().min(1).nullable(),
  takenAt: captureTime.nullable(),
  score: z.number().min(0).max(1),
  reason: z.string(),
  isBest: z.boolean(),
  /** Kept besides the best (marked with k on the review page); absent in reports written before keepers. */
  keep: z.boolean().optional(),
  dhash: z.string().regex(/^[0-9a-f]{16}$/, 'Expected 16 lower-case hex digits'),
  width: count,
  height: count,
  size: count,
  format: z.string().min(1),
  /** A video clip's stream facts; absent for photos. */
  video: z
    .object({
      durationS: z.number().nonnegative(),
      codec: z.string(),
      fps: z.number().positive().nullable(),
      bitrate: z.number().nonnegative().nullable(),
      rotation: z
        .number()
        .int()
        .refine((n) => n % 90 === 0 && n >= 0 && n < 360, { error: 'Expected 0, 90, 180 or 270' }),
      keyFrames: count,
    })
    .optional(),
  /** An Immich Live Photo still: the id of its motion part, which travels with it (never a clip of its own). */
  livePhotoVideoId: z.string().min(1).optional(),
});

export const ReportGroupSchema = z.object({
  id: z.string().regex(/^group_\d{4,}$/, 'Expected group_ and at least 4 digits'),
  kind: z.enum(['duplicate', 'burst', 'similar']),
  /** relativePath of the best photo. */
  best: z.string().min(1),
  /** Folder under the output root; null when no output was written (dry run). */
  folder: z.string().min(1).nullable(),
  photos: z.array(ReportPhotoSchema).min(1),
  /** Files made for the group in its folder (hdr_merged.jpg); absent in reports before they existed. */
  extras: z.array(z.string().min(1)).default([]),
  /**
   * With --enable-face-swap, each person with closed eyes in the best photo: whether their eyes
   * were swapped into face_swapped.jpg, or why not. Absent in reports before it existed.
   */
  faceSwaps: z
    .array(
      z.object({
        person: z.string().min(1),
        swapped: z.boolean(),
        reason: z.string().nullable(),
        region: z.enum(['eyes', 'face']).nullable().default(null),
      }),
    )
    .default([]),
  /**
   * --watch --enable-bidir-sync --conflict-strategy manual: what the user changed on the server in
   * this group, waiting for a decision on the review page. Absent in reports before it existed.
   */
  conflicts: z
    .array(
      z.object({
        change: z.enum(['cover', 'favorite', 'unstacked', 'unalbumed']),
        photo: z.string().min(1),
        was: z.string().min(1).nullable(),
        foundAt: z.iso.datetime({ offset: true }),
      }),
    )
    .default([]),
});

export const ReportErrorSchema = z.object({
  path: z.string(),
  stage: z.enum(['discover', 'inspect', 'fingerprint', 'enhance', 'output']),
  message: z.string(),
});

export const ReportSummarySchema = z.object({
  photos: count,
  groups: count,
  byKind: z.object({ duplicate: count, burst: count, similar: count }),
  grouped: count,
  ungrouped: count,
  errors: count,
});

export const ReportSchema = z
  .object({
    version: z.literal(REPORT_VERSION),
    generatedAt: z.iso.datetime({ offset: true }),
    source: z.string().min(1),
    output: z.string().min(1),
    options: z.record(z.string(), z.json()),
    summary: ReportSummarySchema,
    groups: z.array(ReportGroupSchema),
    ungrouped: z.array(z.string()),
    errors: z.array(ReportErrorSchema),
    /** Seconds per stage. */
    timings: z.record(z.string(), z.number().nonnegative()),
  })
  .superRefine((report, ctx) => {
    // The summary repeats what the lists say so that readers need not recount; a mismatch is a bug.
    const expect = (path: (string | number)[], actual: number, wanted: number, what: string): void => {
      if (actual !== wanted) {
        const message = `Expected ${wanted} (${what}) but received ${actual}`;
        ctx.addIssue({ code: 'custom', path, message });
      }
    };
    const { summary, groups } = report;
    const grouped = groups.reduce((n, g) => n + g.photos.length, 0);
    expect(['summary', 'groups'], summary.groups, groups.length, 'length of groups');
    expect(['summary', 'grouped'], summary.grouped, grouped, 'photos in groups');
    expect(['summary', 'ungrouped'], summary.ungrouped, report.ungrouped.length, 'length of ungrouped');
    expect(['summary', 'errors'], summary.errors, report.errors.length, 'length of errors');
    expect(['summary', 'photos'], summary.photos, grouped + report.ungrouped.length, 'grouped + ungrouped');
    for (const kind of ['duplicate', 'burst', 'similar'] as const) {
      const n = groups.filter((g) => g.kind === kind).length;
      expect(['summary', 'byKind', kind], summary.byKind[kind], n, `groups of kind ${kind}`);
    }
    const ids = new Set<string>();
    groups.forEach((group, i) => {
      if (ids.has(group.id)) {
        ctx.addIssue({ code: 'custom', path: ['groups', i, 'id'], message: `Duplicate group id ${group.id}` });
      }
      ids.add(group.id);
      const best = group.photos.filter((p) => p.isBest);
      if (best.length !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'photos'],
          message: `Expected exactly one photo with isBest but received ${best.length}`,
        });
      } else if (best[0]!.relativePath !== group.best) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', i, 'best'],
          message: `Expected the relativePath of the isBest photo ("${best[0]!.relativePath}") ` + `but received "${group.best}"`,
        });
      }
    });
  });

export type Report = z.infer<typeof ReportSchema>;
export type ReportGroup = z.infer<typeof ReportGroupSchema>;
export type ReportPhoto = z.infer<typeof ReportPhotoSchema>;
export type ReportError = z.infer<typeof ReportErrorSchema>;
export type ReportSummary = z.infer<typeof ReportSummarySchema>;

export interface ReportIssue {
  /** Dotted field path, e.g. `groups[0].photos[2].score`. */
  readonly field: string;
  readonly message: string;
}

/** A report that does not match the schema; the message names every offending field. */
export class ReportValidationError extends Error {
  override readonly name = 'ReportValidationError';
  constructor(
    message: string,
    readonly issues: readonly ReportIssue[],
  ) {
    super(message);
  }
}

/** Validates `value` as a report; `origin` (a file name, "report to write") leads the error message. */
export function parseReport(value: unknown, origin: string): Report {
  const result = ReportSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: fieldPath(issue.path),
    message: issue.message,
  }));
  const lines = issues.map((i) => `  ${i.field}: ${i.message}`);
  throw new ReportValidationError(`Invalid report (${origin}):\n${lines.join('\n')}`, issues);
}

/** `['groups', 0, 'photos', 2, 'score']` → `groups[0].photos[2].score`; `(root)` when empty. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}
