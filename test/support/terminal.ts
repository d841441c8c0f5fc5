/**
 * Drives the real CLI in a real terminal: a detached tmux session of fixed size on a socket of
 * its own (so parallel tests never meet), keys sent with `send-keys`, the screen read with
 * `capture-pane`. Waits poll the screen until the text shows up, never sleep a fixed time.
 * The program runs under bash, which prints `[exit N]` when it ends.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { BIN } from './cli.js';

export interface TerminalOptions {
  readonly cwd: string;
  /** The whole environment of the program (tmux's server starts with it); PATH and HOME are added. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cols?: number;
  readonly rows?: number;
}

let sessions = 0;

export class Terminal {
  private closed = false;
  /** The socket's file, removed on close (tmux leaves it behind). */
  private readonly socketPath: string;

  private constructor(private readonly socket: string) {
    this.socketPath = this.tmux('display-message', '-p', '#{socket_path}').trim();
  }

  /** Starts `photo-organizer <args>` in a new terminal. */
  static start(args: readonly string[], options: TerminalOptions): Terminal {
    const socket = `po-test-${process.pid}-${++sessions}-${Date.now().toString(36)}`;
    const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LANG: 'C.UTF-8',
      ...options.env,
    };
    execFileSync(
      'tmux',
      [
        '-L',
        socket,
        '-f',
        '/dev/null',
        'new-session',
        '-d',
        '-x',
        String(options.cols ?? 120),
        '-y',
        String(options.rows ?? 50),
        '-c',
        options.cwd,
        `bash --norc --noprofile -c ${shellQuote(`${command}; echo "[exit $?]"; sleep 3600`)}`,
      ],
      { env },
    );
    return new Terminal(socket);
  }

  /** Everything printed so far (scrollback included), lines joined where the terminal wrapped them. */
  screen(): string {
    return this.tmux('capture-pane', '-p', '-J', '-S', '-', '-E', '-', '-t', '0');
  }

  /** Waits until the screen matches; throws with the screen when it does not within `timeoutMs`. */
  async waitFor(pattern: RegExp | string | ((screen: string) => boolean), timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (typeof pattern === 'string' ? screen.includes(pattern) : typeof pattern === 'function' ? pattern(screen) : pattern.test(screen))
        return screen;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${String(pattern)}; the screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
  }

  /**
   * Waits until `message` is the question being asked: the last question line on the screen is
   * `? message` (answered ones turn into `✔ message answer`).
   */
  question(message: string, timeoutMs?: number): Promise<string> {
    return this.waitFor((screen) => {
      const asked = screen.split('\n').filter((line) => /^[?✔] /.test(line));
      return asked.at(-1)?.startsWith(`? ${message}`) === true;
    }, timeoutMs);
  }

  /** Answers the question `message` with `text` (Enter alone keeps the default) and waits until it is taken. */
  async answer(message: string, text = ''): Promise<void> {
    await this.question(message);
    const before = answered(this.screen(), message);
    if (text !== '') this.type(text);
    this.press('Enter');
    await this.waitFor((screen) => answered(screen, message) > before);
  }

  /** Picks choice number `n` (1-based, as shown) of the list question `message`. */
  async choose(message: string, n: number): Promise<void> {
    await this.question(message);
    const before = answered(this.screen(), message);
    this.type(String(n));
    await this.waitFor(new RegExp(`❯ ${n}\\. `));
    this.press('Enter');
    await this.waitFor((screen) => answered(screen, message) > before);
  }

  /** Types into a hidden question (which leaves no answered line behind) and waits for it to go. */
  async secret(message: string, text: string): Promise<void> {
    await this.question(message);
    this.type(text);
    this.press('Enter');
    await this.waitFor((screen) => !screen.split('\n').some((line) => line.startsWith(`? ${message}`)));
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', '0', '-l', text);
  }

  /** tmux key names: Enter, C-c, BSpace, Down… */
  press(...keys: string[]): void {
    this.tmux('send-keys', '-t', '0', ...keys);
  }

  /** Waits for the program to end; its exit code. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const screen = await this.waitFor(/\[exit \d+\]/, timeoutMs);
    return Number(/\[exit (\d+)\]/.exec(screen)![1]);
  }

  /** Ends the terminal and everything in it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
    if (this.socketPath !== '') rmSync(this.socketPath, { force: true });
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }
}

/** How many times `message` was answered so far. */
function answered(screen: string, message: string): number {
  return screen.split('\n').filter((line) => line.startsWith(`✔ ${message}`)).length;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
