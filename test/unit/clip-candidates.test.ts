/** Server clips before any video is downloaded: which are worth a look, and which must be read whole. */
import { describe, expect, it } from 'vitest';
import {
  ambiguousTakes,
  type ClipPrefilterItem,
  POSTER_CHOICE,
  posterVideo,
  sameLength,
  selectClipCandidates,
} from '../../src/core/clip-candidates.js';
import { thumbFeatures } from '../../src/core/prefilter.js';
import { blobThumbhash } from '../support/blob-thumbhash.js';

const poster = blobThumbhash;

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);
const clip = (hash: Uint8Array | null, takenAtMs: number | null, durationS: number): ClipPrefilterItem => ({
  thumb: hash === null ? null : thumbFeatures(hash),
  takenAtMs,
  durationS,
});
const options = { timeWindowS: 300, minGroupSize: 2 };
const SCENE = poster(0.3, 0.4);
const OTHER = poster(0.8, 0.8, [150, 40, 40]);

describe('server clip prefilter', () => {
  it('looks at a clip and its re-encode through their posters alone', () => {
    const found = selectClipCandidates([clip(SCENE, T0, 4), clip(SCENE, T0, 4.02), clip(OTHER, T0 + 60_000, 4)], options);
    expect(found).toEqual({ candidates: [0, 1], keyFrames: [] });
  });

  it('reads whole a clip and a shorter one of the same recording time: the shorter may be a trim', () => {
    const found = selectClipCandidates([clip(SCENE, T0, 4), clip(poster(0.34, 0.42), T0, 2)], options);
    expect(found).toEqual({ candidates: [0, 1], keyFrames: [0, 1] });
  });

  it('leaves takes (another capture time, another length) to their posters', () => {
    const found = selectClipCandidates([clip(SCENE, T0, 4), clip(poster(0.32, 0.4), T0 + 20_000, 3)], options);
    expect(found).toEqual({ candidates: [0, 1], keyFrames: [] });
  });

  it('keeps clips apart whose capture times are farther apart than the time window, unless they may be copies', () => {
    // An hour and a bit: a re-dated copy of the same length and poster is still possible.
    const later = T0 + 3_700_000;
    expect(selectClipCandidates([clip(SCENE, T0, 4), clip(SCENE, later, 4)], options).candidates).toEqual([0, 1]);
    // Ten minutes apart: neither takes (outside the window) nor copies (not re-dated).
    expect(selectClipCandidates([clip(SCENE, T0, 4), clip(SCENE, T0 + 600_000, 4)], options).candidates).toEqual([]);
    // With the time ignored, the same two are takes.
    expect(selectClipCandidates([clip(SCENE, T0, 4), clip(SCENE, T0 + 600_000, 4)], { ...options, timeWindowS: 0 }).candidates).toEqual([
      0, 1,
    ]);
  });

  it('always looks at a clip without a thumbhash, and needs --min-group-size clips of one scene', () => {
    expect(selectClipCandidates([clip(null, T0, 4), clip(OTHER, T0, 9)], { ...options, minGroupSize: 3 })).toEqual({
      candidates: [0],
      keyFrames: [],
    });
    expect(selectClipCandidates([clip(SCENE, T0, 4), clip(SCENE, T0, 4)], { ...options, minGroupSize: 3 }).candidates).toEqual([]);
  });

  it('counts lengths within 5 % or half a second as one length', () => {
    expect(sameLength(10, 10.4)).toBe(true);
    expect(sameLength(60, 62.9)).toBe(true);
    expect(sameLength(4, 3)).toBe(false);
  });

  it('makes a poster into a clip of one frame at t = 0', () => {
    const facts = posterVideo(3.5, 0xf0f0n, { sharpness: 12, highlightsClipped: 0, shadowsClipped: 0.1, meanLuma: 0.4, megapixels: 0.3 });
    expect(facts).toMatchObject({ durationS: 3.5, choice: POSTER_CHOICE, frames: [{ t: 0, hash: '000000000000f0f0', sharpness: 12 }] });
  });

  it('takes a second look at takes whose posters are neither alike (-t plus 8 bits) nor unrelated (8 bits more)', () => {
    const bits = (n: number): bigint => (1n << BigInt(n)) - 1n;
    const take = (poster: bigint, at: number) => ({ poster, takenAtMs: T0 + at, durationS: 3 });
    const t = { threshold: 5, timeWindowS: 300 };
    // 14 bits apart (-t 5 allows 13 for takes): ambiguous; 13: the posters decide; 30: unrelated.
    expect(ambiguousTakes([take(0n, 0), take(bits(14), 20_000)], t)).toEqual([0, 1]);
    expect(ambiguousTakes([take(0n, 0), take(bits(13), 20_000)], t)).toEqual([]);
    expect(ambiguousTakes([take(0n, 0), take(bits(30), 20_000)], t)).toEqual([]);
    // Outside the time window they cannot be takes.
    expect(ambiguousTakes([take(0n, 0), take(bits(14), 600_000)], t)).toEqual([]);
  });
});
