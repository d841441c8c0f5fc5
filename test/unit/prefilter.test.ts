/** The thumbhash prefilter: which photos are worth downloading before grouping them for real. */
import { describe, expect, it } from 'vitest';
import { type PrefilterItem, selectCandidates, thumbFeatures, thumbHashDistance, thumbLikeness } from '../../src/core/prefilter.js';
import { blobThumbhash } from '../support/blob-thumbhash.js';

const picture = blobThumbhash;

const T0 = Date.UTC(2024, 4, 18, 9, 0, 0);
const item = (hash: Uint8Array | null, t: number | null): PrefilterItem => ({
  thumb: hash === null ? null : thumbFeatures(hash),
  takenAtMs: t,
});
const options = { threshold: 5, timeWindowS: 300, minGroupSize: 3 };

describe('thumbhash prefilter', () => {
  it('finds a burst among its neighbours in time and leaves different pictures out', () => {
    const items = [
      item(picture(0.3, 0.4), T0),
      item(picture(0.31, 0.41), T0 + 500),
      item(picture(0.32, 0.4), T0 + 900),
      // 20 s later, another scene entirely: a neighbour in time, but nothing alike.
      item(picture(0.8, 0.8, [150, 40, 40]), T0 + 20_000),
    ];
    expect(selectCandidates(items, options).candidates).toEqual([0, 1, 2]);
    expect(thumbLikeness(items[0]!.thumb!, items[1]!.thumb!).correlation).toBeGreaterThan(0.9);
  });

  it('drops look-alikes that cannot reach the minimum group size', () => {
    const items = [item(picture(0.3, 0.4), T0), item(picture(0.31, 0.4), T0 + 500), item(picture(0.7, 0.5, [20, 160, 30]), T0 + 600)];
    expect(selectCandidates(items, options).candidates).toEqual([]);
    expect(selectCandidates(items, { ...options, minGroupSize: 2 }).candidates).toEqual([0, 1]);
  });

  it('finds copies across the library by their thumbhash, whatever their times', () => {
    const same = picture(0.5, 0.5);
    const items = [item(same, T0), item(same, T0 + 86_400_000 * 30), item(same, null), item(picture(0.2, 0.8, [200, 200, 30]), null)];
    expect(selectCandidates(items, options).candidates).toEqual([0, 1, 2]);
  });

  it('always downloads a photo the server has no thumbhash for, with its neighbours in time', () => {
    const items = [
      item(null, T0),
      item(picture(0.3, 0.4), T0 + 300),
      item(picture(0.3, 0.42), T0 + 600),
      item(picture(0.9, 0.1), T0 + 9_000_000),
    ];
    expect(selectCandidates(items, options).candidates).toEqual([0, 1, 2]);
  });

  it('finds a burst without capture times whose thumbhash dHashes are too far apart for the hash index', () => {
    const items = [
      item(picture(0.3, 0.4), null),
      item(picture(0.36, 0.44), null),
      item(picture(0.25, 0.36), null),
      item(picture(0.8, 0.75, [150, 40, 40]), null),
      item(picture(0.75, 0.2, [30, 150, 60]), null),
    ];
    // The frames are beyond the index's radius (5 + 5 bits of slack)...
    expect(thumbHashDistance(items[1]!.thumb!, items[2]!.thumb!)).toBeGreaterThan(10);
    // ...yet nearest neighbours on the thumbhash descriptor bring them together.
    expect(selectCandidates(items, options).candidates).toEqual([0, 1, 2]);
  });

  it('outside the time window only near-identical pictures pair up', () => {
    const items = [item(picture(0.3, 0.4), T0), item(picture(0.36, 0.45), T0 + 3_600_000), item(picture(0.3, 0.4), T0 + 7_200_000)];
    expect(selectCandidates(items, { ...options, minGroupSize: 2 }).candidates).toEqual([0, 2]);
  });
});
