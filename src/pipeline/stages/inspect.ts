/**
 * Inspect + fingerprint stage: every photo of the run without a cached fingerprint or error
 * goes through the worker pool; results are stored in small transactions as they arrive, so a
 * killed run keeps nearly all finished work.
 */
import type { Db } from '../../catalog/database.js';
import { type InspectedPhoto, pendingPhotos, saveErrors, saveInspected } from '../../catalog/photos.js';
import { displayPath } from '../../core/paths.js';
import type { FsPath, PhotoId } from '../../core/types.js';
import { InspectPool } from '../pool.js';
import type { ProgressSink } from '../progress.js';

export interface InspectStageResult {
  readonly inspected: number;
  readonly failed: number;
  /** Photos whose fingerprint came from the catalog instead of a decode. */
  readonly cached: number;
}

const FLUSH_EVERY = 32;
const FLUSH_MS = 500;

export async function inspectStage(
  db: Db,
  runId: number,
  totalPhotos: number,
  threads: number,
  sink: ProgressSink,
  signal?: AbortSignal,
): Promise<InspectStageResult> {
  const pending = pendingPhotos(db, runId);
  const cached = totalPhotos - pending.length;
  if (pending.length === 0) return { inspected: 0, failed: 0, cached };
  const paths = new Map<PhotoId, FsPath>(pending.map((p) => [p.id, p.path]));
  sink.start('inspect', pending.length);
  let ok: InspectedPhoto[] = [];
  let bad: { id: PhotoId; stage: string; message: string }[] = [];
  let lastFlush = Date.now();
  let done = 0;
  let failed = 0;
  const flush = (): void => {
    if (ok.length > 0) saveInspected(db, ok);
    if (bad.length > 0) saveErrors(db, bad);
    ok = [];
    bad = [];
    lastFlush = Date.now();
  };
  const pool = new InspectPool(threads);
  try {
    await pool.runAll(
      pending,
      (id, outcome) => {
        if (outcome.ok) {
          ok.push({ id, meta: outcome.meta, fingerprint: outcome.fingerprint });
        } else {
          failed++;
          bad.push({ id, stage: outcome.stage, message: outcome.message });
          sink.note('problem', `${displayPath(paths.get(id) ?? '?')}: ${outcome.message}`);
        }
        done++;
        sink.update(done);
        if (ok.length + bad.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) flush();
      },
      signal,
    );
  } finally {
    flush();
    await pool.close();
    sink.finish();
  }
  return { inspected: done - failed, failed, cached };
}
