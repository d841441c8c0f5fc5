/**
 * What can go wrong talking to Immich, as typed errors with messages fit for a person. The API
 * key never appears in any of them: messages carry the method, the path and the server's words.
 */

/** Base of every Immich failure. */
export class ImmichError extends Error {
  override readonly name: string = 'ImmichError';
}

/** The server answered with an error status. */
export class ImmichHttpError extends ImmichError {
  override readonly name = 'ImmichHttpError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    /** The server's explanation: its message, then one line per validation error. */
    readonly details: readonly string[],
    /** From a Retry-After header, in ms, when the server sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(httpMessage(status, method, path, details));
  }
}

/** The request never got an answer: refused, reset, timed out, or TLS failed. */
export class ImmichConnectionError extends ImmichError {
  override readonly name = 'ImmichConnectionError';
  constructor(
    readonly method: string,
    readonly path: string,
    /** Node's error code (ECONNREFUSED, UND_ERR_SOCKET, DEPTH_ZERO_SELF_SIGNED_CERT, TIMEOUT…). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The server answered 2xx with a body that does not have the shape this version relies on. */
export class ImmichResponseError extends ImmichError {
  override readonly name = 'ImmichResponseError';
}

/** The server runs an API major version this build does not speak. */
export class ImmichVersionError extends ImmichError {
  override readonly name = 'ImmichVersionError';
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** API-key permissions each endpoint family needs, for 403 hints (Immich scopes). */
const PERMISSION_HINTS: readonly (readonly [prefix: string, scopes: string])[] = [
  ['/api/duplicates', 'duplicate.read'],
  ['/api/people', 'person.read'],
  ['/api/faces', 'face.read'],
  ['/api/search', 'asset.read'],
  ['/api/tags', 'tag.read, tag.create, tag.asset and tag.delete'],
  ['/api/albums', 'album.read, album.create, albumAsset.create and albumAsset.delete'],
  ['/api/stacks', 'stack.read, stack.create and stack.delete'],
  ['/api/assets', 'asset.read, asset.update and asset.view (or asset.download)'],
];

function httpMessage(status: number, method: string, path: string, details: readonly string[]): string {
  const head = `Immich said ${status} ${STATUS_TEXT[status] ?? 'Error'} for ${method} ${path}`;
  const extra = [...details];
  if (status === 401) extra.push('check --immich-api-key or the IMMICH_API_KEY environment variable');
  if (status === 403) {
    const hint = PERMISSION_HINTS.find(([prefix]) => path.startsWith(prefix));
    extra.push(`the API key lacks a permission${hint ? ` (this needs ${hint[1]})` : ''}`);
  }
  return extra.length > 0 ? `${head}: ${extra.join('; ')}` : head;
}

/**
 * The server's explanation from an error body: `message` (a string or a list), then each
 * validation error as `path: message` (v3 answers `{message: 'Validation failed', errors: [...]}`).
 */
export function errorDetails(body: unknown): string[] {
  if (typeof body === 'string') return body.trim() === '' ? [] : [body.trim().slice(0, 300)];
  if (typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  const out: string[] = [];
  const message = record['message'];
  if (typeof message === 'string') out.push(message);
  else if (Array.isArray(message)) out.push(...message.filter((m): m is string => typeof m === 'string'));
  const errors = record['errors'];
  if (Array.isArray(errors)) {
    for (const e of errors) {
      if (typeof e !== 'object' || e === null) continue;
      const item = e as Record<string, unknown>;
      const where = Array.isArray(item['path']) ? item['path'].map(String).join('.') : '';
      const what = typeof item['message'] === 'string' ? item['message'] : JSON.stringify(item);
      out.push(where === '' ? what : `${where}: ${what}`);
    }
  }
  return out;
}

/** TLS failure codes that mean "the certificate is not trusted", for the --no-verify-ssl hint. */
export const UNTRUSTED_CERTIFICATE = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);
