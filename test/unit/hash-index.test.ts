import { describe, expect, it } from 'vitest';
import { hamming, splitHash } from '../../src/core/dhash.js';
import { chooseChunking, hashPairsWithin } from '../../src/core/hash-index.js';

/** Deterministic 64-bit hashes from a seed (xorshift). */
function randomHashes(n: number, seed: number): bigint[] {
  let s = BigInt(seed) | 1n;
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    s ^= (s << 13n) & 0xffffffffffffffffn;
    s ^= s >> 7n;
    s ^= (s << 17n) & 0xffffffffffffffffn;
    out.push(s & 0xffffffffffffffffn);
  }
  return out;
}

function flipBits(h: bigint, bits: number[]): bigint {
  return bits.reduce((acc, b) => acc ^ (1n << BigInt(b)), h);
}

function bruteForce(hashes: bigint[], radius: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < hashes.length; i++) {
    for (let j = i + 1; j < hashes.length; j++) {
      const d = hamming(hashes[i]!, hashes[j]!);
      if (d <= radius) out.push(`${i},${j},${d}`);
    }
  }
  return out.sort();
}

function viaIndex(hashes: bigint[], radius: number): string[] {
  const hi = new Uint32Array(hashes.length);
  const lo = new Uint32Array(hashes.length);
  hashes.forEach((h, i) => {
    [hi[i], lo[i]] = splitHash(h);
  });
  const pairs = hashPairsWithin(hi, lo, radius);
  const out: string[] = [];
  for (let k = 0; k < pairs.a.length; k++) out.push(`${pairs.a[k]},${pairs.b[k]},${pairs.d[k]}`);
  return out.sort();
}

describe('hashPairsWithin', () => {
  // Near-duplicates planted among random hashes, so every radius has pairs to find.
  const base = randomHashes(300, 7);
  const hashes = [...base];
  base.slice(0, 60).forEach((h, i) => {
    hashes.push(
      flipBits(
        h,
        Array.from({ length: i % 12 }, (_, k) => (k * 11 + i) % 64),
      ),
    );
  });

  for (const radius of [0, 1, 3, 5, 8, 10, 12]) {
    it(`finds exactly the brute-force pairs at radius ${radius}`, () => {
      const expected = bruteForce(hashes, radius);
      expect(viaIndex(hashes, radius)).toEqual(expected);
      if (radius >= 5) expect(expected.length).toBeGreaterThan(10);
    });
  }

  it('reports each pair once even when several chunks match', () => {
    const h = randomHashes(1, 3)[0]!;
    expect(viaIndex([h, h, h], 4)).toEqual(['0,1,0', '0,2,0', '1,2,0']);
  });

  it('rejects a radius outside 0..64', () => {
    expect(() => hashPairsWithin(new Uint32Array(2), new Uint32Array(2), 65)).toThrow(/between 0 and 64/);
  });

  it('uses longer chunks for bigger libraries', () => {
    expect(chooseChunking(1_000_000, 5).starts.length).toBeLessThanOrEqual(chooseChunking(1000, 5).starts.length);
    const c = chooseChunking(1_000_000, 5);
    expect(c.lengths.reduce((a, b) => a + b, 0)).toBe(64);
  });
});
