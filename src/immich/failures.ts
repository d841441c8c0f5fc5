/**
 * What a failed request to Immich becomes: an ImmichHttpError with the server's own words, or an
 * ImmichConnectionError whose message says what to do (a timeout, an untrusted certificate, a
 * server out of reach).
 */
import { errorDetails, ImmichConnectionError, ImmichError, ImmichHttpError, UNTRUSTED_CERTIFICATE } from './errors.js';

export interface FailureContext {
  /** The run's signal: a failure after it fired is a cancel, whatever the cause says. */
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly baseUrl: string;
}

/** The ImmichError a failed `method path` request becomes. */
export async function translateFailure(error: unknown, method: string, path: string, ctx: FailureContext): Promise<ImmichError> {
  if (error instanceof ImmichError) return error;
  if (isHttpFailure(error)) {
    // Routes answered as text (204 ones) or as blobs (pictures) carry their JSON error unparsed.
    const body =
      error.data instanceof Blob ? await blobBody(error.data) : typeof error.data === 'string' ? parseMaybe(error.data) : error.data;
    return new ImmichHttpError(error.status, method, path, errorDetails(body), retryAfter(error.headers));
  }
  const code = failureCode(error, ctx.signal);
  const where = `${method} ${path}`;
  if (code === 'ABORTED') return new ImmichConnectionError(method, path, code, `Cancelled: ${where}`);
  if (code === 'TIMEOUT')
    return new ImmichConnectionError(
      method,
      path,
      code,
      `Immich did not answer ${where} within ${ctx.timeoutMs < 10_000 ? (ctx.timeoutMs / 1000).toFixed(1) : Math.round(ctx.timeoutMs / 1000)} s`,
    );
  if (UNTRUSTED_CERTIFICATE.has(code)) {
    return new ImmichConnectionError(
      method,
      path,
      code,
      `The TLS certificate of ${ctx.baseUrl} is not trusted (${code}); if you trust this server, run again with --no-verify-ssl`,
    );
  }
  return new ImmichConnectionError(method, path, code, `Could not reach Immich at ${ctx.baseUrl} for ${where}: ${code}`);
}

interface HttpFailure {
  readonly status: number;
  readonly data?: unknown;
  readonly headers?: Headers;
}

/** oazapfts' HttpError, recognised by shape (the SDK's isHttpError needs its own class instance). */
function isHttpFailure(error: unknown): error is HttpFailure {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

async function blobBody(blob: Blob): Promise<unknown> {
  return parseMaybe(await blob.text().catch(() => ''));
}

export function parseMaybe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Retry-After in ms (seconds or an HTTP date), null without one. */
function retryAfter(headers: Headers | undefined): number | null {
  const value = headers?.get('retry-after');
  if (value === null || value === undefined) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** The most specific code in a fetch failure's cause chain (else its deepest message). */
function failureCode(error: unknown, runSignal: AbortSignal | undefined): string {
  if (runSignal?.aborted === true) return 'ABORTED';
  let current: unknown = error;
  let deepest = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.name === 'TimeoutError') return 'TIMEOUT';
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    // Several addresses tried (IPv4 and IPv6): an AggregateError holds the coded ones.
    const inner = (current as { errors?: unknown }).errors;
    if (Array.isArray(inner)) {
      const coded = inner.find(
        (e): e is Error & { code: string } => e instanceof Error && typeof (e as { code?: unknown }).code === 'string',
      );
      if (coded) return coded.code;
    }
    if (current.message !== '') deepest = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  if (error instanceof Error && error.name === 'AbortError') return 'TIMEOUT';
  return deepest;
}
