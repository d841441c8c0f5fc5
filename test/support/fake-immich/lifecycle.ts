/**
 * Test lifecycle for the fake server: seeds it once per file from the small generated library,
 * and closes whatever server a test started when the test ends.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll } from 'vitest';
import { buildLibrary } from '../library.js';
import { type SeedAsset, seedFromLibrary } from './seed.js';
import { type FakeImmich, type FakeImmichOptions, startFakeImmich } from './server.js';

export interface FakeImmichFixture {
  /** The assets seeded from the library (available from beforeAll on). */
  seeds(): SeedAsset[];
  /** Starts a fresh fake server for this test (closed after it). */
  server(options?: FakeImmichOptions, seedList?: readonly SeedAsset[]): Promise<FakeImmich>;
}

export function useFakeImmich(defaults: FakeImmichOptions = {}): FakeImmichFixture {
  let seeds: SeedAsset[] = [];
  let fake: FakeImmich | null = null;
  beforeAll(async () => {
    const base = mkdtempSync(join(tmpdir(), 'po-immich-lib-'));
    seeds = await seedFromLibrary(await buildLibrary(join(base, 'Photos'), { variant: 'small' }));
  });
  afterEach(async () => {
    await fake?.close();
    fake = null;
  });
  return {
    seeds: () => seeds,
    server: async (options = {}, seedList = seeds) => {
      fake = await startFakeImmich(seedList, { ...defaults, ...options });
      return fake;
    },
  };
}
