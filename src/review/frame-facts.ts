/**
 * Per-frame facts of the group view beyond the score: the camera settings (an EXIF strip) and
 * what each whole-image measure contributed to the score (core/scoring.ts's weights, over the
 * group as it is now). Pure, as the rest of the view-models.
 */
import { WEIGHTS, wholeImageParts } from '../core/scoring.js';
import type { ImageQuality, PhotoId } from '../core/types.js';

/** The camera settings a photo was taken with, as its EXIF gives them (null: not recorded). */
export interface CameraFacts {
  /** Seconds. */
  readonly exposureTime: number | null;
  readonly fNumber: number | null;
  readonly iso: number | null;
  /** Millimetres. */
  readonly focalLength: number | null;
}

/** ["1/250 s", "f/2.8", "ISO 400", "EV 9.9", "35 mm"], leaving out what is not recorded. */
export function exifStrip(c: CameraFacts): string[] {
  const out: string[] = [];
  if (c.exposureTime !== null) out.push(shutter(c.exposureTime));
  if (c.fNumber !== null) out.push(`f/${round(c.fNumber, 1)}`);
  if (c.iso !== null) out.push(`ISO ${Math.round(c.iso)}`);
  // The light the settings were made for, at ISO 100: a darker scene (or more exposure) reads lower.
  if (c.exposureTime !== null && c.fNumber !== null && c.iso !== null && c.exposureTime > 0 && c.iso > 0) {
    out.push(`EV ${round(Math.log2((c.fNumber * c.fNumber) / c.exposureTime) - Math.log2(c.iso / 100), 1)}`);
  }
  if (c.focalLength !== null) out.push(`${round(c.focalLength, 1)} mm`);
  return out;
}

/** 0.004 → "1/250 s", 0.4 → "0.4 s", 2 → "2 s". */
function shutter(t: number): string {
  if (t >= 0.3) return `${round(t, 1)} s`;
  return `1/${Math.round(1 / t)} s`;
}

const round = (v: number, digits: number): string => String(Math.round(v * 10 ** digits) / 10 ** digits);

/** One measure's share of a frame's whole-image score. */
export interface ScorePart {
  readonly measure: 'sharpness' | 'exposure' | 'resolution';
  /** The measure for this frame, 0..1 (sharpness and resolution relative to the group's best). */
  readonly value: number;
  readonly weight: number;
  /** value × weight. */
  readonly points: number;
}

export interface ScoreBreakdown {
  readonly parts: readonly ScorePart[];
  /** Their sum: the score on whole-image measures alone. */
  readonly wholeImage: number;
}

/** The whole-image breakdown of every frame (same order), over the frames given. */
export function scoreBreakdowns(
  frames: readonly { readonly id: PhotoId; readonly quality: ImageQuality; readonly size: number }[],
): ScoreBreakdown[] {
  if (frames.length === 0) return [];
  return wholeImageParts(frames).map((p) => {
    const parts: ScorePart[] = (['sharpness', 'exposure', 'resolution'] as const).map((measure) => {
      const value = measure === 'sharpness' ? p.sharp : p[measure];
      return { measure, value: round3(value), weight: WEIGHTS[measure], points: round3(value * WEIGHTS[measure]) };
    });
    return { parts, wholeImage: round3(p.score) };
  });
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;
