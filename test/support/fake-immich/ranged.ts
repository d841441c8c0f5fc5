/**
 * Bytes sent the way Immich sends a file (Express's sendFile, the `send` module): HEAD without
 * the body, one `Range` honoured with 206 and Content-Range, a range past the end answered 404
 * (Immich's answer to send's 416), any other Range header (several ranges, another unit) ignored.
 */
import type { ServerResponse } from 'node:http';

/** Sends `bytes` for the request of `res`; answers the status sent. */
export function sendRanged(res: ServerResponse, bytes: Buffer, headers: Record<string, string>): number {
  const size = bytes.length;
  const m = /^bytes=(\d*)-(\d*)$/.exec(res.req.headers.range ?? '');
  let [start, end] = [0, size - 1];
  let status = 200;
  if (m !== null && (m[1] !== '' || m[2] !== '')) {
    [start, end] =
      m[1] === ''
        ? [Math.max(0, size - Number(m[2])), size - 1]
        : [Number(m[1]), m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)];
    // send's 416 is an error to Immich's sendFile, which answers every error with 404.
    if (start >= size || end < start) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: 'Not Found', statusCode: 404 }));
      return 404;
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${size}`;
  }
  res.writeHead(status, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(end - start + 1) });
  res.end(res.req.method === 'HEAD' ? undefined : bytes.subarray(start, end + 1));
  return status;
}
