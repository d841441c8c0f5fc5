import { describe, expect, it } from 'vitest';
import type { Owned, ServerState } from '../../src/immich/actions/state.js';
import { type SyncFlags, userChanges } from '../../src/immich/actions/user-changes.js';

const ALL: SyncFlags = { stack: true, favorite: true, albums: true };

function owned(over: Partial<Owned> = {}): Owned {
  return {
    createdTags: new Map(),
    tagged: new Map(),
    deletedTags: new Set(),
    createdAlbums: new Map(),
    albumAdds: new Map(),
    favorited: new Set(),
    archived: new Set(),
    stacks: new Map(),
    ...over,
  };
}

function server(over: Partial<ServerState> = {}): ServerState {
  return { tags: new Map(), albums: new Map(), favorites: new Set(), archived: new Set(), stacks: [], ...over };
}

const group = { members: ['a', 'b', 'c', 'd'], best: 'a' };
const ourStack = owned({ stacks: new Map([['s1', { primary: 'a', assets: ['a', 'b', 'c', 'd'] }]]) });

describe('userChanges', () => {
  it('finds nothing when the server holds what this tool set', () => {
    const o = owned({ ...ourStack, favorited: new Set(['a']), albumAdds: new Map([['al', new Set(['a', 'b', 'c', 'd'])]]) });
    const s = server({
      stacks: [{ id: 's1', primary: 'a', assets: ['a', 'b', 'c', 'd'] }],
      favorites: new Set(['a']),
      albums: new Map([['al', { id: 'al', name: 'Organized-0001', assets: new Set(['a', 'b', 'c', 'd']) }]]),
    });
    expect(userChanges([group], o, s, ALL)).toEqual([]);
  });

  it('sees a stack cover moved to another photo of the group', () => {
    const s = server({ stacks: [{ id: 's1', primary: 'c', assets: ['c', 'a', 'b', 'd'] }] });
    expect(userChanges([group], ourStack, s, ALL)).toEqual([{ kind: 'cover', group: 0, asset: 'c', was: 'a' }]);
  });

  it('does not find the cover again once it is the group’s best (the decision was kept)', () => {
    const s = server({ stacks: [{ id: 's1', primary: 'c', assets: ['c', 'a', 'b', 'd'] }] });
    expect(userChanges([{ ...group, best: 'c' }], ourStack, s, ALL)).toEqual([]);
  });

  it('sees a photo taken out of the stack, and leaves a stack deleted as a whole alone', () => {
    const s = server({ stacks: [{ id: 's1', primary: 'a', assets: ['a', 'b', 'c'] }] });
    expect(userChanges([group], ourStack, s, ALL)).toEqual([{ kind: 'unstacked', group: 0, asset: 'd' }]);
    expect(userChanges([group], ourStack, server(), ALL)).toEqual([]);
  });

  it('sees the favourite moved from the best to another photo, not a favourite the user only added', () => {
    const o = owned({ favorited: new Set(['a']) });
    expect(userChanges([group], o, server({ favorites: new Set(['b']) }), ALL)).toEqual([
      { kind: 'favorite', group: 0, asset: 'b', was: 'a' },
    ]);
    expect(userChanges([group], o, server({ favorites: new Set(['a', 'b']) }), ALL)).toEqual([]);
    expect(userChanges([group], o, server({ favorites: new Set(['b']) }), { ...ALL, favorite: false })).toEqual([]);
  });

  it('sees a photo taken out of our album, once even when it also left the stack', () => {
    const o = owned({ ...ourStack, albumAdds: new Map([['al', new Set(['a', 'b', 'c', 'd'])]]) });
    const s = server({
      stacks: [{ id: 's1', primary: 'a', assets: ['a', 'c', 'd'] }],
      albums: new Map([['al', { id: 'al', name: 'Organized-0001', assets: new Set(['a', 'c', 'd']) }]]),
    });
    expect(userChanges([group], o, s, ALL)).toEqual([{ kind: 'unstacked', group: 0, asset: 'b' }]);
    expect(userChanges([group], o, s, { ...ALL, stack: false })).toEqual([{ kind: 'unalbumed', group: 0, asset: 'b', album: 'al' }]);
  });
});
