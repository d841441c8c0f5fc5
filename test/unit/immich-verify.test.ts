import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/immich/actions/plan.js';
import { applyAndVerify, type VerifyLoop } from '../../src/immich/actions/verify.js';

const FAST = { extraRounds: 2, stableMs: 1, timeoutMs: 1_000 };
const tagOp = (value: string, assets: string[]): Operation => ({ kind: 'add-tag', value, tagId: `id-${value}`, assets });

/** A loop over a scripted server: `plans` are what successive replans answer. */
function scripted(plans: Operation[][]): VerifyLoop & { applied: Operation[][] } {
  const applied: Operation[][] = [];
  let read = 0;
  return {
    applied,
    apply: async (ops) => {
      applied.push([...ops]);
      return { applied: ops.length, failures: [], aborted: false };
    },
    replan: async () => plans[Math.min(read++, plans.length - 1)]!,
    render: (op) => JSON.stringify(op),
  };
}

describe('applyAndVerify', () => {
  it('is verified when two reads agree that nothing is left', async () => {
    const loop = scripted([[]]);
    const result = await applyAndVerify([tagOp('best', ['a'])], loop, FAST);
    expect(result).toMatchObject({ missing: [], reapplied: 0, stable: true, applied: 1 });
    expect(loop.applied).toHaveLength(1);
  });

  it('waits until the reads stop changing before judging', async () => {
    // The server first shows everything, then its background job undoes one change.
    const lost = [tagOp('best', ['a'])];
    const loop = scripted([[], lost, lost, [], []]);
    const result = await applyAndVerify([tagOp('best', ['a'])], loop, FAST);
    expect(loop.applied).toEqual([[tagOp('best', ['a'])], lost]);
    expect(result).toMatchObject({ missing: [], reapplied: 1, stable: true, applied: 2 });
  });

  it('gives up after the extra rounds and says what would not stick', async () => {
    const lost = [tagOp('best', ['a'])];
    const loop = scripted([lost]);
    const result = await applyAndVerify(lost, loop, FAST);
    expect(loop.applied).toHaveLength(3);
    expect(result.missing).toEqual(lost);
    expect(result.reapplied).toBe(2);
  });

  it('reports reads that never agree as unstable, within the time limit', async () => {
    let n = 0;
    const loop: VerifyLoop = {
      apply: async () => ({ applied: 0, failures: [], aborted: false }),
      replan: async () => [tagOp(`t${n++}`, ['a'])],
      render: (op) => JSON.stringify(op),
    };
    const result = await applyAndVerify([], loop, { extraRounds: 0, stableMs: 5, timeoutMs: 40 });
    expect(result.stable).toBe(false);
    expect(result.missing).toHaveLength(1);
  });
});
