/**
 * --enable-bidir-sync: between two cycles, what the user changed on the server in what this tool
 * set (immich/actions/user-changes.ts) is read and handled by --conflict-strategy:
 * `remote_wins` records it as a review decision (a pick, or the photo taken out of its group),
 * so every later cycle keeps it; `local_wins` runs a cycle, which puts this tool's choice back;
 * `manual` says it once and keeps it in the catalog (catalog/conflicts.ts) for the report and the
 * review page, where deciding records the decision; until then every cycle leaves it as the user
 * left it (immich/actions/hold.ts).
 */
import { loadConflicts, replaceConflicts, type SyncConflict } from '../catalog/conflicts.js';
import { openDatabase } from '../catalog/database.js';
import { immichScope, loadDecisions, saveDecision } from '../catalog/decisions.js';
import { loadJournal } from '../catalog/immich-journal.js';
import { assetFileNames, loadItems } from '../catalog/items.js';
import { latestRun, loadGroups } from '../catalog/runs.js';
import { applyDecisions, memberSet, type UserDecision } from '../core/decisions.js';
import type { PhotoId } from '../core/types.js';
import { ownedFromJournal } from '../immich/actions/state.js';
import { holdOf } from '../immich/actions/hold.js';
import { type OrganizedGroup, type UserChange, userChanges, waitingStackChanges } from '../immich/actions/user-changes.js';
import type { ImmichClient } from '../immich/client.js';
import { readServerState } from '../immich/read.js';
import { groupFolderName } from '../output/plan.js';
import type { ImmichRunOptions } from './options.js';
import type { ChangeFeed } from './watch.js';

export interface SyncResult {
  /** Changes that call for a cycle (recorded decisions to apply, or this tool's choice to put back). */
  readonly changes: number;
  /** One line per change found, for the terminal. */
  readonly lines: readonly string[];
}

const NOTHING: SyncResult = { changes: 0, lines: [] };

/** Finds the user's changes and handles them by the options' --conflict-strategy. */
export async function syncUserChanges(catalog: string, client: ImmichClient, options: ImmichRunOptions): Promise<SyncResult> {
  const db = openDatabase(catalog);
  try {
    const run = latestRun(db);
    if (run === null || run.stage !== 'done') return NOTHING;
    const server = client.baseUrl;
    const scope = immichScope(server);
    const owned = ownedFromJournal(loadJournal(db, server));
    if (owned.stacks.size === 0 && owned.favorited.size === 0 && owned.albumAdds.size === 0) return NOTHING;
    // What the review page may change while the server is read (another process, same catalog).
    const decisions = loadDecisions(db, scope);
    const conflictsRead = loadConflicts(db, scope);
    const reviewState = (d: readonly { id: number }[], c: readonly SyncConflict[]): string => JSON.stringify([d.map((x) => x.id), c]);
    const readAt = reviewState(decisions, conflictsRead);
    // The groups as they stand: the last cycle's, with the decisions so far replayed.
    const groups = applyDecisions(loadGroups(db, run.id), decisions).groups;
    const ids = [...new Set(groups.flatMap((g) => g.members.map((m) => m.photoId)))];
    const assetOf = new Map(loadItems(db, ids).map((i) => [i.id, typeof i.key === 'string' ? i.key : i.key.toString('utf8')]));
    const photoOf = new Map([...assetOf].map(([photo, asset]) => [asset, photo]));
    const organized: OrganizedGroup[] = groups.map((g) => ({
      members: g.members.map((m) => assetOf.get(m.photoId)!),
      best: assetOf.get(g.members.find((m) => m.isBest)?.photoId ?? g.members[0]!.photoId)!,
    }));
    const flags = { stack: options.stack, favorite: options.markBestFavorite, albums: options.createAlbums };
    const state = await readServerState(client, {
      tagValues: new Set(),
      albumNames: new Set(),
      albumIds: new Set(flags.albums ? owned.albumAdds.keys() : []),
      stacks: flags.stack && owned.stacks.size > 0,
      flagsOf: new Set(flags.favorite ? organized.flatMap((g) => g.members) : []),
      knownFlags: new Map(),
    });
    const found = userChanges(organized, owned, state, flags);
    const names = assetFileNames(db, server);
    const name = (asset: string): string => names.get(asset) ?? asset;
    const describe = (c: UserChange): string => {
      const folder = groupFolderName(groups[c.group]!.number);
      switch (c.kind) {
        case 'cover':
          return `${folder}: you made ${name(c.asset)} the stack cover (was ${name(c.was)})`;
        case 'favorite':
          return `${folder}: you made ${name(c.asset)} the favourite (was ${name(c.was)})`;
        case 'unstacked':
          return `${folder}: you took ${name(c.asset)} out of its stack`;
        case 'unalbumed':
          return `${folder}: you took ${name(c.asset)} out of its album`;
      }
    };
    if (options.conflictStrategy === 'local_wins') {
      return { changes: found.length, lines: found.map((c) => `${describe(c)}; putting this tool's choice back (local_wins)`) };
    }
    if (options.conflictStrategy === 'manual') {
      // Found now, and those held since that the journal no longer tells apart (waitingStackChanges).
      const waiting = conflictsRead.flatMap((c) => holdOf(c, (p) => assetOf.get(p)) ?? []);
      const keyOf = (c: UserChange): string => `${c.kind === 'cover' || c.kind === 'favorite' ? c.kind : 'out'}|${c.asset}`;
      const seen = new Set(found.map(keyOf));
      const open = [...found, ...waitingStackChanges(organized, waiting, state, flags).filter((c) => !seen.has(keyOf(c)))];
      // Kept in the catalog for the report and the review page; said once, when first found.
      const conflicts = open.map((c) => ({
        members: groups[c.group]!.members.map((m) => m.photoId),
        kind: c.kind,
        photo: photoOf.get(c.asset)!,
        was: c.kind === 'cover' || c.kind === 'favorite' ? (photoOf.get(c.was) ?? null) : null,
      }));
      const conflictKey = (c: { kind: string; photo: PhotoId }): string => `${c.kind}|${c.photo}`;
      // Found against the groups and conflicts read above: if a decision on the review page came in
      // since, writing them would bring back a conflict it settled; the next poll looks again.
      const replaced = db
        .transaction(() =>
          reviewState(loadDecisions(db, scope), loadConflicts(db, scope)) === readAt
            ? replaceConflicts(db, scope, conflicts, new Date())
            : null,
        )
        .immediate();
      if (replaced === null) return NOTHING;
      const fresh = new Set(replaced.map(conflictKey));
      // Those decided on the review page for this tool's choice: a cycle puts it back.
      const mine = new Set(
        loadConflicts(db, scope)
          .filter((c) => c.toolWins)
          .map(conflictKey),
      );
      const changeKey = (c: UserChange): string => conflictKey({ kind: c.kind, photo: photoOf.get(c.asset)! });
      const back = open.filter((c) => mine.has(changeKey(c)));
      const lines = [
        ...open.filter((c) => fresh.has(changeKey(c))).map((c) => `${describe(c)}; left for you to decide in review (manual)`),
        ...back.map((c) => `${describe(c)}; putting this tool's choice back (decided in review)`),
      ];
      return { changes: back.length, lines };
    }
    // remote_wins: each change becomes the decision the review page would make.
    const sets = new Map<number, PhotoId[]>(groups.map((g, i) => [i, g.members.map((m) => m.photoId)]));
    const now = new Date();
    for (const c of found) {
      const set = sets.get(c.group)!;
      const photo = photoOf.get(c.asset)!;
      const decision: UserDecision =
        c.kind === 'cover' || c.kind === 'favorite'
          ? { kind: 'pick', group: memberSet(set), photo }
          : { kind: 'exclude', group: memberSet(set), photo };
      saveDecision(db, scope, decision, now);
      if (decision.kind === 'exclude')
        sets.set(
          c.group,
          set.filter((p) => p !== photo),
        );
    }
    return { changes: found.length, lines: found.map((c) => `${describe(c)}; kept as your decision (remote_wins)`) };
  } finally {
    db.close();
  }
}

/** A change feed that also counts the user's changes on the server (see syncUserChanges). */
export function withUserChanges(inner: ChangeFeed, sync: () => Promise<SyncResult>, say: (line: string) => void): ChangeFeed {
  return {
    async next(ms, signal) {
      const changes = await inner.next(ms, signal);
      if (signal.aborted) return changes;
      const synced = await sync();
      for (const line of synced.lines) say(line);
      return changes + synced.changes;
    },
    close: () => inner.close(),
  };
}
