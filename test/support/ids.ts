/**
 * Tests write item ids as plain numbers; the code takes branded PhotoIds (the catalog brands its
 * row ids). These turn the literals of a test into ids, so the literals stay readable.
 */
import type { UserDecision } from '../../src/core/decisions.js';
import { asPhotoId, type PhotoId } from '../../src/core/types.js';

export const ids = (...n: readonly number[]): PhotoId[] => n.map(asPhotoId);

/** A record as a test writes it: ids (and lists of ids) as plain numbers. */
export type WithNumberIds<T> = {
  [K in keyof T]: T[K] extends PhotoId ? number : T[K] extends readonly PhotoId[] ? readonly number[] : T[K];
};

/** A decision written with plain numbers. */
export function decision(d: WithNumberIds<UserDecision>): UserDecision {
  // Only the brand differs: every id field holds the same number.
  return d as UserDecision;
}
