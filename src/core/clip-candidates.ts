/**
 * Which server clips could group, and how each must be looked at, from the listing alone (no
 * video downloaded): thumbhash, duration and capture time. Pure.
 *
 * Immich renders a clip's preview (its poster frame) from the first seconds of the clip
 * (media.service generateVideoThumbnails: the second frame its `thumbnail`/scene filter keeps),
 * and its thumbhash from that preview. So a re-encode or a resize of a clip has the same poster
 * and the same thumbhash, and takes of one scene have alike posters: the poster decides them. A
 * trim starts elsewhere: its poster shows another moment, and only the clip's own key frames can
 * tell it is a copy. A pair of clips of one scene whose lengths differ and whose capture times
 * allow one recording (the same time, none, or re-dated) is such an ambiguous pair: both of its
 * clips are read in full. Thumbhashes alone cannot tell a trim from a copy: measured on pans made
 * from the fixture photos, a 2 s trim of a 4 s clip scored 0.965 against it, another take 0.989,
 * and another scene 0.76 — so they only rule out clips of unlike scenes.
 */
import { TAKE_SLACK_BITS } from './clips.js';
import { hamming, hashToHex } from './dhash.js';
import { type ThumbFeatures, thumbLikeness } from './prefilter.js';
import type { ImageQuality, VideoFacts } from './types.js';
import { UnionFind } from './union-find.js';

export interface ClipPrefilterItem {
  /** Null when the server has no thumbhash yet: the clip is always looked at, from its poster. */
  readonly thumb: ThumbFeatures | null;
  /** Capture wall-clock time in ms, or null. */
  readonly takenAtMs: number | null;
  /** Length in seconds (0 when the server has not read it yet). */
  readonly durationS: number;
}

export interface ClipPrefilterOptions {
  /** --time-window in seconds (0 = time ignored). */
  readonly timeWindowS: number;
  readonly minGroupSize: number;
}

export interface ClipPrefilterResult {
  /** Indices of the clips worth a look, ascending. */
  readonly candidates: readonly number[];
  /** Of those, the clips whose poster cannot decide (a possible trim): read from their key frames. */
  readonly keyFrames: readonly number[];
}

/**
 * Thumbhash likeness of two posters of one footage (a re-encode, a resize): what the photo
 * prefilter asks of a copy (a re-encode at half size scored 0.997).
 */
export const SAME_POSTER_CORRELATION = 0.85;
export const SAME_POSTER_CHROMA = 0.05;
/** Loosest likeness of two clips of one scene (takes, trims of a pan): the photo prefilter's floor. */
export const SCENE_CORRELATION = 0.4;
export const SCENE_CHROMA = 0.1;
/** Lengths within this share (or half a second) are one length: a re-encode keeps its length. */
const SAME_LENGTH_SHARE = 0.05;
const SAME_LENGTH_S = 0.5;
/** Capture times further apart than this (ms) are a copy re-dated, as core/clips.ts counts them. */
const REDATED_MS = 3_600_000;

/** Whether two lengths are the same footage's (a re-encode) rather than a trim. */
export function sameLength(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(SAME_LENGTH_S, SAME_LENGTH_SHARE * Math.max(a, b));
}

type Timed = Pick<ClipPrefilterItem, 'takenAtMs' | 'durationS'>;

/**
 * Seconds between the end of the earlier clip and the start of the later; null when a time is
 * missing (as core/clips.ts clipGap).
 */
function gapS(a: Timed, b: Timed): number | null {
  if (a.takenAtMs === null || b.takenAtMs === null) return null;
  const [first, second] = a.takenAtMs <= b.takenAtMs ? [a, b] : [b, a];
  return Math.max(0, (second.takenAtMs! - first.takenAtMs!) / 1000 - first.durationS);
}

/**
 * The clips that could end up in a group of at least `minGroupSize`, and those to read in full.
 * Compares every pair, as core/clips.ts groupClips does: clip libraries are small.
 */
export function selectClipCandidates(clips: readonly ClipPrefilterItem[], options: ClipPrefilterOptions): ClipPrefilterResult {
  const links = new UnionFind(clips.length);
  const trims: [number, number][] = [];
  for (let i = 0; i < clips.length; i++) {
    for (let j = i + 1; j < clips.length; j++) {
      const a = clips[i]!;
      const b = clips[j]!;
      const like = a.thumb === null || b.thumb === null ? null : thumbLikeness(a.thumb, b.thumb);
      const samePoster = like !== null && like.correlation >= SAME_POSTER_CORRELATION && like.chroma <= SAME_POSTER_CHROMA;
      const sameScene = like === null || (like.correlation >= SCENE_CORRELATION && like.chroma <= SCENE_CHROMA);
      const gap = gapS(a, b);
      const takesPossible = options.timeWindowS <= 0 || gap === null || gap <= options.timeWindowS;
      // Outside the time window only copies group: those keep their capture time, or were re-dated.
      const copyTimes =
        a.takenAtMs === null || b.takenAtMs === null || a.takenAtMs === b.takenAtMs || Math.abs(a.takenAtMs - b.takenAtMs) > REDATED_MS;
      const copyPossible = copyTimes && (samePoster || !sameLength(a.durationS, b.durationS) || like === null);
      if (!sameScene || !(takesPossible || copyPossible)) continue;
      links.union(i, j);
      // A trim keeps its capture time (or has none), takes never share one: only a pair that may be
      // one recording at two lengths needs its key frames.
      if (copyTimes && !sameLength(a.durationS, b.durationS)) trims.push([i, j]);
    }
  }
  const sizes = new Map<number, number>();
  for (let i = 0; i < clips.length; i++) sizes.set(links.find(i), (sizes.get(links.find(i)) ?? 0) + 1);
  const minSize = Math.max(2, options.minGroupSize);
  const candidates = clips.flatMap((c, i) => (c.thumb === null || sizes.get(links.find(i))! >= minSize ? [i] : []));
  const chosen = new Set(candidates);
  const full = new Set(trims.filter(([i, j]) => chosen.has(i) && chosen.has(j)).flat());
  return { candidates, keyFrames: [...full].sort((x, y) => x - y) };
}

/** `VideoFacts.choice` of a clip seen through its poster frame only. */
export const POSTER_CHOICE = 'poster';

/**
 * What grouping knows of a server clip seen through its poster (the server's preview): its
 * length from the listing, and one frame. The poster comes from the clip's first seconds; t = 0
 * stands for it, so two posters compare at one instant (core/clips.ts alignedShare).
 */
export function posterVideo(durationS: number, dhash: bigint, quality: ImageQuality): VideoFacts {
  return {
    durationS,
    codec: 'unknown',
    fps: null,
    bitrate: null,
    rotation: 0,
    contentId: null,
    choice: POSTER_CHOICE,
    frames: [
      {
        t: 0,
        hash: hashToHex(dhash),
        sharpness: quality.sharpness,
        meanLuma: quality.meanLuma,
        highlightsClipped: quality.highlightsClipped,
        shadowsClipped: quality.shadowsClipped,
      },
    ],
  };
}

/** What the second look knows of a clip judged by its poster. */
export interface PosterClip {
  readonly poster: bigint;
  readonly takenAtMs: number | null;
  readonly durationS: number;
}

/**
 * Bits past what takes may differ by (-t plus TAKE_SLACK_BITS) within which two posters are
 * neither alike nor unrelated. Measured: takes of one pan, the second shifted and out of focus,
 * had posters 14 bits apart (11 without the blur) where -t 5 allows 13; unrelated scenes lie near 32.
 */
export const AMBIGUOUS_POSTER_BITS = 8;

/**
 * The clips of pairs that may be takes of one scene (close enough in time) whose posters are
 * neither alike enough to decide nor far enough apart to rule it out: each poster shows one
 * instant of its take, so only their key frames can tell. Indices, ascending.
 */
export function ambiguousTakes(
  clips: readonly PosterClip[],
  options: { readonly threshold: number; readonly timeWindowS: number },
): number[] {
  const alike = options.threshold + TAKE_SLACK_BITS;
  const found = new Set<number>();
  for (let i = 0; i < clips.length; i++) {
    for (let j = i + 1; j < clips.length; j++) {
      const a = clips[i]!;
      const b = clips[j]!;
      const gap = gapS(a, b);
      // As core/clips.ts relateClips: a clip without a capture time may be a take of any other.
      if (options.timeWindowS > 0 && gap !== null && gap > options.timeWindowS) continue;
      const bits = hamming(a.poster, b.poster);
      if (bits > alike && bits <= alike + AMBIGUOUS_POSTER_BITS) {
        found.add(i);
        found.add(j);
      }
    }
  }
  return [...found].sort((x, y) => x - y);
}
