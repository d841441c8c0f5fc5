/**
 * View-models of the review page: what the grid and the group view show, computed from the
 * adjusted groups, the photos and their faces. Pure: no catalog, no HTTP, so every label and
 * filter is tested on hand-built records.
 */
import type { ConflictView } from './conflicts.js';
import { closeCalls } from '../core/close-calls.js';
import { type AdjustedGroup, type LoggedDecision, PICKED_REASON, type RankedMember } from '../core/decisions.js';
import type { FaceAnalysis } from '../core/faces.js';
import type { GroupKind, ImageQuality, PhotoId } from '../core/types.js';
import { type CameraFacts, exifStrip, type ScoreBreakdown, scoreBreakdowns } from './frame-facts.js';
import { type FaceMark, faceMarks, type PersonRow, peopleRows } from './people.js';

export { type EyeState, type FaceMark, faceMarks } from './people.js';

/** A photo as the page knows it (no path: the page never sees the disk layout beyond names). */
export interface ReviewPhoto {
  readonly id: PhotoId;
  /** File name. */
  readonly name: string;
  readonly relativePath: string;
  /** Camera wall clock read as UTC, in ms; null when the photo has no capture time. */
  readonly takenAtMs: number | null;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly format: string;
  /** A clip's length in seconds; null for a photo. */
  readonly durationS: number | null;
  /** Changes when the file does, so image URLs can be cached by the browser. */
  readonly version: string;
  readonly hasFaces: boolean;
  readonly camera: CameraFacts;
  /** The whole-image measures the ranking used (for the score breakdown). */
  readonly quality: ImageQuality;
}

export interface GroupFilter {
  readonly kind: GroupKind | null;
  /** true: only groups with a face in some photo; false: only groups without; null: all. */
  readonly faces: boolean | null;
  /** true: only groups the user changed. */
  readonly changed: boolean;
  /** true: only groups whose best won by a small margin (core/close-calls.ts, as the run's summary says). */
  readonly closeCalls: boolean;
  /** true: only groups where someone's eyes are closed in some frame. */
  readonly blinks: boolean;
  /** true: only groups not reviewed yet. */
  readonly unreviewed: boolean;
}

/** What the session knows of a group beyond its members: kept in the catalog or costly to work out. */
export interface GroupMarks {
  reviewed(g: AdjustedGroup): boolean;
  blinks(g: AdjustedGroup): boolean;
}

export interface GroupCard {
  readonly number: number;
  readonly folder: string;
  readonly kind: GroupKind;
  readonly count: number;
  /** Of `count`, video clips. */
  readonly clips: number;
  readonly cover: {
    readonly id: PhotoId;
    readonly version: string;
    readonly name: string;
    readonly width: number;
    readonly height: number;
    /** A clip's length ("0:12"); null for a photo. */
    readonly length: string | null;
  };
  /** e.g. "2024-05-01 14:03:07 · 4.2 s"; "no capture time" when none. */
  readonly span: string;
  /** First capture time to the minute ("2024-05-01 14:03"), null when none. */
  readonly time: string | null;
  /** Time from the first to the last capture ("4.2 s"), null with fewer than two times. */
  readonly duration: string | null;
  readonly changed: boolean;
  readonly hasFaces: boolean;
  readonly reviewed: boolean;
  readonly closeCall: boolean;
}

export interface GroupPage {
  readonly total: number;
  readonly offset: number;
  readonly cards: readonly GroupCard[];
}

export interface FrameView {
  readonly id: PhotoId;
  readonly name: string;
  readonly relativePath: string;
  /** "14:03:07.400" or null. */
  readonly time: string | null;
  /** Time since the group's first capture: "+0.4 s"; null for the first frame or without a time. */
  readonly offset: string | null;
  readonly score: number;
  readonly reason: string;
  readonly isBest: boolean;
  /** Kept besides the best (k on the page). */
  readonly keep: boolean;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly format: string;
  readonly version: string;
  /** A clip (played in place, from its file or its server): its length ("0:12"); null for a photo. */
  readonly clip: { readonly length: string } | null;
  readonly faces: readonly FaceMark[];
  /** Camera settings: ["1/250 s", "f/2.8", "ISO 400", "EV 9.9", "35 mm"]. */
  readonly exif: readonly string[];
  /** What each whole-image measure contributed, over the group as it is now. */
  readonly breakdown: ScoreBreakdown;
}

export interface GroupDetail {
  readonly number: number;
  readonly folder: string;
  readonly kind: GroupKind;
  readonly span: string;
  readonly changed: boolean;
  readonly reviewed: boolean;
  /** Position in the filtered list (0-based) and its length. */
  readonly index: number;
  readonly total: number;
  /** Neighbours in the filtered list. */
  readonly previous: number | null;
  readonly next: number | null;
  readonly frames: readonly FrameView[];
  /** One row per person seen in the frames, one cell per frame (people.ts). */
  readonly people: readonly PersonRow<FaceMark>[];
  /** What the user did to this group, oldest first, in words. */
  readonly history: readonly string[];
  /** Files made for the group in its output folder (hdr_merged.jpg, face_swapped.jpg), as last written. */
  readonly made: readonly MadeFileView[];
  /** --conflict-strategy manual: the user's changes on the server waiting for a decision (review/conflicts.ts). */
  readonly conflicts: readonly ConflictView[];
}

export interface MadeFileView {
  /** Which: the HDR merge or the face swap (part of its image address). */
  readonly kind: MadeKind;
  readonly name: string;
  /** What it is, for the page. */
  readonly label: string;
  readonly width: number;
  readonly height: number;
  /** Changes when the file does (for image addresses). */
  readonly version: string;
}

export type MadeKind = 'hdr' | 'swap';

/** `group_0007`, as output/plan.ts names folders (kept here so view stays free of output). */
export function folderName(n: number): string {
  return `group_${String(n).padStart(4, '0')}`;
}

/** The groups the filter lets through, in list order. */
export function filterGroups(
  groups: readonly AdjustedGroup[],
  photos: ReadonlyMap<PhotoId, ReviewPhoto>,
  filter: GroupFilter,
  marks: GroupMarks,
): AdjustedGroup[] {
  return groups.filter(
    (g) =>
      (filter.kind === null || g.kind === filter.kind) &&
      (!filter.changed || g.changedBy.length > 0) &&
      (filter.faces === null || groupHasFaces(g, photos) === filter.faces) &&
      (!filter.closeCalls || isCloseCall(g)) &&
      (!filter.unreviewed || !marks.reviewed(g)) &&
      (!filter.blinks || marks.blinks(g)),
  );
}

/** Whether the group is a close call, as the run's summary counts them (core/close-calls.ts). */
export function isCloseCall(g: AdjustedGroup): boolean {
  return closeCalls([{ number: g.number, kind: g.kind, members: g.members.map((m) => ({ decision: m })) }]).length > 0;
}

/** One page of grid cards. `limit` is clamped by the caller's schema. */
export function groupPage(
  groups: readonly AdjustedGroup[],
  photos: ReadonlyMap<PhotoId, ReviewPhoto>,
  filter: GroupFilter,
  marks: GroupMarks,
  offset: number,
  limit: number,
): GroupPage {
  const list = filterGroups(groups, photos, filter, marks);
  return { total: list.length, offset, cards: list.slice(offset, offset + limit).map((g) => groupCard(g, photos, marks)) };
}

export function groupCard(g: AdjustedGroup, photos: ReadonlyMap<PhotoId, ReviewPhoto>, marks: GroupMarks): GroupCard {
  const best = g.members.find((m) => m.isBest) ?? g.members[0]!;
  const cover = photoOf(photos, best.photoId);
  const times = g.members.map((m) => photoOf(photos, m.photoId).takenAtMs).filter((t): t is number => t !== null);
  return {
    number: g.number,
    folder: folderName(g.number),
    kind: g.kind,
    count: g.members.length,
    clips: g.members.filter((m) => photoOf(photos, m.photoId).durationS !== null).length,
    cover: {
      id: cover.id,
      version: cover.version,
      name: cover.name,
      width: cover.width,
      height: cover.height,
      length: cover.durationS === null ? null : clipLength(cover.durationS),
    },
    span: spanLabel(times),
    time: times.length === 0 ? null : new Date(Math.min(...times)).toISOString().slice(0, 16).replace('T', ' '),
    duration: times.length < 2 ? null : duration(Math.max(...times) - Math.min(...times)),
    changed: g.changedBy.length > 0,
    hasFaces: groupHasFaces(g, photos),
    reviewed: marks.reviewed(g),
    closeCall: isCloseCall(g),
  };
}

/**
 * The group view. `faces` holds the analyses of the group's photos (those without one show no
 * marks); `log` is the decision log, for the group's history.
 */
export function groupDetail(
  g: AdjustedGroup,
  list: readonly AdjustedGroup[],
  photos: ReadonlyMap<PhotoId, ReviewPhoto>,
  faces: ReadonlyMap<PhotoId, FaceAnalysis>,
  log: readonly LoggedDecision[],
): Omit<GroupDetail, 'made' | 'reviewed' | 'conflicts'> {
  const index = list.findIndex((x) => x.number === g.number);
  const members = captureOrder(g.members, photos);
  // A clip's faces were found on a sheet of its key frames, not on its poster: no marks to draw.
  const marks = faceMarks(members.map((m) => (photoOf(photos, m.photoId).durationS === null ? (faces.get(m.photoId) ?? null) : null)));
  const byId = new Map(log.map((d) => [d.id, d.decision]));
  const merged = g.changedBy.some((id) => byId.get(id)?.kind === 'merge');
  const start = photoOf(photos, members[0]!.photoId).takenAtMs;
  const breakdowns = scoreBreakdowns(members.map((m) => photoOf(photos, m.photoId)));
  return {
    number: g.number,
    folder: folderName(g.number),
    kind: g.kind,
    span: spanLabel(g.members.map((m) => photoOf(photos, m.photoId).takenAtMs)),
    changed: g.changedBy.length > 0,
    index,
    total: list.length,
    previous: index > 0 ? list[index - 1]!.number : null,
    next: index >= 0 && index + 1 < list.length ? list[index + 1]!.number : null,
    frames: members.map((m, i) => {
      const p = photoOf(photos, m.photoId);
      return {
        id: p.id,
        name: p.name,
        relativePath: p.relativePath,
        time: p.takenAtMs === null ? null : clock(p.takenAtMs),
        offset: i === 0 || p.takenAtMs === null || start === null ? null : offsetLabel(p.takenAtMs - start),
        score: m.score,
        reason: m.isBest && !merged ? withMargin(m, members, photos) : m.reason,
        isBest: m.isBest,
        keep: m.keep === true,
        width: p.width,
        height: p.height,
        size: p.size,
        format: p.format,
        version: p.version,
        clip: p.durationS === null ? null : { length: clipLength(p.durationS) },
        faces: marks[i]!,
        exif: exifStrip(p.camera),
        breakdown: breakdowns[i]!,
      };
    }),
    people: peopleRows(marks),
    history: g.changedBy.flatMap((id) => {
      const d = byId.get(id);
      return d === undefined ? [] : [describeDecision({ id, decision: d }, photos)];
    }),
  };
}

/** A decision in words, as the history and the undo notice show it. */
export function describeDecision(d: LoggedDecision, photos: ReadonlyMap<PhotoId, ReviewPhoto>): string {
  const name = (id: PhotoId): string => photos.get(id)?.name ?? `photo ${id}`;
  const names = (ids: readonly PhotoId[]): string => (ids.length === 1 ? name(ids[0]!) : `${name(ids[0]!)} and ${ids.length - 1} more`);
  const x = d.decision;
  switch (x.kind) {
    case 'pick':
      return `picked ${name(x.photo)} as the best`;
    case 'exclude':
      return `took ${name(x.photo)} out of the group`;
    case 'split':
      return `split ${names(x.part)} off into a group of ${x.part.length === 1 ? 'its' : 'their'} own`;
    case 'merge':
      return `merged ${x.other.length} photos of another group in (${names(x.other)})`;
    case 'keep':
      return x.keep ? `kept ${name(x.photo)} besides the best` : `no longer kept ${name(x.photo)}`;
  }
}

/**
 * A group's members in capture order (those without a time last, in their ranked order): the
 * order the page shows them in and splits them by.
 */
export function captureOrder<M extends { readonly photoId: PhotoId }>(
  members: readonly M[],
  photos: ReadonlyMap<PhotoId, ReviewPhoto>,
): M[] {
  const time = (m: M): number => photos.get(m.photoId)?.takenAtMs ?? Number.POSITIVE_INFINITY;
  return members
    .map((m, i) => ({ m, i }))
    .sort((a, b) => time(a.m) - time(b.m) || a.i - b.i)
    .map((x) => x.m);
}

/**
 * The best's reason with its lead over the runner-up, when the reason no longer names one (the
 * group changed since it was ranked). A pick keeps its own words: the user chose, not the score.
 */
function withMargin(best: RankedMember, members: readonly RankedMember[], photos: ReadonlyMap<PhotoId, ReviewPhoto>): string {
  if (/\b(beats|ties) /.test(best.reason) || best.reason.startsWith(PICKED_REASON)) return best.reason;
  const rest = members.filter((m) => m !== best);
  if (rest.length === 0) return best.reason;
  const runnerUp = rest.reduce((a, b) => (b.score > a.score ? b : a));
  const lead = best.score - runnerUp.score;
  const name = photoOf(photos, runnerUp.photoId).name;
  return `${best.reason}, ${lead > 0.0005 ? `leads ${name} by ${lead.toFixed(3)} in score` : `ties ${name} in score`}`;
}

/** 400 → "+0.4 s", 95000 → "+1 min 35 s". */
export function offsetLabel(ms: number): string {
  return ms < 60_000 ? `+${(ms / 1000).toFixed(1)} s` : `+${duration(ms)}`;
}

/** "2024-05-01 14:03:07 · 4.2 s" from capture times (camera wall clock as UTC ms). */
export function spanLabel(times: readonly (number | null)[]): string {
  const known = times.filter((t): t is number => t !== null);
  if (known.length === 0) return 'no capture time';
  const first = Math.min(...known);
  const last = Math.max(...known);
  const start = new Date(first).toISOString().slice(0, 19).replace('T', ' ');
  return known.length < 2 ? start : `${start} · ${duration(last - first)}`;
}

/** 0 → "same second", 4200 → "4.2 s", 95000 → "1 min 35 s", 7_500_000 → "2 h 5 min". */
export function duration(ms: number): string {
  if (ms < 1000) return ms === 0 ? 'same second' : `${(ms / 1000).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

/** A clip's length as players show it: 12.4 → "0:12", 3725 → "1:02:05". */
export function clipLength(seconds: number): string {
  const s = Math.round(seconds);
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}

/** "14:03:07.400" (milliseconds only when there are some). */
function clock(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? iso.slice(11, 19) : iso.slice(11, 23);
}

function groupHasFaces(g: AdjustedGroup, photos: ReadonlyMap<PhotoId, ReviewPhoto>): boolean {
  return g.members.some((m) => photos.get(m.photoId)?.hasFaces === true);
}

/** A group member always has a photo record; a missing one is a broken invariant. */
function photoOf(photos: ReadonlyMap<PhotoId, ReviewPhoto>, id: PhotoId): ReviewPhoto {
  const p = photos.get(id);
  if (p === undefined) throw new Error(`Photo ${id} of a group is not in the catalog`);
  return p;
}
