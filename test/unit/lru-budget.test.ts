import { describe, expect, it } from 'vitest';
import { LruBudget } from '../../src/core/lru-budget.js';

const sized = (name: string, size: number): { readonly name: string; readonly size: number } => ({ name, size });

describe('LruBudget', () => {
  it('evicts least recently used first until the total fits the cap', () => {
    const lru = new LruBudget<string, ReturnType<typeof sized>>(100);
    lru.add('a', sized('a', 40));
    lru.add('b', sized('b', 40));
    lru.touch('a');
    lru.add('c', sized('c', 40));
    expect(lru.total).toBe(120);
    expect(lru.evict().map((e) => e.name)).toEqual(['b']);
    expect(lru.total).toBe(80);
    expect(lru.files).toBe(2);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.evict()).toEqual([]);
  });

  it('skips pinned entries and those the caller refuses, and keeps pins across a replacement', () => {
    const lru = new LruBudget<string, ReturnType<typeof sized>>(10);
    lru.add('a', sized('a', 10), { pin: true });
    lru.add('b', sized('b', 10));
    lru.add('c', sized('c', 10));
    expect(lru.evict((e) => e.name !== 'b').map((e) => e.name)).toEqual(['c']);
    lru.add('a', sized('a2', 5));
    expect(lru.evict().map((e) => e.name)).toEqual(['b']);
    expect(lru.total).toBe(5);
    lru.add('d', sized('d', 10));
    lru.unpin('a');
    expect(lru.evict().map((e) => e.name)).toEqual(['a2']);
  });

  it('removes an entry only if it was not replaced meanwhile', () => {
    const lru = new LruBudget<string, ReturnType<typeof sized>>(100);
    const first = sized('a', 10);
    lru.add('a', first);
    lru.add('a', sized('a', 20));
    lru.remove('a', first);
    expect(lru.total).toBe(20);
    lru.remove('a');
    expect(lru.total).toBe(0);
    expect(() => new LruBudget(-1)).toThrow(RangeError);
  });
});
