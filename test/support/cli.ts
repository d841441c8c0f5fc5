/** Runs the built CLI (bin/photo-organizer.js) as a user would, in a child process. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'photo-organizer.js');
const FREEZE_HOOK = join(import.meta.dirname, 'freeze-hook.js');
const FROZEN_MARK = '[test hook] frozen';

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /**
   * Kill the process with SIGKILL at the moment it prints a line matching `line` (or `delayMs`
   * later): the CLI stops itself there (test/support/freeze-hook.js) until the kill arrives.
   */
  readonly killAt?: { readonly line: RegExp; readonly delayMs?: number };
  readonly env?: NodeJS.ProcessEnv;
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const { killAt } = options;
    const freeze = killAt ? { PO_TEST_FREEZE_ON: killAt.line.source, PO_TEST_FREEZE_DELAY_MS: String(killAt.delayMs ?? 0) } : {};
    const child = spawn(process.execPath, [...(killAt ? ['--import', FREEZE_HOOK] : []), BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env, ...freeze },
    });
    outputOf(child, (_, stderr) => {
      if (killAt && stderr.includes(FROZEN_MARK)) child.kill('SIGKILL');
    }).then(resolve, reject);
  });
}

/**
 * Everything a child prints, with how it ended; `onData` sees the output so far after each chunk.
 * The child must have been spawned with piped stdout and stderr.
 */
export function outputOf(child: ChildProcess, onData?: (stdout: string, stderr: string) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      onData?.(stdout, stderr);
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      onData?.(stdout, stderr);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** What a long-running child (a --watch run) has printed so far, and a wait for a line of it. */
export class OutputFollower {
  private text = '';

  constructor(private readonly pollMs = 100) {}

  /** Collects `child`'s stdout from now on (give it as the run's onSpawn). */
  readonly follow = (child: ChildProcess): void => {
    child.stdout?.on('data', (d: Buffer) => {
      this.text += d.toString();
    });
  };

  output(): string {
    return this.text;
  }

  /** The first line matching `pattern` printed after the first `from` characters; throws after `ms`. */
  async until(pattern: RegExp, from = 0, ms = 60_000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const line = this.text
        .slice(from)
        .split('\n')
        .find((l) => pattern.test(l));
      if (line !== undefined) return line;
      if (Date.now() - t0 > ms) throw new Error(`no ${pattern} in:\n${this.text}`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
}
