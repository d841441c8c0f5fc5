// @ts-check
// Calls to the review server's JSON API. The access token travels in the HttpOnly cookie the
// server set on the first visit, so nothing here handles it.

/** An API failure: the server's message, and its HTTP status for callers that branch on it (404). */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   */
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * GET /api/<path> with query parameters; throws an ApiError with the server's message. The caller
 * names the answer's type, one of the server's view-models (`@type {Summary}`): the server is
 * trusted to send it, as its own tests check.
 * @template T
 * @param {string} path
 * @param {Record<string, string | number>} [params]
 * @returns {Promise<T>}
 */
export async function get(path, params = {}) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  return /** @type {T} */ (await call(`/api/${path}${query ? `?${query}` : ''}`, { method: 'GET' }));
}

/**
 * POST /api/<path> with a JSON body; the answer's type is named by the caller, as for get().
 * @template T
 * @param {string} path
 * @param {object} [body]
 * @returns {Promise<T>}
 */
export async function post(path, body = {}) {
  const answer = await call(`/api/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return /** @type {T} */ (answer);
}

/**
 * @param {string} url
 * @param {RequestInit} init
 * @returns {Promise<unknown>}
 */
async function call(url, init) {
  const response = await fetch(url, { ...init, credentials: 'same-origin' });
  const text = await response.text();
  /** @type {{ error?: string } | null} */
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = { error: text };
  }
  if (!response.ok) {
    throw new ApiError(value?.error ?? `${response.status} ${response.statusText}`, response.status);
  }
  return value;
}

/**
 * The filters as the API's query takes them (the form's values).
 * @typedef {{ kind: string; faces: string; changed: '0' | '1'; closeCalls: '0' | '1'; blinks: '0' | '1'; unreviewed: '0' | '1' }} Filter
 */

/** @typedef {'grid' | 'view' | 'full'} ImageVariant */

/**
 * Address of a picture made for group `number` (its HDR merge or face swap), in one of the sizes below.
 * @param {number} number
 * @param {'hdr' | 'swap'} kind
 * @param {ImageVariant} variant
 * @param {string} version
 */
export function madeUrl(number, kind, variant, version) {
  return `/made/${number}/${kind}/${variant}?v=${encodeURIComponent(version)}`;
}

/**
 * Address of a photo's picture: 'grid' (small), 'view' (large) or 'full' (100 %).
 * @param {number} id
 * @param {ImageVariant} variant
 * @param {string} version
 */
export function imageUrl(id, variant, version) {
  return `/img/${id}/${variant}?v=${encodeURIComponent(version)}`;
}
