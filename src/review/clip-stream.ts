/**
 * Serving a clip to the review page's <video>: the file itself, in the byte ranges the browser
 * asks for (HTTP Range, one range per request), so it can read the container's index and seek
 * without downloading the clip first. The file comes from the run's source by photo id (the
 * server never takes a path from a request) and is held open until the answer is sent. A clip
 * of an Immich run is relayed from the server the same way, range by range, never held whole.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { baseName, displayPath } from '../core/paths.js';
import type { ImageSource } from './images.js';

/** A satisfiable byte range, both ends included. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The one range a `Range` header asks for out of `size` bytes: null when there is no header,
 * 'unsatisfiable' when it is malformed, asks for several ranges, or lies outside the file.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '') || size === 0) return 'unsatisfiable';
  if (m[1] === '') {
    // bytes=-N: the last N bytes.
    const n = Number(m[2]);
    return n === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || end < start ? 'unsatisfiable' : { start, end };
}

const CLIP_TYPES: Readonly<Record<string, string>> = {
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  mkv: 'video/x-matroska',
};

/** The media type browsers play a clip as, from its name. */
export function clipType(name: string): string {
  return CLIP_TYPES[name.slice(name.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** Answers a GET or HEAD for the clip: 200 whole, 206 one range, 416 a range it cannot give. */
export async function sendClip(
  req: IncomingMessage,
  res: ServerResponse,
  source: ImageSource,
  headers: Readonly<Record<string, string>>,
): Promise<void> {
  const { file, release } = await source.open();
  try {
    const { size } = await stat(file);
    const range = parseRange(req.headers.range, size);
    const common = {
      ...headers,
      'Content-Type': clipType(displayPath(baseName(file))),
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'private, max-age=31536000, immutable',
    };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...common, 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Range not satisfiable');
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    res.writeHead(range === null ? 200 : 206, {
      ...common,
      'Content-Length': String(Math.max(0, end - start + 1)),
      ...(range === null ? {} : { 'Content-Range': `bytes ${start}-${end}/${size}` }),
    });
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    // A browser drops a range it no longer wants (a seek): that ends the stream, not the server.
    await pipeline(createReadStream(file, { start, end }), res).catch(() => res.destroy());
  } finally {
    release();
  }
}

/** What a remote clip answered (a fetch Response, read as a stream). */
export interface RemoteAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * Asks the clip's server for `range` (one validated `bytes=` range, or null for all of it); ends
 * the request when `signal` aborts. Answers 200, 206 or 416; throws PictureUnavailableError else.
 */
export type PlayClip = (method: 'GET' | 'HEAD', range: string | null, signal: AbortSignal) => Promise<RemoteAnswer>;

/** The headers of a remote answer passed on to the browser as they came. */
const PASSED_ON = ['content-type', 'content-length', 'content-range'] as const;

/**
 * Answers a GET or HEAD for a clip held by a server: the browser's one range passed on (a
 * malformed or multiple one refused here with 416), the answer streamed back chunk by chunk with
 * its status and range headers, and the upstream request ended when the browser goes away.
 */
export async function sendRemoteClip(
  req: IncomingMessage,
  res: ServerResponse,
  play: PlayClip,
  headers: Readonly<Record<string, string>>,
): Promise<void> {
  const header = req.headers.range;
  // Any size: the server knows its file; this only checks the form of the header.
  const range = parseRange(header, Number.MAX_SAFE_INTEGER);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end('Range not satisfiable');
    return;
  }
  const gone = new AbortController();
  res.once('close', () => gone.abort());
  const answer = await play(req.method === 'HEAD' ? 'HEAD' : 'GET', range === null ? null : header!.trim(), gone.signal);
  const passed: Record<string, string> = {};
  for (const name of PASSED_ON) {
    const value = answer.headers.get(name);
    if (value !== null) passed[name] = value;
  }
  res.writeHead(answer.status, {
    ...headers,
    ...passed,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'private, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD' || answer.body === null) {
    await answer.body?.cancel();
    res.end();
    return;
  }
  // The browser drops a range it no longer wants (a seek): that ends both streams, not the server.
  await pipeline(Readable.fromWeb(answer.body as NodeReadableStream<Uint8Array>), res).catch(() => {
    gone.abort();
    res.destroy();
  });
}
