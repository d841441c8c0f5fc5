/**
 * Assembles the run report from the run's records. Pure: the caller supplies the clock reading.
 */
import { hashToHex } from '../core/dhash.js';
import { displayPath } from '../core/paths.js';
import type { Decision, GroupKind, Photo, PhotoError, VideoFacts } from '../core/types.js';
import { formatCaptureTime, formatLocalIso, systemLocalOffset } from '../output/metadata-text.js';
import type { LocalOffset } from '../output/metadata-text.js';
import { groupFolderName } from '../output/plan.js';
import type { OutputPlan } from '../output/plan.js';
import { parseReport, REPORT_VERSION } from './schema.js';
import type { Report, ReportGroup } from './schema.js';

export interface ReportGroupInput {
  /** Group number (id group_0007 is 7); default the group's position, from 1. */
  readonly number?: number;
  readonly kind: GroupKind;
  /** Members in output order (the order given to `planOutput`). */
  readonly members: readonly {
    readonly photo: Pick<Photo, 'path' | 'relativePath' | 'size' | 'meta' | 'dhash'>;
    readonly decision: Pick<Decision, 'score' | 'reason' | 'isBest' | 'keep'>;
  }[];
  /** --enable-face-swap: each person with closed eyes in the best photo, swapped or not (and why). */
  readonly faceSwaps?: readonly {
    readonly person: string;
    readonly swapped: boolean;
    readonly reason: string | null;
    /** What a made swap replaced; null when none was made. */
    readonly region: 'eyes' | 'face' | null;
  }[];
  /** --conflict-strategy manual: the user's changes on the server waiting for a decision (photos by relativePath). */
  readonly conflicts?: readonly ReportGroup['conflicts'][number][];
}

export interface ReportInput {
  readonly generatedAt: Date;
  /** Absolute source root. */
  readonly source: string;
  /** Absolute output root. */
  readonly output: string;
  /** The run options as given; anything JSON can hold (undefined entries are dropped). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Groups in run order: the first is group_0001. */
  readonly groups: readonly ReportGroupInput[];
  /** The plan that was applied, for folder and file names; null when no output was written. */
  readonly plan: OutputPlan | null;
  /** Relative paths of the analysed photos that joined no group. */
  readonly ungrouped: readonly string[];
  readonly errors: readonly PhotoError[];
  /** Seconds per stage: discover, inspect, fingerprint, group, select, output, … */
  readonly timings: Readonly<Record<string, number>>;
  /** For generatedAt's offset; default the process time zone. */
  readonly localOffset?: LocalOffset;
}

/** Builds and validates the report; throws ReportValidationError when the records are inconsistent. */
export function buildReport(input: ReportInput): Report {
  const groups: ReportGroup[] = input.groups.map((group, i) => {
    const planned = input.plan?.groups[i] ?? null;
    const best = group.members.find((m) => m.decision.isBest);
    return {
      id: groupFolderName(group.number ?? i + 1),
      kind: group.kind,
      best: best?.photo.relativePath ?? '',
      folder: planned?.folder ?? null,
      extras: [...(planned?.extras ?? [])],
      faceSwaps: [...(group.faceSwaps ?? [])],
      conflicts: [...(group.conflicts ?? [])],
      photos: group.members.map(({ photo, decision }, j) => {
        const outputName = planned?.originals[j];
        return {
          path: displayPath(photo.path),
          relativePath: photo.relativePath,
          outputName: outputName === undefined ? null : displayPath(outputName),
          takenAt: photo.meta.takenAt === null ? null : formatCaptureTime(photo.meta.takenAt),
          score: decision.score,
          reason: decision.reason,
          isBest: decision.isBest,
          keep: decision.keep === true && !decision.isBest,
          dhash: hashToHex(BigInt.asUintN(64, photo.dhash)),
          width: photo.meta.width,
          height: photo.meta.height,
          size: photo.size,
          format: photo.meta.format,
          ...(photo.meta.video === undefined ? {} : { video: reportVideo(photo.meta.video) }),
          ...(photo.meta.livePhotoVideoId === undefined ? {} : { livePhotoVideoId: photo.meta.livePhotoVideoId }),
        };
      }),
    };
  });
  const grouped = groups.reduce((n, g) => n + g.photos.length, 0);
  const byKind = { duplicate: 0, burst: 0, similar: 0 };
  for (const group of groups) byKind[group.kind] += 1;
  const report = {
    version: REPORT_VERSION,
    generatedAt: formatInstant(input.generatedAt, input.localOffset ?? systemLocalOffset),
    source: input.source,
    output: input.output,
    // A JSON round trip keeps exactly what the file can hold: "as given" minus undefined entries.
    options: JSON.parse(JSON.stringify(input.options)) as unknown,
    summary: {
      photos: grouped + input.ungrouped.length,
      groups: groups.length,
      byKind,
      grouped,
      ungrouped: input.ungrouped.length,
      errors: input.errors.length,
    },
    groups,
    ungrouped: [...input.ungrouped],
    errors: input.errors.map((e) => ({ path: e.path, stage: e.stage, message: e.message })),
    timings: { ...input.timings },
  };
  return parseReport(report, 'built report');
}

/** Local ISO time with milliseconds and offset: `2024-05-01T14:03:07.123+02:00`. */
export function formatInstant(date: Date, localOffset: LocalOffset = systemLocalOffset): string {
  const ms = date.getTime();
  const offset = localOffset(ms);
  const local = formatLocalIso(Math.floor(ms), () => offset).slice(0, 19);
  const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}.${millis}${sign}${hh}:${mm}`;
}

/** A clip's stream facts as the report gives them (its frames stay in the catalog: `keyFrames` counts them). */
function reportVideo(video: VideoFacts) {
  const { durationS, codec, fps, bitrate, rotation } = video;
  return { durationS, codec, fps, bitrate, rotation, keyFrames: video.frames.length };
}
