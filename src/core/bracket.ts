/**
 * Exposure brackets: which groups are one (frames of one scene shot at different exposures, as
 * auto exposure bracketing makes them) and which frames to merge. Pure.
 *
 * The exposure of a frame is its EV at ISO 100, log2(N² / t) − log2(ISO / 100), from EXIF. A
 * group is a bracket when its exposures span at least BRACKET_MIN_SPREAD stops: a burst whose
 * camera nudged the exposure by a third of a stop is not. The seed read a key its own metadata
 * never had, so its detection almost never fired; this one reads the real EXIF fields.
 */
import type { PhotoId } from './types.js';

/** What detection needs of a group member. */
export interface BracketMember {
  readonly id: PhotoId;
  /** Seconds; null when the EXIF has none (the frame is left out of the merge). */
  readonly exposureTime: number | null;
  readonly fNumber: number | null;
  readonly iso: number | null;
  /** Ranking score within the group: among frames of one exposure, the best scored is merged. */
  readonly score: number;
}

export interface BracketFrame {
  readonly id: PhotoId;
  /** EV at ISO 100 (higher = less light gathered = darker frame). */
  readonly ev: number;
}

export interface Bracket {
  /** One frame per exposure, darkest first (highest EV first). */
  readonly frames: readonly BracketFrame[];
  /** The frame the others are aligned to: the middle exposure. */
  readonly reference: number;
  /** Stops between the darkest and the brightest frame. */
  readonly spread: number;
}

/** Smallest exposure spread, in stops, that makes a bracket. */
export const BRACKET_MIN_SPREAD = 2 / 3;

/** Most frames merged: real brackets have 3, 5, sometimes 7 or 9. */
export const BRACKET_MAX_FRAMES = 9;

/** Exposures closer than this (a sixth of a stop) count as the same. */
const SAME_EXPOSURE = 1 / 6;

/** EV at ISO 100 of a frame, or null without an exposure time. Missing aperture or ISO count as equal across frames. */
export function exposureValue(m: Pick<BracketMember, 'exposureTime' | 'fNumber' | 'iso'>): number | null {
  if (m.exposureTime === null || !(m.exposureTime > 0)) return null;
  const n = m.fNumber !== null && m.fNumber > 0 ? m.fNumber : 1;
  const iso = m.iso !== null && m.iso > 0 ? m.iso : 100;
  return Math.log2((n * n) / m.exposureTime) - Math.log2(iso / 100);
}

/** The bracket in a group, or null when the group is not one. */
export function findBracket(members: readonly BracketMember[]): Bracket | null {
  const withEv = members
    .map((m) => ({ m, ev: exposureValue(m) }))
    .filter((x): x is { m: BracketMember; ev: number } => x.ev !== null)
    .sort((a, b) => b.ev - a.ev || b.m.score - a.m.score || a.m.id - b.m.id);
  // One frame per exposure: the best scored of those within SAME_EXPOSURE of each other.
  const frames: BracketFrame[] = [];
  for (const x of withEv) {
    const last = frames.at(-1);
    if (last !== undefined && last.ev - x.ev < SAME_EXPOSURE) continue;
    frames.push({ id: x.m.id, ev: x.ev });
  }
  if (frames.length < 2) return null;
  const spread = frames[0]!.ev - frames.at(-1)!.ev;
  if (spread < BRACKET_MIN_SPREAD) return null;
  const kept = frames.length <= BRACKET_MAX_FRAMES ? frames : spreadOut(frames, BRACKET_MAX_FRAMES);
  return { frames: kept, reference: kept[Math.floor((kept.length - 1) / 2)]!.id, spread };
}

/** `count` frames evenly spread over the range, both ends kept. */
function spreadOut(frames: readonly BracketFrame[], count: number): BracketFrame[] {
  const out: BracketFrame[] = [];
  for (let i = 0; i < count; i++) out.push(frames[Math.round((i * (frames.length - 1)) / (count - 1))]!);
  return out;
}
