/** Runs the built CLI (bin/photo-organizer.js) as a user would, in a child process. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'photo-organizer.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Kill the process with SIGKILL once its combined output matches, after `killDelayMs`. */
  readonly killWhen?: RegExp;
  readonly killDelayMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let armed = false;
    const check = (): void => {
      if (armed || !options.killWhen || !options.killWhen.test(stdout + stderr)) return;
      armed = true;
      setTimeout(() => child.kill('SIGKILL'), options.killDelayMs ?? 0);
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
