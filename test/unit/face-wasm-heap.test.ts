/**
 * The WASM heap helpers of the face backend: a decode written straight into the heap, and
 * tf.clone sharing its input's data (counted references) instead of copying it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHuman } from '../../src/faces/human.js';
import { tf } from '../../src/faces/tf.js';
import { heapTensor } from '../../src/faces/wasm-heap.js';

interface DataIds {
  numDataIds(): number;
}
const dataIds = (): number => (tf.backend() as unknown as DataIds).numDataIds();

describe('WASM heap helpers', () => {
  beforeAll(async () => {
    // Installs the shared Identity kernel, as every face thread does.
    await loadHuman();
  }, 60_000);

  it('writes pixel values into a float32 tensor in the heap, converted as typed arrays convert', () => {
    const pixels = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256);
    const before = dataIds();
    const t = heapTensor(pixels, [5, 4, 3]);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([5, 4, 3]);
    expect(t.dataSync()).toEqual(Float32Array.from(pixels));
    expect(dataIds()).toBe(before + 1);
    t.dispose();
    expect(dataIds()).toBe(before);
  });

  it('clones without copying, and keeps the data until the last of the tensors sharing it is disposed', () => {
    const values = Float32Array.from({ length: 2 * 3 * 3 }, (_, i) => i / 2);
    const before = dataIds();
    const original = heapTensor(values, [1, 2, 3, 3]);
    const copy = tf.clone(original);
    expect(dataIds()).toBe(before + 1);
    original.dispose();
    expect(copy.dataSync()).toEqual(values);
    // A kernel reading the clone sees the same values (a freed block would hold garbage or new data).
    const other = heapTensor(new Float32Array(values.length).fill(9), [1, 2, 3, 3]);
    const sum = tf.add(copy, 1);
    expect(sum.dataSync()).toEqual(values.map((v) => v + 1));
    tf.dispose([copy, other, sum]);
    expect(dataIds()).toBe(before);
  });
});
