// Calls to the review server's JSON API. The access token travels in the HttpOnly cookie the
// server set on the first visit, so nothing here handles it.

/** GET /api/<path> with query parameters; throws an Error with the server's message. */
export async function get(path, params = {}) {
  const query = new URLSearchParams(params).toString();
  return call(`/api/${path}${query ? `?${query}` : ''}`, { method: 'GET' });
}

/** POST /api/<path> with a JSON body. */
export async function post(path, body = {}) {
  return call(`/api/${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function call(url, init) {
  const response = await fetch(url, { ...init, credentials: 'same-origin' });
  const text = await response.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = { error: text };
  }
  if (!response.ok) {
    const error = new Error(value?.error ?? `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return value;
}

/** Address of a picture made for group `number` (its HDR merge), in one of the sizes below. */
export function madeUrl(number, variant, version) {
  return `/made/${number}/${variant}?v=${encodeURIComponent(version)}`;
}

/** Address of a photo's picture: 'grid' (small), 'view' (large) or 'full' (100 %). */
export function imageUrl(id, variant, version) {
  return `/img/${id}/${variant}?v=${encodeURIComponent(version)}`;
}
