/**
 * Apply, then make sure it stuck: Immich finishes tag changes in background jobs that can undo
 * them (settle.ts), so after applying, the state is read again until two reads a moment apart
 * agree, planned once more, and whatever is still missing is applied again — a few rounds at
 * most. What remains after the last round is what would not stick, one line per change.
 */
import type { Operation } from './plan.js';
import { sleep } from './settle.js';

export interface VerifyOptions {
  /** Applications after the first one (default 2). */
  readonly extraRounds: number;
  /** Between two reads of the state that must agree, in ms (default 1 s). */
  readonly stableMs: number;
  /** Longest wait for two agreeing reads per round, in ms (default 30 s). */
  readonly timeoutMs: number;
}

export const DEFAULT_VERIFY: VerifyOptions = { extraRounds: 2, stableMs: 1_000, timeoutMs: 30_000 };

export interface RoundResult {
  /** Photo-level changes made. */
  readonly applied: number;
  /** One line per operation that failed. */
  readonly failures: readonly string[];
  readonly aborted: boolean;
}

export interface VerifyLoop {
  apply(ops: readonly Operation[]): Promise<RoundResult>;
  /** Reads the server afresh and plans what is still to do (empty: everything is there). */
  replan(): Promise<readonly Operation[]>;
  /** The same change always renders the same line: reads are compared through it. */
  render(op: Operation): string;
  readonly signal?: AbortSignal;
}

export interface VerifiedResult extends RoundResult {
  /** Changes still missing after the last round (empty = verified). */
  readonly missing: readonly Operation[];
  /** Applications after the first one that were needed. */
  readonly reapplied: number;
  /** False when the reads never agreed within the time limit (then `missing` is the last read). */
  readonly stable: boolean;
}

export async function applyAndVerify(
  first: readonly Operation[],
  loop: VerifyLoop,
  options: VerifyOptions = DEFAULT_VERIFY,
): Promise<VerifiedResult> {
  let applied = 0;
  const failures: string[] = [];
  let ops = first;
  let reapplied = 0;
  for (let round = 0; ; round++) {
    const result = await loop.apply(ops);
    applied += result.applied;
    failures.push(...result.failures);
    if (result.aborted) return { applied, failures, aborted: true, missing: [], reapplied, stable: false };
    const { missing, stable } = await stableReplan(loop, options);
    if (missing.length === 0 || round >= options.extraRounds || loop.signal?.aborted === true) {
      return { applied, failures, aborted: loop.signal?.aborted === true, missing, reapplied, stable };
    }
    ops = missing;
    reapplied++;
  }
}

/** Plans until two plans `stableMs` apart agree, or the time is up (then the last one). */
async function stableReplan(loop: VerifyLoop, options: VerifyOptions): Promise<{ missing: readonly Operation[]; stable: boolean }> {
  const started = Date.now();
  let last = await loop.replan();
  for (;;) {
    if (Date.now() - started >= options.timeoutMs || loop.signal?.aborted === true) return { missing: last, stable: false };
    await sleep(options.stableMs, loop.signal);
    const next = await loop.replan();
    if (sameLines(last.map(loop.render), next.map(loop.render))) return { missing: next, stable: true };
    last = next;
  }
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}
