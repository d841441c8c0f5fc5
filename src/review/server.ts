/**
 * The review page's HTTP server (node:http), on 127.0.0.1 only. Every request must carry the
 * session's random token — in the address's `token` parameter (the printed URL) or in the
 * HttpOnly, SameSite=Strict cookie set on the first visit, which is how the page's own scripts,
 * API calls and images carry it — or it is refused with 403. The Host header must name this
 * server, so a web page elsewhere cannot reach it through DNS rebinding either.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asPhotoId } from '../core/types.js';
import { MediaError } from '../media/contract.js';
import { handleApi } from './api.js';
import { sendClip, sendRemoteClip } from './clip-stream.js';
import { IMAGE_VARIANTS, type ImageSource, type ImageVariant, photoImage } from './images.js';
import type { ReviewSession } from './session.js';
import { PictureUnavailableError } from './source.js';
import type { ThumbnailCache } from './thumbs.js';

/**
 * The page's files: src/review/client next to this module, copied to dist/review/client by the
 * build, so the same relative path works from the sources (tests) and from the package.
 */
export const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

export interface ReviewServerOptions {
  readonly session: ReviewSession;
  readonly thumbs: ThumbnailCache;
  /** 0 (default): any free port. */
  readonly port?: number;
  /** Default: 24 random bytes. */
  readonly token?: string;
  readonly clientDir?: string;
  /** An unexpected failure answered with 500, for the command to print. */
  readonly onError?: (error: unknown) => void;
}

export interface ReviewServer {
  /** The address to open, token included. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const STATIC_FILE = /^[a-z0-9-]+\.(js|css|svg)$/;
const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Starts the server; resolves once it listens. */
export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const clientDir = options.clientDir ?? CLIENT_DIR;
  let port = 0;
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'Internal error: see the terminal running photo-organizer review');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return forbidden(res, 'Wrong host');
    const cookieName = `po_review_${port}`;
    const fromQuery = url.searchParams.get('token');
    const fromCookie = cookieValue(req.headers.cookie, cookieName);
    const viaQuery = fromQuery !== null && same(fromQuery, token);
    if (!viaQuery && !(fromCookie !== null && same(fromCookie, token))) {
      return forbidden(res, 'Forbidden: open the address that photo-organizer review printed (it carries the access token)');
    }
    if (viaQuery && fromCookie !== token) {
      res.setHeader('Set-Cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    const path = url.pathname;
    if (path.startsWith('/api/')) return api(req, res, path.slice('/api/'.length), url.searchParams);
    const image = /^\/img\/(\d{1,12})\/([a-z]+)$/.exec(path);
    if (image !== null && req.method === 'GET') return picture(res, options.session.imageSource(asPhotoId(Number(image[1]))), image[2]!);
    // A clip plays from its own file (folder runs) or from its server (Immich runs).
    const clip = /^\/clip\/(\d{1,12})$/.exec(path);
    if (clip !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      const source = options.session.imageSource(asPhotoId(Number(clip[1])));
      if (source === null || (source.play === undefined && source.format !== 'video'))
        return send(res, 404, 'text/plain; charset=utf-8', 'No such clip in this run');
      const sent = source.play ? sendRemoteClip(req, res, source.play, SECURITY_HEADERS) : sendClip(req, res, source, SECURITY_HEADERS);
      return sent.catch((error: unknown) => {
        if (res.headersSent) throw error;
        if (isMissingFile(error) || error instanceof PictureUnavailableError)
          return send(res, 502, 'text/plain; charset=utf-8', `Cannot play this clip: ${(error as Error).message}`);
        throw error;
      });
    }
    // /made/7/view is the HDR merge (as before face swaps), /made/7/swap/view the face swap.
    const made = /^\/made\/(\d{1,9})\/(?:(hdr|swap)\/)?([a-z]+)$/.exec(path);
    if (made !== null && req.method === 'GET') {
      return picture(res, options.session.madeImage(Number(made[1]), made[2] === 'swap' ? 'swap' : 'hdr'), made[3]!);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Method not allowed');
    if (path === '/' || path === '/index.html') return file(res, 'index.html', 'html');
    const asset = /^\/static\/([^/]+)$/.exec(path);
    if (asset !== null && STATIC_FILE.test(asset[1]!)) return file(res, asset[1]!, asset[1]!.split('.').pop()!);
    return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
  }

  async function api(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    let body: unknown;
    if (req.method === 'POST') {
      // JSON only: a form posted from another site cannot send this content type without CORS.
      if (!/^application\/json\b/.test(req.headers['content-type'] ?? '')) return json(res, 415, { error: 'Expected a JSON body' });
      const text = await readBody(req);
      if (text === null) return json(res, 413, { error: `Request body over ${MAX_BODY} bytes` });
      try {
        body = text === '' ? {} : JSON.parse(text);
      } catch {
        return json(res, 400, { error: 'The body is not JSON' });
      }
    }
    const answer = await handleApi(options.session, { method: req.method ?? 'GET', path, query, body });
    return json(res, answer.status, answer.body);
  }

  async function picture(res: ServerResponse, source: ImageSource | null, variant: string): Promise<void> {
    if (!(IMAGE_VARIANTS as readonly string[]).includes(variant)) return send(res, 404, 'text/plain; charset=utf-8', 'No such image size');
    if (source === null) return send(res, 404, 'text/plain; charset=utf-8', 'No such picture in this run');
    try {
      const image = await photoImage(options.thumbs, source, variant as ImageVariant);
      // The page asks with ?v=<file version>: a changed file gets a new address.
      send(res, 200, image.type, image.bytes, { 'Cache-Control': 'private, max-age=31536000, immutable' });
    } catch (error) {
      if (error instanceof MediaError || isMissingFile(error))
        return send(res, 422, 'text/plain; charset=utf-8', `Cannot show this photo: ${(error as Error).message}`);
      if (error instanceof PictureUnavailableError)
        return send(res, 502, 'text/plain; charset=utf-8', `Cannot show this photo: ${error.message}`);
      throw error;
    }
  }

  async function file(res: ServerResponse, name: string, ext: string): Promise<void> {
    const bytes = await readFile(join(clientDir, name));
    send(res, 200, TYPES[ext] ?? 'application/octet-stream', bytes, { 'Cache-Control': 'no-cache' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

function forbidden(res: ServerResponse, message: string): void {
  send(res, 403, 'text/plain; charset=utf-8', message);
}

/** The body as text, or null when it is larger than MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response times. */
function same(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'EACCES');
}
