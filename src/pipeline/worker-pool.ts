/**
 * What the worker pools share: the piscina settings. Tasks are fed to a pool by `runBounded`
 * (core/concurrency.ts), a few per thread, so memory stays flat however many photos wait.
 */
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';

/**
 * A pool of up to `threads` workers running `file` (next to this module in dist/), `minThreads`
 * started at once, each thread's V8 heap bounded by `limits` when given.
 */
export function workerPool<T, R>(file: string, threads: number, minThreads = threads, limits?: ResourceLimits): Piscina<T, R> {
  return new Piscina<T, R>({
    ...(limits ? { resourceLimits: limits } : {}),
    execArgv: WORKER_EXEC_ARGV,
    filename: workerUrl(file).href,
    minThreads,
    maxThreads: threads,
    // Tasks wait in our bounded loop, not in an unbounded pool queue.
    maxQueue: threads * 2,
    idleTimeout: 1000,
  });
}

/**
 * Piscina loads a worker with require() first. Node 20.19+ then loads our ES module synchronously
 * (require(esm)), and a pool closed while a worker is still in that load (a run stopped by Ctrl+C
 * early in a stage) kills the whole process with a V8 fatal error. Without require(esm), piscina
 * falls back to import(), which a closing worker abandons safely.
 */
const WORKER_EXEC_ARGV = [
  ...process.execArgv,
  ...(process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : []),
];

/**
 * The worker's compiled file. Tests that import the TypeScript sources still run workers from
 * the build (`npm test` builds first): a worker thread cannot load a .ts file.
 */
function workerUrl(file: string): URL {
  return import.meta.url.endsWith('.ts') ? new URL(`../../dist/pipeline/${file}`, import.meta.url) : new URL(file, import.meta.url);
}
