/**
 * The real Immich v3.1.0 server of ../shared/immich-server, as the real-server tests use it: its
 * address and admin key from the environment (server.env), a fresh user per test file so no test
 * sees another's photos, and plain JSON requests with that user's key. Nothing here is the code
 * under test: it is the tests' own view of the server.
 */
import { readFileSync } from 'node:fs';

export interface RealServer {
  /** Base URL without `/api`. */
  readonly url: string;
  readonly adminKey: string;
  /** Where the server keeps its library (the sidecars are read from there). */
  readonly dataRoot: string;
}

const HOW_TO_START =
  'IMMICH_URL and IMMICH_API_KEY are not set: start the test server with ../shared/immich-server/start.sh, then `set -a; . /var/tmp/immich-test/server.env; set +a` and run npm run test:immich again';

/** The server from the environment; throws one line saying how to start it when it is not there. */
export function realServer(): RealServer {
  const url = process.env.IMMICH_URL;
  const adminKey = process.env.IMMICH_API_KEY;
  if (url === undefined || url === '' || adminKey === undefined || adminKey === '') throw new Error(HOW_TO_START);
  const root = process.env.IMMICH_TEST_ROOT ?? '/var/tmp/immich-test';
  return { url: url.replace(/\/+$/, '').replace(/\/api$/, ''), adminKey, dataRoot: `${root}/data` };
}

export { HOW_TO_START };

/** An Immich user's view of the API, authenticated by one key. */
export class ImmichUser {
  constructor(
    readonly server: RealServer,
    readonly id: string,
    readonly apiKey: string,
  ) {}

  get<T = unknown>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T = unknown>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('DELETE', path, body);
  }

  /**
   * Uploads one file as an asset; answers its id (an identical file already there answers that
   * one). `fields` adds form fields, e.g. `livePhotoVideoId` to link a still to its motion clip.
   */
  async upload(name: string, bytes: Buffer, modified: Date, fields: Readonly<Record<string, string>> = {}): Promise<string> {
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    form.set('assetData', new Blob([new Uint8Array(bytes)]), name);
    form.set('fileCreatedAt', modified.toISOString());
    form.set('fileModifiedAt', modified.toISOString());
    form.set('filename', name);
    const res = await fetch(`${this.server.url}/api/assets`, { method: 'POST', headers: { 'x-api-key': this.apiKey }, body: form });
    if (!res.ok) throw new Error(`upload ${name}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.server.url, method, path, body, { 'x-api-key': this.apiKey });
  }
}

async function call<T>(base: string, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}/api${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/**
 * A new user with an empty library and an all-permissions key (the server README's recipe):
 * each test file works as its own user, so the server's earlier contents never matter.
 */
export async function freshUser(server: RealServer, name: string): Promise<ImmichUser> {
  const email = `${name}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
  const password = 'test-password';
  const user = await call<{ id: string }>(server.url, 'POST', '/admin/users', { email, password, name }, { 'x-api-key': server.adminKey });
  const { accessToken } = await call<{ accessToken: string }>(server.url, 'POST', '/auth/login', { email, password }, {});
  const { secret } = await call<{ secret: string }>(
    server.url,
    'POST',
    '/api-keys',
    { name, permissions: ['all'] },
    { Authorization: `Bearer ${accessToken}` },
  );
  return new ImmichUser(server, user.id, secret);
}

/** Removes a user made by freshUser, and their files, in the background (best effort). */
export async function removeUser(user: ImmichUser): Promise<void> {
  await call(user.server.url, 'DELETE', `/admin/users/${user.id}`, { force: true }, { 'x-api-key': user.server.adminKey }).catch(
    () => undefined,
  );
}

/** The text of a file of the server's library, or null when it does not exist. */
export function readLibraryFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
