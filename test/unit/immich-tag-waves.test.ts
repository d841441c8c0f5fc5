import { describe, expect, it } from 'vitest';
import { type TagChange, type TagRequest, tagWaves } from '../../src/immich/actions/tag-waves.js';

const tag = (value: string) => ({ value, tagId: `id-${value}` });
const add = (value: string, assets: string[]): TagChange => ({ kind: 'add', tag: tag(value), assets });
const remove = (value: string, assets: string[]): TagChange => ({ kind: 'remove', tag: tag(value), assets });

/** A request as one readable line. */
function line(r: TagRequest): string {
  return r.kind === 'add'
    ? `add ${r.tags.map((t) => t.value).join('+')}: ${r.assets.join(',')}`
    : `remove ${r.tag.value}: ${r.assets.join(',')}`;
}

describe('tagWaves', () => {
  it('tags each photo once, with all its tags: one request per distinct tag set', () => {
    const waves = tagWaves([add('g1', ['a', 'b', 'c']), add('g2', ['d', 'e']), add('best', ['a', 'd']), add('non-best', ['b', 'c', 'e'])]);
    expect(waves.map((w) => w.map(line))).toEqual([['add best+g1: a', 'add best+g2: d', 'add g1+non-best: b,c', 'add g2+non-best: e']]);
  });

  it('gives each removal of a photo a wave of its own, and its additions the wave after', () => {
    // The new best pick of a review: b loses non-best and gains best; a the other way round;
    // c (ungrouped) loses two tags.
    const waves = tagWaves([
      remove('best', ['a']),
      remove('non-best', ['b', 'c']),
      remove('g1', ['c']),
      add('best', ['b']),
      add('non-best', ['a']),
    ]);
    expect(waves.map((w) => w.map(line))).toEqual([
      ['remove best: a', 'remove g1: c', 'remove non-best: b'],
      ['remove non-best: c', 'add best: b', 'add non-best: a'],
    ]);
  });

  it('never names a photo twice in one wave', () => {
    const changes = [remove('x', ['a', 'b']), remove('y', ['a']), remove('z', ['a', 'c']), add('p', ['a', 'b', 'c']), add('q', ['b'])];
    const waves = tagWaves(changes);
    expect(waves).toHaveLength(4);
    for (const wave of waves) {
      const named = wave.flatMap((r) => r.assets);
      expect(new Set(named).size).toBe(named.length);
    }
    // Every change is made exactly once.
    const made = waves
      .flat()
      .flatMap((r) =>
        r.kind === 'add' ? r.tags.flatMap((t) => r.assets.map((a) => `+${t.value}:${a}`)) : r.assets.map((a) => `-${r.tag.value}:${a}`),
      );
    const asked = changes.flatMap((c) => c.assets.map((a) => `${c.kind === 'add' ? '+' : '-'}${c.tag.value}:${a}`));
    expect(made.sort()).toEqual(asked.sort());
  });

  it('has nothing to do for no changes', () => {
    expect(tagWaves([])).toEqual([]);
  });
});
