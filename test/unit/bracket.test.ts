/** Exposure bracket detection (core/bracket.ts): which groups are brackets, which frames merge. */
import { describe, expect, it } from 'vitest';
import { type BracketMember, exposureValue, findBracket } from '../../src/core/bracket.js';
import { asPhotoId } from '../../src/core/types.js';

/** A frame at f/8, ISO 400 with this exposure time. */
const frame = (id: number, exposureTime: number | null, score = 0.5, over: Partial<BracketMember> = {}): BracketMember => ({
  id: asPhotoId(id),
  exposureTime,
  fNumber: 8,
  iso: 400,
  score,
  ...over,
});

describe('exposure brackets', () => {
  it('computes EV at ISO 100 from time, aperture and ISO', () => {
    expect(exposureValue({ exposureTime: 1 / 125, fNumber: 8, iso: 100 })).toBeCloseTo(Math.log2(64 * 125), 9);
    // Doubling ISO is one stop less EV at ISO 100, like doubling the time.
    expect(exposureValue({ exposureTime: 1 / 125, fNumber: 8, iso: 200 })).toBeCloseTo(
      exposureValue({ exposureTime: 1 / 62.5, fNumber: 8, iso: 100 })!,
      9,
    );
    expect(exposureValue({ exposureTime: null, fNumber: 8, iso: 100 })).toBeNull();
    expect(exposureValue({ exposureTime: 0, fNumber: 8, iso: 100 })).toBeNull();
  });

  it('finds a -2/0/+2 bracket, darkest first, the middle exposure as reference', () => {
    const b = findBracket([frame(1, 1 / 60), frame(2, 1 / 250), frame(3, 1 / 15)]);
    expect(b).not.toBeNull();
    expect(b!.frames.map((f) => f.id)).toEqual([2, 1, 3]);
    expect(b!.reference).toBe(1);
    expect(b!.spread).toBeCloseTo(Math.log2(250 / 15), 9);
  });

  it('is not fooled by a burst at one exposure, or by a third of a stop', () => {
    expect(findBracket([frame(1, 1 / 250), frame(2, 1 / 250), frame(3, 1 / 250)])).toBeNull();
    expect(findBracket([frame(1, 1 / 250), frame(2, 1 / 200)])).toBeNull();
    expect(findBracket([frame(1, 1 / 250), frame(2, null), frame(3, null)])).toBeNull();
  });

  it('merges the best scored frame of each exposure, and leaves out frames without EXIF', () => {
    const b = findBracket([frame(1, 1 / 250, 0.2), frame(2, 1 / 250, 0.9), frame(3, 1 / 60, 0.5), frame(4, null, 1)]);
    expect(b!.frames.map((f) => f.id)).toEqual([2, 3]);
  });

  it('reads a bracket made with ISO or aperture steps as well', () => {
    const b = findBracket([
      frame(1, 1 / 125, 0.5, { iso: 100 }),
      frame(2, 1 / 125, 0.5, { iso: 400 }),
      frame(3, 1 / 125, 0.5, { iso: 1600 }),
    ]);
    expect(b!.frames.map((f) => f.id)).toEqual([1, 2, 3]);
    expect(b!.spread).toBeCloseTo(4, 9);
  });

  it('keeps at most nine frames spread over the whole range', () => {
    const b = findBracket(Array.from({ length: 15 }, (_, i) => frame(i + 1, 2 ** -i / 1000)));
    expect(b!.frames).toHaveLength(9);
    expect(b!.frames[0]!.id).toBe(15);
    expect(b!.frames.at(-1)!.id).toBe(1);
  });
});
