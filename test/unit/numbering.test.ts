import { describe, expect, it } from 'vitest';
import { keepNumbers } from '../../src/core/numbering.js';
import { ids } from '../support/ids.js';

const g = (members: number[], person: string | null = null) => ({ person, members: ids(...members) });
const n = (number: number, members: number[], person: string | null = null) => ({ number, person, members: ids(...members) });

describe('keepNumbers', () => {
  it('numbers a first run 1..n in the order given', () => {
    expect(keepNumbers([], [g([5, 6]), g([1, 2]), g([9, 8])])).toEqual([1, 2, 3]);
  });

  it('keeps the numbers of unchanged groups whatever order they come in', () => {
    const previous = [n(1, [1, 2, 3]), n(2, [10, 11, 12])];
    expect(keepNumbers(previous, [g([10, 11, 12]), g([3, 2, 1])])).toEqual([2, 1]);
  });

  it('gives a new group, even one taken earlier than the others, the next number after all used before', () => {
    const previous = [n(1, [10, 11, 12]), n(4, [20, 21, 22])];
    expect(keepNumbers(previous, [g([1, 2, 3]), g([10, 11, 12]), g([20, 21, 22]), g([30, 31])])).toEqual([5, 1, 4, 6]);
  });

  it('keeps the number of a burst that gained a frame or lost one', () => {
    const previous = [n(1, [1, 2, 3]), n(2, [10, 11, 12, 13])];
    expect(keepNumbers(previous, [g([1, 2, 3, 4]), g([10, 11, 13])])).toEqual([1, 2]);
  });

  it('gives a number to one group only: a group split in two keeps it for the larger part', () => {
    const previous = [n(3, [1, 2, 3, 4, 5])];
    expect(keepNumbers(previous, [g([1, 2]), g([3, 4, 5])])).toEqual([4, 3]);
  });

  it('lets two merged groups keep the number of the one they share most with, the lower on a tie', () => {
    expect(keepNumbers([n(2, [1, 2]), n(7, [3, 4, 5])], [g([1, 2, 3, 4, 5])])).toEqual([7]);
    expect(keepNumbers([n(2, [1, 2]), n(7, [3, 4])], [g([1, 2, 3, 4])])).toEqual([2]);
  });

  it('never matches groups of different people (Immich person mode)', () => {
    const previous = [n(1, [1, 2, 3], 'Alice'), n(2, [1, 2, 3], 'Bob')];
    expect(keepNumbers(previous, [g([1, 2, 3], 'Bob'), g([1, 2, 3], 'Carol'), g([1, 2, 3], 'Alice')])).toEqual([2, 3, 1]);
  });

  it('does not reuse the number of a group that is gone', () => {
    expect(keepNumbers([n(1, [1, 2]), n(2, [3, 4])], [g([3, 4]), g([7, 8])])).toEqual([2, 3]);
  });
});
