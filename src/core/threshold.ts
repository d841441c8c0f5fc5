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
  /** Geometric search range needed to recognise `maxClass`. */
  readonly range: SearchRange;
  /** Extra dHash bits tolerated between hash-only members of one group (0 for candidate edges). */
  readonly hashSlack: number;
}

/** dHash radius beyond which a candidate search stops being cheap; looser -t relies on verification. */
const MAX_HASH_RADIUS = 10;

export function profileFor(threshold: number): Profile {
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 64) {
    throw new Error(`Expected an integer between 0 and 64 for the threshold but received ${threshold}`);
  }
  const hashRadius = Math.min(threshold, MAX_HASH_RADIUS);
  if (threshold <= 3) {
    return { hashRadius, maxClass: 'duplicate', minCorrelation: 1, minDetail: 1, range: rangeOf('duplicate'), hashSlack: 0 };
  }
  if (threshold <= 6) {
    // 4 strict burst … 6 loose burst; tight re-framings of the same scene also pass at these levels.
    const k = threshold - 4;
    return {
      hashRadius,
      maxClass: 'similar',
      minCorrelation: 0.8 - 0.03 * k,
      minDetail: 0.56 - 0.05 * k,
      range: rangeOf('similar'),
      hashSlack: 0,
    };
  }
  if (threshold <= 10) {
    const k = threshold - 7;
    return {
      hashRadius,
      maxClass: 'similar',
      minCorrelation: 0.72 - 0.03 * k,
      minDetail: 0.44 - 0.03 * k,
      range: rangeOf('similar'),
      hashSlack: 0,
    };
  }
  const k = threshold - 11;
  return {
    hashRadius,
    maxClass: 'similar',
    minCorrelation: Math.max(0.4, 0.6 - 0.02 * k),
    minDetail: Math.max(0.1, 0.32 - 0.02 * k),
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
  return { ...profile, minCorrelation: profile.minCorrelation - 0.06, minDetail: profile.minDetail - 0.1, hashSlack };
}

function rangeOf(cls: Exclude<PairClass, 'different'>): SearchRange {
  const { maxLogScale, maxShift } = CLASS_LIMITS[cls];
  return { maxLogScale, maxShift };
}
