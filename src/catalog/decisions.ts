/**
 * The review decisions in the catalog: an append-only log per scope (a folder run's photos, or
 * one Immich server's assets), replayed on each run's groups by core/decisions.ts. Undo removes
 * the newest entry. Rows are validated when read, so a hand-edited catalog cannot smuggle in a
 * malformed decision.
 */
import { z } from 'zod';
import { type LoggedDecision, memberSet, type UserDecision } from '../core/decisions.js';
import { asPhotoId } from '../core/types.js';
import type { Db } from './database.js';

/** Scope of the decisions on a folder run's photos (item ids). */
export const LOCAL_SCOPE = 'local';

/** Scope of the decisions on an Immich server's assets (item ids). */
export function immichScope(server: string): string {
  return `immich:${server}`;
}

const id = z.int().positive().transform(asPhotoId);
const set = z.array(id).min(1);
const DecisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('pick'), group: set, photo: id }),
  z.object({ kind: z.literal('exclude'), group: set, photo: id }),
  z.object({ kind: z.literal('split'), group: set, part: set }),
  z.object({ kind: z.literal('merge'), group: set, other: set }),
  z.object({ kind: z.literal('keep'), group: set, photo: id, keep: z.boolean() }),
]);

export interface StoredDecision extends LoggedDecision {
  readonly createdAt: string;
}

interface Row {
  id: number;
  kind: string;
  data: string;
  created_at: string;
}

/** Appends a decision (member sets stored canonical); returns its id. */
export function saveDecision(db: Db, scope: string, decision: UserDecision, now: Date): number {
  const { kind, ...data } = canonical(decision);
  const info = db
    .prepare('INSERT INTO decisions (scope, kind, data, created_at) VALUES (?, ?, ?, ?)')
    .run(scope, kind, JSON.stringify(data), now.toISOString());
  return Number(info.lastInsertRowid);
}

/** The scope's decisions, oldest first. Throws when a row is not a decision (a broken catalog). */
export function loadDecisions(db: Db, scope: string): StoredDecision[] {
  return db.prepare<[string], Row>('SELECT id, kind, data, created_at FROM decisions WHERE scope = ? ORDER BY id').all(scope).map(toStored);
}

/** Removes the scope's newest decision and returns it; null when there is none. */
export function removeLastDecision(db: Db, scope: string): StoredDecision | null {
  return db.transaction(() => {
    const row = db
      .prepare<[string], Row>('SELECT id, kind, data, created_at FROM decisions WHERE scope = ? ORDER BY id DESC LIMIT 1')
      .get(scope);
    if (row === undefined) return null;
    db.prepare('DELETE FROM decisions WHERE id = ?').run(row.id);
    return toStored(row);
  })();
}

function toStored(r: Row): StoredDecision {
  let value: unknown;
  try {
    value = { ...(JSON.parse(r.data) as object), kind: r.kind };
  } catch {
    value = null;
  }
  const parsed = DecisionSchema.safeParse(value);
  if (!parsed.success)
    throw new Error(
      `The catalog holds a malformed review decision (row ${r.id}, ${r.kind}): ${parsed.error.issues[0]?.message ?? 'not JSON'}`,
    );
  return { id: r.id, decision: canonical(parsed.data), createdAt: r.created_at };
}

function canonical(d: UserDecision): UserDecision {
  switch (d.kind) {
    case 'pick':
    case 'exclude':
      return { kind: d.kind, group: memberSet(d.group), photo: d.photo };
    case 'split':
      return { kind: 'split', group: memberSet(d.group), part: memberSet(d.part) };
    case 'merge':
      return { kind: 'merge', group: memberSet(d.group), other: memberSet(d.other) };
    case 'keep':
      return { kind: 'keep', group: memberSet(d.group), photo: d.photo, keep: d.keep };
  }
}
