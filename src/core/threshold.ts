/**
 * What `-t` means. The seed compared dHashes only; we keep its scale and role — 0–3 near-identical
 * copies only, 4–6 bursts (default 5), 7–10 similar compositions, higher = looser — and map each
 * value onto (1) the dHash radius used to find candidates anywhere in the library, (2) the loosest
 * pair class accepted and (3) the correlations the aligned sketches must reach.
 */
import { CLASS_LIMITS, type PairClass, type SearchRange } from './similarity.js';

export interface Profile {
  /** Candidate search radius in dHash bits (whole library, any time). */
  readonly hashRadius: number;
  /** Loosest pair class that may join a group. */
  readonly maxClass: PairClass;
  /** Minimum aligned correlation of the sketches (non-duplicate pairs). */
  readonly minCorrelation: number;
  /** Minimum aligned correlation of the band-pass sketches (non-duplicate pairs). */
  readonly minDetail: number;
  /**
   * The second way in for non-copies, robust to part of the frame changing (a moving subject, a
   * moved viewpoint): the trimmed region-by-region agreement (core/local-agreement.ts) and the
   * global correlation it must reach together.
   */
  readonly minLocal: number;
  readonly minLocalCorrelation: number;
  /** Largest colour difference (see PairVerdict.chroma) the region-by-region test allows. */
  readonly maxLocalChroma: number;
  /** Geometric search range needed to recognise `maxClass`. */
  readonly range: SearchRange;
  /** Extra dHash bits tolerated between hash-only members of one group (0 for candidate edges). */
  readonly hashSlack: number;
}

/** dHash radius beyond which a candidate search stops being cheap; looser -t relies on verification. */
const MAX_HASH_RADIUS = 10;

/**
 * Correlation floors per band of -t: at the band's first value, then the change per step. Values
 * were calibrated on transformed copies of the fixture photos against look-alike pairs: true
 * pairs keep a structure correlation above ~0.6, different scenes stay below ~0.35.
 */
const BANDS = [
  { from: 4, correlation: [0.8, -0.03], detail: [0.56, -0.05], floor: [0.74, 0.46] }, // bursts (default 5)
  { from: 7, correlation: [0.72, -0.03], detail: [0.44, -0.03], floor: [0.63, 0.35] }, // similar compositions
  { from: 11, correlation: [0.6, -0.02], detail: [0.32, -0.02], floor: [0.4, 0.1] }, // very loose
] as const;

/**
 * Floors of the region-by-region test: 0.66 at -t 5, 0.02 looser per step. Calibrated on the
 * quality library (test/support/quality-library.ts) and four re-draws of its jitter and noise:
 * different scenes whose light layouts correlate at 0.75 or more stay at or below 0.58; every
 * true group stays whole at 0.62 and at 0.66 (with 60 % of regions agreeing), while at 0.72 (70 %)
 * the first burst frame splits off, so 0.66 sits between the two.
 */
const LOCAL = { at5: 0.66, step: -0.02, floor: 0.45, correlation: 0.75, chroma: 0.045 } as const;

export function profileFor(threshold: number): Profile {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 64) {
    throw new Error(`Expected an integer between 0 and 64 for the threshold but received ${threshold}`);
  }
  const hashRadius = Math.min(threshold, MAX_HASH_RADIUS);
  if (threshold <= 3) {
    return {
      hashRadius,
      maxClass: 'duplicate',
      minCorrelation: 1,
      minDetail: 1,
      minLocal: 1,
      minLocalCorrelation: 1,
      maxLocalChroma: 0,
      range: rangeOf('duplicate'),
      hashSlack: 0,
    };
  }
  // Tight re-framings of the same scene pass from -t 4 on: their structure agrees as well as a burst's.
  const band = [...BANDS].reverse().find((b) => threshold >= b.from)!;
  const k = threshold - band.from;
  return {
    hashRadius,
    maxClass: 'similar',
    minCorrelation: Math.max(band.floor[0], band.correlation[0] + band.correlation[1] * k),
    minDetail: Math.max(band.floor[1], band.detail[0] + band.detail[1] * k),
    minLocal: Math.max(LOCAL.floor, LOCAL.at5 + LOCAL.step * (threshold - 5)),
    minLocalCorrelation: LOCAL.correlation,
    maxLocalChroma: LOCAL.chroma,
    range: rangeOf('similar'),
    hashSlack: 0,
  };
}

/**
 * The looser test every pair inside a merged group must pass: a burst may drift so its first and
 * last frames differ more than neighbours do, but they must still plainly show the same scene.
 */
export function relaxed(profile: Profile): Profile {
  const hashSlack = 2;
  if (profile.maxClass === 'duplicate') return { ...profile, hashSlack };
  return {
    ...profile,
    minCorrelation: profile.minCorrelation - 0.06,
    minDetail: profile.minDetail - 0.1,
    minLocal: profile.minLocal - 0.1,
    minLocalCorrelation: profile.minLocalCorrelation - 0.15,
    hashSlack,
  };
}

function rangeOf(cls: Exclude<PairClass, 'different'>): SearchRange {
  const { maxLogScale, maxShift } = CLASS_LIMITS[cls];
  return { maxLogScale, maxShift };
}
