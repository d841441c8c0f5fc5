/** Area-average resizing: each output cell is the mean of the source area it covers, weighted by overlap. */
import { describe, expect, it } from 'vitest';
import { resizeArea, resizeAreaChannels } from '../../src/core/pixels.js';

describe('resizeAreaChannels', () => {
  it('averages whole blocks of a grey image', () => {
    const src = new Float32Array([0, 2, 10, 20, 4, 6, 30, 40]);
    expect([...resizeArea(src, 4, 2, 2, 1)]).toEqual([3, 25]);
  });

  it('weights a pixel shared by two cells by how much of it each covers', () => {
    // 3 → 2: the middle pixel is half in each cell, so cell 0 = (1·0 + 0.5·30) / 1.5.
    expect([...resizeArea(new Float32Array([0, 30, 60]), 3, 1, 2, 1)]).toEqual([10, 50]);
  });

  it('keeps RGB channels apart', () => {
    const src = new Uint8Array([255, 0, 10, 255, 0, 30, 0, 100, 0, 0, 200, 0]);
    expect([...resizeAreaChannels(src, 4, 1, 2, 1, 3)]).toEqual([255, 0, 20, 0, 150, 0]);
  });

  it('enlarges by repeating: a cell inside one source pixel takes its value', () => {
    expect([...resizeArea(new Float32Array([7, 9]), 2, 1, 4, 1)]).toEqual([7, 7, 9, 9]);
  });
});
