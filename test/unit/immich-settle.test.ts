import { describe, expect, it } from 'vitest';
import { awaitReextraction, readStamps } from '../../src/immich/actions/settle.js';
import type { ImmichClient } from '../../src/immich/client.js';
import { ImmichHttpError } from '../../src/immich/errors.js';

/** A client whose assets' updatedAt follow a script: asset → stamps answered in turn (null: gone). */
function scripted(script: Record<string, (string | null)[]>): ImmichClient {
  const reads = new Map<string, number>();
  return {
    assetStamp: async (id: string) => {
      const n = reads.get(id) ?? 0;
      reads.set(id, n + 1);
      const list = script[id]!;
      const stamp = list[Math.min(n, list.length - 1)]!;
      if (stamp === null) throw new ImmichHttpError(400, 'GET', `/api/assets/${id}`, ['Not found or no asset.read access'], null);
      return { id, updatedAt: stamp };
    },
  } as unknown as ImmichClient;
}

const FAST = { timeoutMs: 2_000, pollMs: 1, quietMs: 50 };

describe('settling after a tag change', () => {
  it('waits until each photo has been re-read by the server (its updatedAt moved)', async () => {
    const client = scripted({ a: ['t0', 't0', 't0', 't1'], b: ['t0', 't2'] });
    const before = await readStamps(client, ['a', 'b']);
    expect(await awaitReextraction(client, before, new Set(), FAST)).toEqual({ unsettled: [] });
  });

  it('gives up after the time limit and names the photos still waiting', async () => {
    const client = scripted({ a: ['t0'], b: ['t0', 't1'] });
    const before = await readStamps(client, ['a', 'b']);
    expect(await awaitReextraction(client, before, new Set(), { ...FAST, timeoutMs: 30 })).toEqual({ unsettled: ['a'] });
  });

  it('lets a photo the answer could not confirm settle after a quiet while, and one deleted meanwhile at once', async () => {
    const client = scripted({ a: ['t0'], gone: ['t0', null] });
    const before = await readStamps(client, ['a', 'gone']);
    expect(before.size).toBe(2);
    expect(await awaitReextraction(client, before, new Set(['a']), FAST)).toEqual({ unsettled: [] });
  });
});
