/**
 * Runs the built CLI against the real server as one user (key in the environment, as the README
 * recommends), optionally through a recording proxy that can kill the run at a chosen request.
 * Every run is checked for the key leaking into its output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BIN, type CliResult, OutputFollower, outputOf } from '../../support/cli.js';
import type { ImmichUser } from './server.js';

export interface RealCliOptions {
  /** Address to give as --immich-url (a proxy's); default the server's. */
  readonly url?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onSpawn?: (child: ChildProcess) => void;
}

export function runRealCli(user: ImmichUser, args: readonly string[], options: RealCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [BIN, '--source-type', 'immich', '--immich-url', options.url ?? user.server.url, '--face-backend', 'none', ...args],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, IMMICH_API_KEY: user.apiKey, ...options.env },
      },
    );
    options.onSpawn?.(child);
    outputOf(child).then((result) => {
      // The key must never be printed, whatever happened.
      for (const key of [user.apiKey, user.server.adminKey]) {
        if (result.stdout.includes(key) || result.stderr.includes(key))
          return reject(new Error('An API key appeared in the output of photo-organizer'));
      }
      resolve(result);
    }, reject);
  });
}

export interface Proxy {
  readonly url: string;
  /** `METHOD /path` of every request passed on, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/**
 * A pass-through HTTP proxy to the server. `onRequest` sees each request before it is passed on
 * (the server still gets it: a run killed there leaves a change made but unconfirmed).
 */
export async function startProxy(target: string, onRequest: (line: string) => void): Promise<Proxy> {
  const seen: string[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const line = `${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://proxy').pathname}`;
    seen.push(line);
    onRequest(line);
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A `--watch` run of the CLI: its output so far, a wait for a line, and a SIGTERM that ends it. */
export interface WatchingCli {
  output(): string;
  /** The first line matching `pattern` printed after character `from` of the output; throws after `ms`. */
  until(pattern: RegExp, from?: number, ms?: number): Promise<string>;
  /** SIGTERM, then the run's result. */
  stop(): Promise<CliResult>;
}

export function watchRealCli(user: ImmichUser, args: readonly string[]): WatchingCli {
  let child: ChildProcess | null = null;
  const out = new OutputFollower(200);
  const ended = runRealCli(user, args, {
    onSpawn: (c) => {
      child = c;
      out.follow(c);
    },
  });
  return {
    output: () => out.output(),
    until: (pattern, from = 0, ms = 120_000) => out.until(pattern, from, ms),
    stop: () => {
      (child as ChildProcess | null)?.kill('SIGTERM');
      return ended;
    },
  };
}
