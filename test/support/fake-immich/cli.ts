/** Runs the built CLI against a fake Immich server, the API key passed the recommended way (env). */
import { type ChildProcess, spawn } from 'node:child_process';
import { BIN, type CliResult, outputOf } from '../cli.js';
import type { FakeImmich } from './server.js';

export interface ImmichCliOptions {
  /** Extra environment (IMMICH_API_KEY is set from the server unless given here). */
  readonly env?: NodeJS.ProcessEnv;
  /** Receives the child process, e.g. to kill it from a server hook. */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Folder to run in (default: the tests'). */
  readonly cwd?: string;
}

/**
 * `--source-type immich --immich-url <fake>` plus `args`. Face analysis is off unless `args` turn
 * it on (`--face-backend auto`): the tests that are not about faces need not wait for the models.
 */
export function runImmichCli(fake: FakeImmich, args: readonly string[], options: ImmichCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--source-type', 'immich', '--immich-url', fake.url, '--face-backend', 'none', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, IMMICH_API_KEY: fake.apiKey, ...options.env },
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    options.onSpawn?.(child);
    outputOf(child).then(resolve, reject);
  });
}
