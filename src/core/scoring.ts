/**
 * Ranks the photos of one group on whole-image measures: sharpness (relative to the group's
 * sharpest), exposure (clipping, very dark or bright frames) and resolution. Every photo gets a
 * score in 0..1 and a short reason; the best is the top score, ties broken by resolution, then
 * file size, then path order. Groups with faces are ranked by face-scoring.ts on top of these.
 */
import type { Decision, ImageQuality, PhotoId } from './types.js';

export interface ScoringInput {
  readonly id: PhotoId;
  readonly quality: ImageQuality;
  /** File size in bytes: among identical pictures, the bigger file usually lost less to compression. */
  readonly size: number;
  /** File name for reasons ("beats IMG_0102.JPG on …"); without it the reason says "the runner-up". */
  readonly name?: string;
}

/** Weights of the whole-image measures in a photo's score (they add up to 1). */
export const WEIGHTS = { sharpness: 0.6, exposure: 0.25, resolution: 0.15 } as const;

/** Decisions for a group's members, in the same order as given. Members must be in path order. */
export function rankGroup(members: readonly ScoringInput[]): Decision[] {
  if (members.length === 0) return [];
  const parts = wholeImageParts(members);
  const order = parts
    .map((p, index) => ({ ...p, index }))
    .sort((p, q) => q.score - p.score || q.m.quality.megapixels - p.m.quality.megapixels || q.m.size - p.m.size || p.index - q.index);
  const best = order[0]!;
  const runnerUp = order[1];
  return parts.map((p, index) => {
    const isBest = index === best.index;
    return {
      photoId: p.m.id,
      score: Math.round(p.score * 1000) / 1000,
      isBest,
      reason: isBest ? bestReason(p, runnerUp) : otherReason(p),
    };
  });
}

/** Whole-image measures of each member relative to the group, and their weighted sum (0..1). */
export function wholeImageParts<M extends ScoringInput>(members: readonly M[]): WholeImageParts<M>[] {
  const maxSharp = Math.max(...members.map((m) => m.quality.sharpness));
  const maxMp = Math.max(...members.map((m) => m.quality.megapixels));
  return members.map((m) => {
    const sharp = maxSharp > 0 ? m.quality.sharpness / maxSharp : 1;
    const exposure = exposureScore(m.quality);
    const resolution = maxMp > 0 ? m.quality.megapixels / maxMp : 1;
    const score = WEIGHTS.sharpness * sharp + WEIGHTS.exposure * exposure + WEIGHTS.resolution * resolution;
    return { m, sharp, exposure, resolution, score };
  });
}

/** 1 for a well exposed frame, falling with clipped pixels and with very dark or bright means. */
export function exposureScore(q: ImageQuality): number {
  const clipped = Math.max(0, q.highlightsClipped - 0.01) + Math.max(0, q.shadowsClipped - 0.02);
  const offMid = Math.max(0, Math.abs(q.meanLuma - 0.47) - 0.2);
  return Math.max(0, 1 - 3 * clipped - 2 * offMid);
}

export interface WholeImageParts<M extends ScoringInput = ScoringInput> {
  readonly m: M;
  /** Sharpness relative to the group's sharpest, 0..1. */
  readonly sharp: number;
  readonly exposure: number;
  /** Megapixels relative to the group's largest, 0..1. */
  readonly resolution: number;
  /** Weighted sum, 0..1. */
  readonly score: number;
}

type Parts = WholeImageParts;

function bestReason(p: Parts, runnerUp: Parts | undefined): string {
  const bits = measureWords(p);
  if (runnerUp) {
    const margin = why(p, runnerUp);
    const other = runnerUp.m.name ?? 'the runner-up';
    bits.push(margin ? `beats ${other} on ${margin}` : `ties ${other} (kept the larger or first file)`);
  }
  return bits.join(', ');
}

function otherReason(p: Parts): string {
  return measureWords(p).join(', ');
}

function measureWords(p: Parts): string[] {
  return [p.sharp >= 0.999 ? 'sharpest' : `${pct(p.sharp)} as sharp as the sharpest`, exposureWords(p.m.quality), megapixels(p.m.quality)];
}

/** The measure on which the winner gained most over the runner-up, in words. */
function why(best: Parts, next: Parts): string | null {
  const gains = [
    { name: 'sharpness', gain: WEIGHTS.sharpness * (best.sharp - next.sharp) },
    { name: 'exposure', gain: WEIGHTS.exposure * (best.exposure - next.exposure) },
    { name: 'resolution', gain: WEIGHTS.resolution * (best.resolution - next.resolution) },
  ].sort((a, b) => b.gain - a.gain);
  return gains[0]!.gain > 0.0005 ? gains[0]!.name : null;
}

/** Exposure in words: "well exposed", "dark", "bright" or how much is clipped. */
export function exposureWords(q: ImageQuality): string {
  if (q.highlightsClipped > 0.05) return `${pct(q.highlightsClipped)} highlights clipped`;
  if (q.shadowsClipped > 0.08) return `${pct(q.shadowsClipped)} shadows clipped`;
  if (q.meanLuma < 0.2) return 'dark';
  if (q.meanLuma > 0.8) return 'bright';
  return 'well exposed';
}

function megapixels(q: ImageQuality): string {
  return `${q.megapixels.toFixed(1)} MP`;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}
