/**
 * Serving a clip to the review page's <video>: the file itself, in the byte ranges the browser
 * asks for (HTTP Range, one range per request), so it can read the container's index and seek
 * without downloading the clip first. The file comes from the run's source by photo id (the
 * server never takes a path from a request) and is held open until the answer is sent.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
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
