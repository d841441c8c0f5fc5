/**
 * The seed's 64-bit difference hash and Hamming distances. A hash is a bigint holding 64 bits,
 * most significant bit first, exactly as the seed prints it (16 lowercase hex digits).
 */
import { resizeArea } from './pixels.js';

/** dHash of a luma image: shrink to 9x8, bit = right neighbour brighter, row-major, MSB first. */
export function dhashFromLuma(luma: Float32Array, width: number, height: number): bigint {
  const small = resizeArea(luma, width, height, 9, 8);
  let hash = 0n;
  for (let r = 0; r < 8; r++) {
    for (let c = 0; c < 8; c++) {
      hash = (hash << 1n) | (small[r * 9 + c + 1]! > small[r * 9 + c]! ? 1n : 0n);
    }
  }
  return hash;
}

/** 16 lowercase hex digits, zero-padded. */
export function hashToHex(hash: bigint): string {
  return hash.toString(16).padStart(16, '0');
}

/** Inverse of hashToHex; rejects anything that is not 16 hex digits. */
export function hexToHash(hex: string): bigint {
  if (!/^[0-9a-f]{16}$/i.test(hex)) throw new Error(`Expected 16 hex digits for a dHash but received "${hex}"`);
  return BigInt(`0x${hex}`);
}

/** Number of set bits in a 32-bit integer. */
export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Hamming distance between two 64-bit hashes, 0..64. */
export function hamming(a: bigint, b: bigint): number {
  const x = a ^ b;
  return popcount32(Number(x >> 32n)) + popcount32(Number(x & 0xffffffffn));
}

/** High and low 32-bit halves, for fast distance loops over typed arrays. */
export function splitHash(hash: bigint): [hi: number, lo: number] {
  return [Number(hash >> 32n) >>> 0, Number(hash & 0xffffffffn) >>> 0];
}
