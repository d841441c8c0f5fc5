/**
 * The journal of every change this tool made on an Immich server (the assets themselves are
 * items: catalog/items.ts). It is written ahead: an entry is `pending` before its request leaves
 * and `done` or `failed` after, so a run killed in between leaves a trace that the next run
 * checks against the server instead of guessing. `--undo` reads what to take back from it.
 */
import type { JournalEntry, JournalOp, JournalStart, JournalState } from '../core/immich.js';
import type { Db } from './database.js';

export type { JournalEntry, JournalOp, JournalStart, JournalState } from '../core/immich.js';

/** Writes a pending entry before the request that makes the change leaves. */
export function journalBegin(db: Db, server: string, runId: number, start: JournalStart, now: Date): number {
  return Number(
    db
      .prepare(
        "INSERT INTO immich_journal (server, run_id, op, target, entity_id, assets, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
      )
      .run(server, runId, start.op, start.target, start.entityId, JSON.stringify(start.assets), now.toISOString()).lastInsertRowid,
  );
}

/** Settles an entry: done (with the entity id the server gave, if any) or failed (with why). */
export function journalFinish(
  db: Db,
  entryId: number,
  state: Exclude<JournalState, 'pending'>,
  details: { readonly entityId?: string | null; readonly message?: string | null; readonly assets?: readonly string[] },
  now: Date,
): void {
  db.prepare(
    `UPDATE immich_journal SET state = ?, entity_id = COALESCE(?, entity_id), message = ?, assets = COALESCE(?, assets), finished_at = ?
     WHERE id = ?`,
  ).run(
    state,
    details.entityId ?? null,
    details.message ?? null,
    details.assets === undefined ? null : JSON.stringify(details.assets),
    now.toISOString(),
    entryId,
  );
}

/** The journal of one server, oldest first. */
export function loadJournal(db: Db, server: string): JournalEntry[] {
  return db
    .prepare<
      [string],
      {
        id: number;
        run_id: number;
        op: JournalOp;
        target: string;
        entity_id: string | null;
        assets: string;
        state: JournalState;
        message: string | null;
      }
    >('SELECT id, run_id, op, target, entity_id, assets, state, message FROM immich_journal WHERE server = ? ORDER BY id')
    .all(server)
    .map((r) => ({
      id: r.id,
      runId: r.run_id,
      op: r.op,
      target: r.target,
      entityId: r.entity_id,
      assets: JSON.parse(r.assets) as string[],
      state: r.state,
      message: r.message,
    }));
}
