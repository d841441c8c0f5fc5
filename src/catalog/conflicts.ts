/**
 * Conflicts left for the user (--conflict-strategy manual): a change the user made on the server
 * to what this tool set in a group — a stack cover or favourite moved, a photo taken out of a
 * stack or album. Each names the group by its member set (as review marks do). On the review page,
 * keeping the user's change records a decision and drops the group's conflicts; keeping this
 * tool's choice marks them, and the next watch poll runs a cycle that puts it back.
 */
import { z } from 'zod';
import { memberSet, setKey } from '../core/decisions.js';
import { asPhotoId, type PhotoId } from '../core/types.js';
import type { Db } from './database.js';

export const CONFLICT_KINDS = ['cover', 'favorite', 'unstacked', 'unalbumed'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export interface SyncConflict {
  /** The group's photos when the change was found. */
  readonly members: readonly PhotoId[];
  readonly kind: ConflictKind;
  /** The photo the user made the cover or favourite, or took out. */
  readonly photo: PhotoId;
  /** This tool's pick that the user replaced (cover, favourite); null otherwise. */
  readonly was: PhotoId | null;
  /** ISO time the change was first found. */
  readonly foundAt: string;
  /** Decided on the review page for this tool's choice: the next cycle puts it back on the server. */
  readonly toolWins: boolean;
}

const RowSchema = z.object({
  members: z.string(),
  kind: z.enum(CONFLICT_KINDS),
  photo_id: z.int().positive(),
  was_id: z.int().positive().nullable(),
  found_at: z.string(),
  tool_wins: z.union([z.literal(0), z.literal(1)]),
});

/** The scope's conflicts, oldest first. */
export function loadConflicts(db: Db, scope: string): SyncConflict[] {
  return db
    .prepare<[string], unknown>(
      'SELECT members, kind, photo_id, was_id, found_at, tool_wins FROM sync_conflicts WHERE scope = ? ORDER BY found_at, rowid',
    )
    .all(scope)
    .map((raw) => {
      const r = RowSchema.parse(raw);
      return {
        members: r.members.split(',').map((n) => asPhotoId(Number(n))),
        kind: r.kind,
        photo: asPhotoId(r.photo_id),
        was: r.was_id === null ? null : asPhotoId(r.was_id),
        foundAt: r.found_at,
        toolWins: r.tool_wins === 1,
      };
    });
}

/**
 * Replaces the scope's conflicts with those found now: one the user undid on the server goes, one
 * still there keeps the time it was first found and its decision. Returns the ones new since the last call.
 */
export function replaceConflicts(
  db: Db,
  scope: string,
  found: readonly Omit<SyncConflict, 'foundAt' | 'toolWins'>[],
  now: Date,
): SyncConflict[] {
  // By kind and photo, not group: a group a new frame joined keeps its conflicts (under its new members).
  const keyOf = (c: Pick<SyncConflict, 'kind' | 'photo'>): string => `${c.kind}|${c.photo}`;
  const insert = db.prepare(
    'INSERT INTO sync_conflicts (scope, members, kind, photo_id, was_id, found_at, tool_wins) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const fresh: SyncConflict[] = [];
  db.transaction(() => {
    // Read inside the transaction: a decision the review page made meanwhile is kept.
    const before = new Map(loadConflicts(db, scope).map((c) => [keyOf(c), c]));
    db.prepare('DELETE FROM sync_conflicts WHERE scope = ?').run(scope);
    const seen = new Set<string>();
    for (const c of found) {
      const key = keyOf(c);
      if (seen.has(key)) continue;
      seen.add(key);
      const earlier = before.get(key);
      const kept = {
        ...c,
        members: memberSet(c.members),
        foundAt: earlier?.foundAt ?? now.toISOString(),
        toolWins: earlier?.toolWins ?? false,
      };
      if (earlier === undefined) fresh.push(kept);
      insert.run(scope, setKey(kept.members), kept.kind, kept.photo, kept.was, kept.foundAt, kept.toolWins ? 1 : 0);
    }
  })();
  return fresh;
}

/** Drops the conflicts of the group of these photos (the user's change kept as a decision). */
export function dropConflicts(db: Db, scope: string, members: readonly PhotoId[]): void {
  db.prepare('DELETE FROM sync_conflicts WHERE scope = ? AND members = ?').run(scope, setKey(members));
}

/** Marks the conflicts of the group of these photos decided for this tool's choice. */
export function keepToolChoice(db: Db, scope: string, members: readonly PhotoId[]): void {
  db.prepare('UPDATE sync_conflicts SET tool_wins = 1 WHERE scope = ? AND members = ?').run(scope, setKey(members));
}

/**
 * Moves each conflict onto the group that holds its photo now (the one sharing most photos with
 * the group it was found on), so a group a new frame joined keeps its conflicts in this cycle's
 * report and on the review page before the watch's next poll finds them again.
 */
export function regroupConflicts(db: Db, scope: string, groups: readonly (readonly PhotoId[])[]): void {
  const move = db.prepare('UPDATE sync_conflicts SET members = ? WHERE scope = ? AND members = ? AND kind = ? AND photo_id = ?');
  const conflicts = loadConflicts(db, scope);
  db.transaction(() => {
    for (const c of conflicts) {
      const was = new Set(c.members);
      const overlap = (g: readonly PhotoId[]): number => g.filter((p) => was.has(p)).length;
      const home = groups
        .filter((g) => g.includes(c.photo))
        .reduce<readonly PhotoId[] | null>((best, g) => (best === null || overlap(g) > overlap(best) ? g : best), null);
      if (home === null || setKey(home) === setKey(c.members)) continue;
      move.run(setKey(home), scope, setKey(c.members), c.kind, c.photo);
    }
  })();
}
