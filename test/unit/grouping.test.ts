import { describe, expect, it } from 'vitest';
import { type GroupingItem, groupPhotos } from '../../src/core/grouping.js';

/** Builder for hash-only grouping items (no sketches: dHash distance decides, as for synthetic data). */
class ItemBuilder {
  private hash = 0n;
  private time: number | null = null;
  constructor(private readonly base: bigint) {
    this.hash = base;
  }
  flips(...bits: number[]): this {
    this.hash = bits.reduce((h, b) => h ^ (1n << BigInt(b)), this.base);
    return this;
  }
  at(seconds: number): this {
    this.time = seconds * 1000;
    return this;
  }
  build(): GroupingItem {
    return { dhash: this.hash, takenAtMs: this.time };
  }
}
const item = (base = 0x0f0f_3c3c_a5a5_5a5an) => new ItemBuilder(base);
const noSketch = () => null;
const run = (items: GroupingItem[], threshold = 5, timeWindowS = 300, minGroupSize = 2) =>
  groupPhotos(items, { threshold, timeWindowS, minGroupSize }, noSketch).groups.map((g) => [...g.members]);

describe('groupPhotos (hash-only records)', () => {
  it('groups photos within the threshold and leaves the rest alone', () => {
    const items = [item().build(), item().flips(1, 2).build(), item(0xffff_0000_ffff_0000n).build()];
    expect(run(items)).toEqual([[0, 1]]);
  });

  it('does not chain unrelated photos through an intermediate one', () => {
    // A–B 4 bits, B–C 4 bits, A–C 8 bits: with -t 5 only one pair may stand together.
    const a = item().build();
    const b = item().flips(0, 1, 2, 3).build();
    const c = item().flips(0, 1, 2, 3, 10, 11, 12, 13).build();
    expect(run([a, b, c])).toEqual([[0, 1]]);
  });

  it('keeps a chain whose ends are still close enough (relaxed inside a group)', () => {
    const a = item().build();
    const b = item().flips(0, 1, 2).build();
    const c = item().flips(0, 1, 2, 10, 11, 12).build(); // A–C 6 bits ≤ 5 + slack 2
    expect(run([a, b, c])).toEqual([[0, 1, 2]]);
  });

  it('applies the time window inclusively at its edge', () => {
    const a = item().flips(20, 21, 22, 23).at(0).build();
    const b = item().flips(30, 31, 32, 33).at(300).build(); // 8 bits from a: not a duplicate
    const c = item().flips(30, 31, 32, 33, 40, 41, 42, 43).at(601).build(); // 4 bits from b: a burst pair, not a copy
    expect(run([a, item().flips(20, 21, 22, 23, 24).at(300).build()], 5, 300)).toEqual([[0, 1]]);
    expect(run([b, c], 5, 300)).toEqual([]);
    expect(run([b, c], 5, 0)).toEqual([[0, 1]]);
    expect(run([a], 5, 300)).toEqual([]);
  });

  it('lets exact duplicates ignore the time window (a copy with a wrong clock is still a copy)', () => {
    const original = item().at(0).build();
    const copy = item()
      .flips(5)
      .at(86_400 * 365)
      .build();
    expect(run([original, copy], 5, 300)).toEqual([[0, 1]]);
  });

  it('groups photos without a capture time on looks alone', () => {
    expect(run([item().at(0).build(), item().flips(7, 8, 9, 50).build()], 5, 300)).toEqual([[0, 1]]);
  });

  it('drops groups smaller than the minimum without consuming their members', () => {
    const items = [item().build(), item().flips(1).build(), item(0x1234_5678_9abc_def0n).build()];
    expect(run(items, 5, 0, 3)).toEqual([]);
    expect(run(items, 5, 0, 2)).toEqual([[0, 1]]);
  });

  it('labels hash-only groups by the seed bands', () => {
    const dup = groupPhotos([item().build(), item().flips(1).build()], { threshold: 5, timeWindowS: 0, minGroupSize: 2 }, noSketch);
    expect(dup.groups[0]!.kind).toBe('duplicate');
    const burst = groupPhotos(
      [item().build(), item().flips(1, 2, 3, 4, 5).build()],
      { threshold: 5, timeWindowS: 0, minGroupSize: 2 },
      noSketch,
    );
    expect(burst.groups[0]!.kind).toBe('burst');
  });

  it('numbers groups chronologically, undated groups last', () => {
    const late = [item(1n).at(5000).build(), item(1n).flips(3).at(5001).build()];
    const early = [
      item(0xff00n << 40n)
        .at(10)
        .build(),
      item(0xff00n << 40n)
        .flips(9)
        .at(11)
        .build(),
    ];
    const undated = [
      item(0xf0f0n << 20n).build(),
      item(0xf0f0n << 20n)
        .flips(2)
        .build(),
    ];
    expect(run([...undated, ...late, ...early])).toEqual([
      [4, 5],
      [2, 3],
      [0, 1],
    ]);
  });

  it('gives the same groups for the same input every time', () => {
    const items = Array.from({ length: 200 }, (_, i) =>
      item(BigInt(i % 20) * 0x0101_0101_0101n)
        .flips(i % 7, (i * 3) % 64)
        .at(i)
        .build(),
    );
    expect(run(items)).toEqual(run(items));
  });
});
