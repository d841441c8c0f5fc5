/**
 * Worker threads must not load their module through require(esm): a pool closed while a thread is
 * in that synchronous load (a run stopped by Ctrl+C early in a stage) aborts the whole process with
 * a V8 fatal error — seen in CI, reproduced about once in 300 start-and-close cycles on Node 20.20.
 * Too rare to provoke in a test; what is checked is that every pool's threads start without it.
 */
import { describe, expect, it } from 'vitest';
import { workerPool } from '../../src/pipeline/worker-pool.js';

// Node before 20.17 has no require(esm), and no flag to turn it off.
const hasRequireEsm = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module');

describe('workerPool', () => {
  it.skipIf(!hasRequireEsm)('starts its threads with require(esm) off, so piscina imports the worker asynchronously', async () => {
    const pool = workerPool('inspect-worker.js', 1, 0);
    try {
      expect(pool.options.execArgv).toContain('--no-experimental-require-module');
    } finally {
      await pool.destroy();
    }
  });
});
