/**
 * --conflict-strategy manual holds the user's changes waiting for a decision: the plan leaves the
 * contested cover, favourite, stack or album membership as the user left it and still does the
 * rest; a stack change the journal no longer shows is still found on the server.
 */
import { describe, expect, it } from 'vitest';
import { holdDesired, holdOf } from '../../src/immich/actions/hold.js';
import { type ActionFlags, type ActionGroup, desiredState, planActions } from '../../src/immich/actions/plan.js';
import { ownedFromJournal, type ServerState } from '../../src/immich/actions/state.js';
import { waitingStackChanges } from '../../src/immich/actions/user-changes.js';

const FLAGS: ActionFlags = { tags: true, albums: true, favorite: true, archive: false, stack: true };
const burst: ActionGroup = { number: 1, best: 'a', members: ['a', 'b', 'c'], albumName: 'Burst', person: null };
const other: ActionGroup = { number: 2, best: 'x', members: ['x', 'y'], albumName: 'Other', person: null };

function server(over: Partial<ServerState> = {}): ServerState {
  return { tags: new Map(), albums: new Map(), favorites: new Set(), archived: new Set(), stacks: [], ...over };
}

describe('holdDesired', () => {
  it('changes nothing without holds', () => {
    const want = desiredState([burst, other], FLAGS);
    expect(holdDesired(want, [])).toBe(want);
  });

  it('keeps the user’s cover on top, the photo taken out of the stack and album, and this tool’s pick unfavourited', () => {
    const want = desiredState([{ ...burst, members: ['a', 'b', 'c', 'd'] }, other], FLAGS);
    const held = holdDesired(want, [
      { kind: 'cover', asset: 'b', was: 'a' },
      { kind: 'unstacked', asset: 'c' },
      { kind: 'unalbumed', asset: 'd' },
      { kind: 'favorite', asset: 'y', was: 'x' },
    ]);
    expect(held.stacks).toEqual([
      ['b', 'a', 'd'],
      ['x', 'y'],
    ]);
    expect(held.albums.get('Burst')).toEqual(['a', 'b', 'c']);
    expect(held.favorites).toEqual(['a']);
    // Tags are not contested: the new frame and the tool's best keep theirs.
    expect(held.tags).toEqual(want.tags);
  });

  it('leaves a group unstacked when only one photo would be left, and no album when none would be', () => {
    const held = holdDesired(desiredState([other], FLAGS), [
      { kind: 'unstacked', asset: 'y' },
      { kind: 'unalbumed', asset: 'x' },
      { kind: 'unalbumed', asset: 'y' },
    ]);
    expect(held.stacks).toEqual([]);
    expect(held.albums.has('Other')).toBe(false);
  });
});

describe('planActions with a held cover', () => {
  const owned = ownedFromJournal([
    { id: 1, runId: 1, op: 'create-stack', target: 'a', entityId: 's1', assets: ['a', 'b', 'c'], state: 'done', message: null },
  ]);
  const scope = new Set(['a', 'b', 'c', 'd']);
  const flags: ActionFlags = { ...FLAGS, tags: false, albums: false, favorite: false };

  it('plans nothing for a stack the user gave another cover', () => {
    const live = server({ stacks: [{ id: 's1', primary: 'b', assets: ['b', 'a', 'c'] }] });
    const plan = planActions({ groups: [burst], flags, scope, server: live, owned, holds: [{ kind: 'cover', asset: 'b', was: 'a' }] });
    expect(plan.operations).toEqual([]);
    // Without the hold, this tool's cover comes back.
    expect(planActions({ groups: [burst], flags, scope, server: live, owned }).operations.map((o) => o.kind)).toEqual([
      'delete-stack',
      'create-stack',
    ]);
  });

  it('leaves a cover the user moved since, seen in the plan’s own read, unless decided for this tool in review', () => {
    const live = server({ stacks: [{ id: 's1', primary: 'b', assets: ['b', 'a', 'c'] }] });
    const keep = (except: string[]) => ({ keepUserChanges: { except: new Set(except) } });
    expect(planActions({ groups: [burst], flags, scope, server: live, owned, ...keep([]) }).operations).toEqual([]);
    expect(planActions({ groups: [burst], flags, scope, server: live, owned, ...keep(['cover|b']) }).operations.map((o) => o.kind)).toEqual(
      ['delete-stack', 'create-stack'],
    );
  });

  it('stacks a new frame of the burst under the user’s cover', () => {
    const live = server({ stacks: [{ id: 's1', primary: 'b', assets: ['b', 'a', 'c'] }] });
    const grown = { ...burst, members: ['a', 'b', 'c', 'd'] };
    const plan = planActions({ groups: [grown], flags, scope, server: live, owned, holds: [{ kind: 'cover', asset: 'b', was: 'a' }] });
    expect(plan.operations).toEqual([
      { kind: 'delete-stack', stackId: 's1', assets: ['a', 'b', 'c'] },
      { kind: 'create-stack', assets: ['b', 'a', 'c', 'd'] },
    ]);
  });
});

describe('waitingStackChanges', () => {
  const groups = [{ members: ['a', 'b', 'c', 'd'], best: 'a' }];
  const flags = { stack: true, favorite: false, albums: false };

  it('finds a held cover and a photo kept out while the server still shows them', () => {
    const live = server({ stacks: [{ id: 's2', primary: 'b', assets: ['b', 'a', 'd'] }] });
    const waiting = [
      { kind: 'cover', asset: 'b', was: 'a' },
      { kind: 'unstacked', asset: 'c' },
    ] as const;
    expect(waitingStackChanges(groups, waiting, live, flags)).toEqual([
      { kind: 'cover', group: 0, asset: 'b', was: 'a' },
      { kind: 'unstacked', group: 0, asset: 'c' },
    ]);
    expect(waitingStackChanges(groups, waiting, live, { ...flags, stack: false })).toEqual([]);
  });

  it('lets go of what the user undid, and of a cover once this tool picks it too', () => {
    const undone = server({ stacks: [{ id: 's2', primary: 'a', assets: ['a', 'b', 'c', 'd'] }] });
    const waiting = [
      { kind: 'cover', asset: 'b', was: 'a' },
      { kind: 'unstacked', asset: 'c' },
    ] as const;
    expect(waitingStackChanges(groups, waiting, undone, flags)).toEqual([]);
    const moved = server({ stacks: [{ id: 's2', primary: 'b', assets: ['b', 'a', 'c', 'd'] }] });
    expect(waitingStackChanges([{ ...groups[0]!, best: 'b' }], [waiting[0]], moved, flags)).toEqual([]);
    // A better frame picked since: still contested, against the new pick.
    expect(waitingStackChanges([{ ...groups[0]!, best: 'd' }], [waiting[0]], moved, flags)).toEqual([
      { kind: 'cover', group: 0, asset: 'b', was: 'd' },
    ]);
  });
});

describe('holdOf', () => {
  const assets = new Map([
    [1, 'a'],
    [2, 'b'],
  ]);
  it('names a conflict’s photos by their assets, and drops one whose photo is gone', () => {
    expect(holdOf({ kind: 'cover', photo: 2, was: 1 }, (p) => assets.get(p))).toEqual({ kind: 'cover', asset: 'b', was: 'a' });
    expect(holdOf({ kind: 'favorite', photo: 2, was: 9 }, (p) => assets.get(p))).toEqual({ kind: 'favorite', asset: 'b', was: null });
    expect(holdOf({ kind: 'unalbumed', photo: 1, was: null }, (p) => assets.get(p))).toEqual({ kind: 'unalbumed', asset: 'a' });
    expect(holdOf({ kind: 'unstacked', photo: 9, was: null }, (p) => assets.get(p))).toBeNull();
  });
});
