/**
 * Action planning on hand-built states: what the groups call for, minus what the server has,
 * plus removing only what this tool's journal says it put there; undo; settling pending entries.
 */
import { describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/catalog/immich-journal.js';
import { type ActionFlags, type ActionGroup, desiredState, FACE_SWAP_TAG, HDR_TAG, planActions } from '../../src/immich/actions/plan.js';
import { renderOperation } from '../../src/immich/actions/render.js';
import { ownedFromJournal, resolvePending, type ServerState, type TagState } from '../../src/immich/actions/state.js';
import { planUndo } from '../../src/immich/actions/undo.js';

const NONE: ActionFlags = { tags: false, albums: false, favorite: false, archive: false, stack: false };
const groups: ActionGroup[] = [
  { number: 1, best: 'a2', members: ['a1', 'a2', 'a3'], albumName: 'Organized-2024-01-01-0001', person: null },
  { number: 2, best: 'b1', members: ['b1', 'b2'], albumName: 'Organized-2024-01-02-0002', person: null },
];
const scope = new Set(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);

function server(partial: Partial<ServerState> = {}): ServerState {
  return { tags: new Map(), albums: new Map(), favorites: new Set(), archived: new Set(), stacks: [], ...partial };
}

function tags(entries: Record<string, [string, string[]]>): Map<string, TagState> {
  return new Map(Object.entries(entries).map(([value, [id, assets]]) => [value, { id, assets: new Set(assets) }]));
}

let nextId = 1;
function entry(partial: Partial<JournalEntry> & Pick<JournalEntry, 'op'>): JournalEntry {
  return { id: nextId++, runId: 1, target: '', entityId: null, assets: [], state: 'done', message: null, ...partial };
}

const owned0 = ownedFromJournal([]);

describe('desiredState', () => {
  it('tags the best photo of a group whose folder holds an HDR merge or a face swap, with the seed’s tags', () => {
    const modified = [
      { ...groups[0]!, faceSwapped: true },
      { ...groups[1]!, hdrMerged: true },
    ];
    const tagged = desiredState(modified, { ...NONE, tags: true }).tags;
    expect(FACE_SWAP_TAG).toBe('photo-organizer/modified/face-swapped');
    expect(tagged.get(FACE_SWAP_TAG)).toEqual(['a2']);
    expect(tagged.get(HDR_TAG)).toEqual(['b1']);
    expect(desiredState(groups, { ...NONE, tags: true }).tags.has(FACE_SWAP_TAG)).toBe(false);
  });
});

describe('planActions', () => {
  it('plans tags for an empty server: parents created by name, one tag call per value', () => {
    const plan = planActions({ groups, flags: { ...NONE, tags: true }, scope, server: server(), owned: owned0 });
    expect(plan.operations).toEqual([
      {
        kind: 'create-tags',
        values: [
          'photo-organizer',
          'photo-organizer/best',
          'photo-organizer/group-0001',
          'photo-organizer/group-0002',
          'photo-organizer/non-best',
        ],
      },
      { kind: 'add-tag', value: 'photo-organizer/group-0001', tagId: null, assets: ['a1', 'a2', 'a3'] },
      { kind: 'add-tag', value: 'photo-organizer/group-0002', tagId: null, assets: ['b1', 'b2'] },
      { kind: 'add-tag', value: 'photo-organizer/best', tagId: null, assets: ['a2', 'b1'] },
      { kind: 'add-tag', value: 'photo-organizer/non-best', tagId: null, assets: ['a1', 'a3', 'b2'] },
    ]);
  });

  it('favourites the keepers marked in review and never archives them', () => {
    const withKeeper = groups.map((g) => (g.number === 1 ? { ...g, keepers: ['a3'] } : g));
    const plan = planActions({
      groups: withKeeper,
      flags: { ...NONE, favorite: true, archive: true },
      scope,
      server: server(),
      owned: owned0,
    });
    expect(plan.operations).toEqual([
      { kind: 'favorite', assets: ['a2', 'b1', 'a3'] },
      { kind: 'archive', assets: ['a1', 'b2'] },
    ]);
  });

  it('plans nothing when the server already has it all', () => {
    const state = server({
      tags: tags({
        'photo-organizer': ['t0', []],
        'photo-organizer/best': ['t1', ['a2', 'b1']],
        'photo-organizer/non-best': ['t2', ['a1', 'a3', 'b2']],
        'photo-organizer/group-0001': ['t3', ['a1', 'a2', 'a3']],
        'photo-organizer/group-0002': ['t4', ['b1', 'b2']],
      }),
      favorites: new Set(['a2', 'b1']),
      archived: new Set(['a1', 'a3', 'b2']),
      stacks: [
        { id: 's1', primary: 'a2', assets: ['a2', 'a1', 'a3'] },
        { id: 's2', primary: 'b1', assets: ['b2', 'b1'] },
      ],
      albums: new Map([
        ['al1', { id: 'al1', name: 'Organized-2024-01-01-0001', assets: new Set(['a1', 'a2', 'a3']) }],
        ['al2', { id: 'al2', name: 'Organized-2024-01-02-0002', assets: new Set(['b1', 'b2']) }],
      ]),
    });
    const all = { tags: true, albums: true, favorite: true, archive: true, stack: true };
    expect(planActions({ groups, flags: all, scope, server: state, owned: owned0 }).operations).toEqual([]);
  });

  it('removes stale changes only where this tool made them, and only on photos of this run', () => {
    const owned = ownedFromJournal([
      entry({ op: 'add-tag', target: 'photo-organizer/best', entityId: 't1', assets: ['a1', 'x9'] }),
      entry({ op: 'favorite', assets: ['a1', 'x9'] }),
      entry({ op: 'archive', assets: ['a2'] }),
    ]);
    const state = server({
      tags: tags({ 'photo-organizer/best': ['t1', ['a1', 'a2', 'b1', 'c1', 'x9']] }),
      favorites: new Set(['a1', 'c1', 'x9']),
      archived: new Set(['a2']),
    });
    const plan = planActions({ groups, flags: { ...NONE, tags: true, favorite: true, archive: true }, scope, server: state, owned });
    const kinds = plan.operations.map((o) => ('assets' in o ? `${o.kind} ${o.assets.join(',')}` : o.kind));
    // a1 stopped being best: its tag and favourite (ours) go; c1's (a user's) and x9's (not in
    // this run) stay. a2 is now the best: it comes out of the archive this tool put it in.
    expect(kinds).toEqual([
      'remove-tag a1',
      'unfavorite a1',
      'unarchive a2',
      'create-tags',
      'add-tag a1,a2,a3',
      'add-tag b1,b2',
      'add-tag a1,a3,b2',
      'favorite a2,b1',
      'archive a1,a3,b2',
    ]);
  });

  it('reuses an album of the same name and adds only what is missing', () => {
    const state = server({ albums: new Map([['al1', { id: 'al1', name: 'Organized-2024-01-01-0001', assets: new Set(['a1']) }]]) });
    const plan = planActions({ groups, flags: { ...NONE, albums: true }, scope, server: state, owned: owned0 });
    expect(plan.operations).toEqual([
      { kind: 'add-album', name: 'Organized-2024-01-01-0001', albumId: 'al1', assets: ['a2', 'a3'] },
      { kind: 'create-album', name: 'Organized-2024-01-02-0002', assets: ['b1', 'b2'] },
    ]);
  });

  it('stacks each group with its best photo as the cover, and never takes a photo from a stack it did not make', () => {
    const state = server({ stacks: [{ id: 'user', primary: 'b2', assets: ['b2', 'c1'] }] });
    const plan = planActions({ groups, flags: { ...NONE, stack: true }, scope, server: state, owned: owned0 });
    expect(plan.operations).toEqual([{ kind: 'create-stack', assets: ['a2', 'a1', 'a3'] }]);
    expect(plan.notices[0]).toMatch(/not stacking 2 photos \(cover b1\): 1 of them already belong to a stack this tool did not make/);
  });

  it('replaces its own stale stack', () => {
    const owned = ownedFromJournal([entry({ op: 'create-stack', entityId: 'old', assets: ['a1', 'a2'] })]);
    const state = server({ stacks: [{ id: 'old', primary: 'a1', assets: ['a1', 'a2'] }] });
    const plan = planActions({ groups, flags: { ...NONE, stack: true }, scope, server: state, owned });
    expect(plan.operations.map((o) => o.kind)).toEqual(['delete-stack', 'create-stack', 'create-stack']);
  });

  it('renders each change as one line naming every photo and the request', () => {
    const name = (id: string): string => `${id}.jpg`;
    expect(renderOperation({ kind: 'add-tag', value: 'photo-organizer/best', tagId: 't', assets: ['a2', 'b1'] }, name)).toBe(
      'tag 2 photos photo-organizer/best: a2.jpg, b1.jpg  [PUT /api/tags/assets]',
    );
    expect(renderOperation({ kind: 'archive', assets: ['a1'] }, name)).toBe(
      'archive 1 photo: a1.jpg  [PUT /api/assets visibility=archive]',
    );
  });
});

describe('undo', () => {
  it('untags its photos, then deletes what it created when nothing else is in it, and otherwise removes only its own', () => {
    const owned = ownedFromJournal([
      entry({ op: 'create-tag', target: 'photo-organizer', entityId: 't0' }),
      entry({ op: 'create-tag', target: 'photo-organizer/best', entityId: 't1' }),
      entry({ op: 'add-tag', target: 'photo-organizer/best', entityId: 't1', assets: ['a2'] }),
      entry({ op: 'add-tag', target: 'photo-organizer/group-0001', entityId: 't3', assets: ['a1'] }),
      entry({ op: 'create-album', target: 'A', entityId: 'al1', assets: ['a1', 'a2'] }),
      entry({ op: 'favorite', assets: ['a2'] }),
      entry({ op: 'unfavorite', assets: ['a2'] }),
      entry({ op: 'archive', assets: ['a1'] }),
    ]);
    const state = server({
      tags: tags({
        'photo-organizer': ['t0', []],
        'photo-organizer/best': ['t1', ['a2']],
        'photo-organizer/group-0001': ['t3', ['a1', 'u1']],
      }),
      albums: new Map([['al1', { id: 'al1', name: 'A', assets: new Set(['a1', 'a2', 'u2']) }]]),
      archived: new Set(['a1']),
      favorites: new Set(['a2']),
    });
    expect(planUndo(owned, state)).toEqual([
      { kind: 'remove-album', name: 'A', albumId: 'al1', assets: ['a1', 'a2'] },
      // Untagged first, so the server rewrites the sidecars; a tag deleted while on photos comes back.
      { kind: 'remove-tag', value: 'photo-organizer/best', tagId: 't1', assets: ['a2'] },
      { kind: 'delete-tag', value: 'photo-organizer/best', tagId: 't1' },
      { kind: 'remove-tag', value: 'photo-organizer/group-0001', tagId: 't3', assets: ['a1'] },
      { kind: 'unarchive', assets: ['a1'] },
    ]);
  });
});

describe('undo of a tag that came back', () => {
  it('untags and deletes a tag it had deleted that a sidecar brought back, not one whose children stay', () => {
    const owned = ownedFromJournal([
      entry({ op: 'create-tag', target: 'photo-organizer', entityId: 't0' }),
      entry({ op: 'create-tag', target: 'photo-organizer/best', entityId: 't1' }),
      entry({ op: 'delete-tag', target: 'photo-organizer/best', entityId: 't1' }),
      entry({ op: 'delete-tag', target: 'photo-organizer', entityId: 't0' }),
    ]);
    expect([...owned.deletedTags].sort()).toEqual(['photo-organizer', 'photo-organizer/best']);
    const state = server({
      tags: tags({ 'photo-organizer': ['n0', []], 'photo-organizer/best': ['n1', ['a2']], 'photo-organizer/keep-me': ['u1', []] }),
    });
    expect(planUndo(owned, state)).toEqual([
      { kind: 'remove-tag', value: 'photo-organizer/best', tagId: 'n1', assets: ['a2'] },
      { kind: 'delete-tag', value: 'photo-organizer/best', tagId: 'n1' },
    ]);
  });
});

describe('pending journal entries', () => {
  it('count as done exactly when their effect is visible on the server', () => {
    const journal = [
      entry({ op: 'create-album', target: 'A', state: 'pending', assets: ['a1'] }),
      entry({ op: 'create-album', target: 'B', state: 'pending', assets: ['b1'] }),
      entry({ op: 'add-tag', target: 'photo-organizer/best', entityId: 't1', state: 'pending', assets: ['a1', 'a2'] }),
      entry({ op: 'archive', state: 'pending', assets: ['a3'] }),
    ];
    const state = server({
      albums: new Map([['al1', { id: 'al1', name: 'A', assets: new Set(['a1']) }]]),
      tags: tags({ 'photo-organizer/best': ['t1', ['a2']] }),
    });
    const verdicts = resolvePending(journal, state);
    expect(verdicts.map((v) => [v.state, v.entityId, v.assets])).toEqual([
      ['done', 'al1', ['a1']],
      ['failed', null, []],
      ['done', 't1', ['a2']],
      ['failed', null, []],
    ]);
  });
});
