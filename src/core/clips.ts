/**
 * Video clips as groupable items, pure: which key frames stand for a clip (--video-strategy,
 * --video-max-frames), whether two clips are copies (the same footage re-encoded, resized or
 * trimmed: their key-frame sequences align at one time offset) or takes of one scene (frames alike
 * in any order, shot close in time), and the groups they make — complete linkage, so a group never
 * chains A to C through a B that resembles both.
 */
import { hamming } from './dhash.js';
import type { GroupKind } from './types.js';

/** What --media-type accepts: the seed's image and video, and both at once. */
export const MEDIA_TYPES = ['image', 'video', 'all'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

/** Video clip extensions (--media-type video or all), lower-case; what a file holds is told by its bytes later. */
export const VIDEO_EXTENSIONS: readonly string[] = [
  '.mp4',
  '.mov',
  '.m4v',
  '.avi',
  '.mkv',
  '.webm',
  '.wmv',
  '.flv',
  '.mpg',
  '.mpeg',
  '.3gp',
  '.mts',
];

/** Whether a file name (display text) ends in a clip extension, case-insensitively. */
export function isClipName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && VIDEO_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** A count as people read it: "3 photos", "1 clip", "3 photos and 2 clips" ("0 photos" for none). */
export function mediaCount(photos: number, clips: number): string {
  const words = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (clips === 0) return words(photos, 'photo');
  return photos === 0 ? words(clips, 'clip') : `${words(photos, 'photo')} and ${words(clips, 'clip')}`;
}

export const VIDEO_STRATEGIES = ['scene_change', 'fixed_interval', 'iframe'] as const;
export type VideoStrategy = (typeof VIDEO_STRATEGIES)[number];

/** A frame with what choosing and matching need. */
export interface TimedHash {
  /** Seconds from the start of the clip. */
  readonly t: number;
  readonly dhash: bigint;
}

/** Bits by which a key frame must differ from the last one kept to count as a new scene. */
export const SCENE_CHANGE_BITS = 10;
/** Frames kept by scene_change however still the clip (copies need a few points to align). */
const MIN_SCENE_FRAMES = 3;

/**
 * The frames that stand for a clip, in time order, at most `maxFrames`:
 * - `iframe`: key frames spread evenly over the clip;
 * - `fixed_interval`: the key frame showing at each of `maxFrames` evenly spaced instants;
 * - `scene_change`: each key frame that differs from the last kept by SCENE_CHANGE_BITS or more
 *   (the biggest changes first when there are too many), topped up evenly on a still clip.
 */
export function chooseFrames<F extends TimedHash>(
  frames: readonly F[],
  strategy: VideoStrategy,
  maxFrames: number,
  durationS: number,
): F[] {
  if (frames.length <= 1 || maxFrames < 1) return frames.slice(0, Math.max(0, maxFrames));
  switch (strategy) {
    case 'iframe':
      return evenly(frames, maxFrames);
    case 'fixed_interval': {
      const picked = new Set<number>();
      for (let k = 0; k < maxFrames; k++) {
        const instant = (durationS * (k + 0.5)) / maxFrames;
        let index = 0;
        while (index + 1 < frames.length && frames[index + 1]!.t <= instant) index++;
        picked.add(index);
      }
      return [...picked].sort((a, b) => a - b).map((i) => frames[i]!);
    }
    case 'scene_change': {
      const changes: { index: number; bits: number }[] = [{ index: 0, bits: 64 }];
      let last = frames[0]!;
      frames.forEach((f, index) => {
        const bits = hamming(f.dhash, last.dhash);
        if (index > 0 && bits >= SCENE_CHANGE_BITS) {
          changes.push({ index, bits });
          last = f;
        }
      });
      const kept = new Set(
        changes
          .sort((p, q) => q.bits - p.bits || p.index - q.index)
          .slice(0, maxFrames)
          .map((c) => c.index),
      );
      const floor = Math.min(MIN_SCENE_FRAMES, maxFrames, frames.length);
      for (const index of evenlyIndexes(frames.length, floor)) if (kept.size < floor) kept.add(index);
      return [...kept].sort((a, b) => a - b).map((i) => frames[i]!);
    }
  }
}

function evenly<F>(frames: readonly F[], count: number): F[] {
  return evenlyIndexes(frames.length, count).map((i) => frames[i]!);
}

function evenlyIndexes(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  if (count === 1) return [Math.floor((n - 1) / 2)];
  return [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (n - 1)) / (count - 1))))];
}

/** What grouping knows of a clip. */
export interface ClipKey {
  readonly durationS: number;
  /** Capture time (wall clock, ms), null when the container has none. */
  readonly takenAtMs: number | null;
  readonly frames: readonly TimedHash[];
}

export type ClipRelation = 'copy' | 'burst' | 'similar' | 'different';

export interface ClipOptions {
  /** -t: the largest Hamming distance between two frames' dHashes that still counts as alike. */
  readonly threshold: number;
  /** --time-window in seconds between one clip's end and the other's start (0 = time ignored). */
  readonly timeWindowS: number;
}

/** Share of the shorter clip's frames that must find their match for a copy, or a take. */
export const COPY_SHARE = 0.7;
export const TAKE_SHARE = 0.5;
/** Key frames of two encodes rarely fall on the same instant: a match may lie this far off (s). */
export const ALIGN_TOLERANCE_S = 1;
/**
 * Two encodes put their key frames at different instants, so even copies compare frames a fraction
 * of a second apart: on a moving shot those differ by up to this many bits more than -t allows.
 */
export const COPY_SLACK_BITS = 6;
/** Takes of one scene differ more than copies do: their frames may be this many bits further apart. */
export const TAKE_SLACK_BITS = 8;
/** Clips whose capture times differ by more than this (ms) are one recording re-dated, as with photos. */
const REDATED_COPY_MS = 3_600_000;

/**
 * Whether two capture times can be one recording: a copy keeps its original's time (or has none);
 * two takes differ by seconds to minutes, and are never copies however alike.
 */
function sameRecording(a: number | null, b: number | null): boolean {
  return a === null || b === null || a === b || Math.abs(a - b) > REDATED_COPY_MS;
}
/** Takes whose gap is at most this (s) are a burst of clips; farther apart, similar clips. */
export const BURST_GAP_S = 10;

/** Seconds between the end of the earlier clip and the start of the later; null when a time is missing. */
export function clipGap(a: ClipKey, b: ClipKey): number | null {
  if (a.takenAtMs === null || b.takenAtMs === null) return null;
  const [first, second] = a.takenAtMs <= b.takenAtMs ? [a, b] : [b, a];
  return Math.max(0, (second.takenAtMs! - first.takenAtMs!) / 1000 - first.durationS);
}

/** How two clips relate: copies of one footage, takes of one scene, or different. */
export function relateClips(a: ClipKey, b: ClipKey, options: ClipOptions): ClipRelation {
  if (a.frames.length === 0 || b.frames.length === 0) return 'different';
  const gap = clipGap(a, b);
  if (options.timeWindowS > 0 && gap !== null && gap > options.timeWindowS) return 'different';
  const [short, long] = a.durationS <= b.durationS ? [a, b] : [b, a];
  if (
    sameRecording(a.takenAtMs, b.takenAtMs) &&
    alignedShare(short.frames, long.frames, options.threshold + COPY_SLACK_BITS) >= COPY_SHARE
  ) {
    return 'copy';
  }
  const slack = options.threshold + TAKE_SLACK_BITS;
  if (Math.min(looseShare(short.frames, long.frames, slack), looseShare(long.frames, short.frames, slack)) < TAKE_SHARE) return 'different';
  return gap !== null && gap <= BURST_GAP_S ? 'burst' : 'similar';
}

/**
 * The best share of `short`'s frames that find a frame of `long` within `threshold` bits at the
 * time they would have under one offset (a trim shifts every frame by the same amount): the frame
 * of `long` showing at that instant, or one within ALIGN_TOLERANCE_S. Offsets tried are those that
 * put some pair of alike frames on top of each other.
 */
export function alignedShare(short: readonly TimedHash[], long: readonly TimedHash[], threshold: number): number {
  const offsets = new Set<number>([0]);
  for (const s of short) for (const l of long) if (hamming(s.dhash, l.dhash) <= threshold) offsets.add(Math.round((l.t - s.t) * 10) / 10);
  let best = 0;
  for (const offset of offsets) {
    let matched = 0;
    for (const s of short) {
      const at = s.t + offset;
      // The frame showing at that instant (kept frames stand for the footage up to the next one), or one close by.
      const showing = long.findLast((l) => l.t <= at + 1e-6);
      const near = (l: TimedHash): boolean => l === showing || Math.abs(l.t - at) <= ALIGN_TOLERANCE_S;
      if (long.some((l) => near(l) && hamming(s.dhash, l.dhash) <= threshold)) matched++;
    }
    best = Math.max(best, matched / short.length);
  }
  return best;
}

/** Share of `a`'s frames with some frame of `b` within `bits`, in any order. */
function looseShare(a: readonly TimedHash[], b: readonly TimedHash[], bits: number): number {
  return a.filter((f) => b.some((g) => hamming(f.dhash, g.dhash) <= bits)).length / a.length;
}

export interface ClipGroup {
  readonly kind: GroupKind;
  /** Indexes into the clips given, ascending. */
  readonly members: readonly number[];
}

const RELATION_RANK: Readonly<Record<ClipRelation, number>> = { copy: 0, burst: 1, similar: 2, different: 3 };

/**
 * Groups clips: strongest relations first, two groups joining only when every clip of one relates
 * to every clip of the other (no chaining). A group of copies only is `duplicate`; with takes,
 * `burst` when all are close in time, else `similar`. Groups smaller than `minGroupSize` are dropped.
 * Compares every pair (inside the time window when there is one): clip libraries are small.
 */
export function groupClips(clips: readonly ClipKey[], options: ClipOptions & { readonly minGroupSize: number }): ClipGroup[] {
  const n = clips.length;
  const relation = new Map<number, ClipRelation>();
  const edges: { i: number; j: number; rel: ClipRelation }[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const rel = relateClips(clips[i]!, clips[j]!, options);
      if (rel === 'different') continue;
      relation.set(i * n + j, rel);
      edges.push({ i, j, rel });
    }
  }
  edges.sort((p, q) => RELATION_RANK[p.rel] - RELATION_RANK[q.rel] || p.i - q.i || p.j - q.j);
  const groupOf = Array.from({ length: n }, (_, i) => [i]);
  const rel = (x: number, y: number): ClipRelation => relation.get(Math.min(x, y) * n + Math.max(x, y)) ?? 'different';
  for (const { i, j } of edges) {
    const gi = groupOf[i]!;
    const gj = groupOf[j]!;
    if (gi === gj || !gi.every((x) => gj.every((y) => rel(x, y) !== 'different'))) continue;
    const merged = [...gi, ...gj].sort((a, b) => a - b);
    for (const m of merged) groupOf[m] = merged;
  }
  const seen = new Set<number[]>();
  const groups: ClipGroup[] = [];
  for (const members of groupOf) {
    if (seen.has(members) || members.length < Math.max(2, options.minGroupSize)) continue;
    seen.add(members);
    const worst = Math.max(...members.flatMap((x) => members.filter((y) => y > x).map((y) => RELATION_RANK[rel(x, y)])));
    groups.push({ kind: worst === 0 ? 'duplicate' : worst === 1 ? 'burst' : 'similar', members });
  }
  return groups.sort((p, q) => p.members[0]! - q.members[0]!);
}
