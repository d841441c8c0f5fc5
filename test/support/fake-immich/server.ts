/**
 * A fake Immich v3 server for the tests: HTTP(S) on 127.0.0.1, the routes photo-organizer uses
 * with bodies validated like the real server (400 `{message: 'Validation failed', errors}`),
 * `x-api-key` required (401), unknown ids answered 400, listings paged with a `nextPage` token,
 * failures and slow answers injectable, and every call recorded. Tag changes and asset updates
 * finish in background jobs as on the real server (jobs.ts: sidecar writes, re-extractions that
 * replace tags); `idle()` waits for them. An asset marked `noMedia` has no previews (404).
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerVersionResponseDto } from '@immich/sdk';
import { z } from 'zod';
import type { SeedAsset } from './seed.js';
import { FakeJobs } from './jobs.js';
import { sendRanged } from './ranged.js';
import { searchAssets, searchSchema, smartSchema, uuid, uuids, visibility } from './search.js';
import { FakeImmichState, NoAccess } from './state.js';

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** 0 while unanswered (a client killed mid-request leaves it at 0). */
  status: number;
  /** The client closed the connection before the whole answer was sent. */
  aborted?: boolean;
}

export interface Injection {
  readonly method?: string;
  readonly path: string | RegExp;
  /** Answer this status instead of handling the request (with `after`: after handling it). */
  readonly status?: number;
  /** How many matching calls it applies to (default 1). */
  readonly times?: number;
  /** Wait this long first (with `after`: after handling, before answering). */
  readonly delayMs?: number;
  /** Handle the request first, then delay and/or fail the answer: the server acted, the client does not know. */
  readonly after?: boolean;
  readonly retryAfterS?: number;
  /** Told when a call matches (e.g. to kill the client right then). */
  readonly onMatch?: (call: { method: string; path: string; body: unknown }) => void;
}

export interface FakeImmichOptions {
  readonly apiKey?: string;
  /** Largest page served, whatever the client asks (default 5, so every listing pages). */
  readonly pageSize?: number;
  readonly tls?: { readonly key: string; readonly cert: string };
  /** How long a sidecar write takes (jobs.ts), in ms; default 100. */
  readonly sidecarHoldMs?: number;
}

type Reply = {
  status: number;
  json?: unknown;
  bytes?: Buffer;
  type?: string;
  headers?: Record<string, string>;
  /** Bytes served like Express's sendFile: one `Range` honoured (206/416), any other sent whole. */
  ranged?: boolean;
};
type Handler = (req: { params: string[]; query: URLSearchParams; body: unknown }) => Reply;

export class FakeImmich {
  readonly calls: RecordedCall[] = [];
  private readonly injections: (Injection & { left: number })[] = [];
  private readonly routes: { method: string; pattern: RegExp; handler: Handler }[] = [];
  private readonly hanging = new Set<ServerResponse>();
  readonly jobs: FakeJobs;

  constructor(
    readonly state: FakeImmichState,
    readonly apiKey: string,
    private readonly server: Server,
    readonly url: string,
    private readonly pageCap: number,
    sidecarHoldMs: number,
  ) {
    this.jobs = new FakeJobs(state, sidecarHoldMs);
    this.defineRoutes();
  }

  /** Resolves once the background jobs (sidecar writes, re-extractions) have all run. */
  idle(): Promise<void> {
    return this.jobs.idle();
  }

  inject(rule: Injection): void {
    this.injections.push({ ...rule, left: rule.times ?? 1 });
  }

  /** Calls that change something (not GET, not a search). */
  writes(): RecordedCall[] {
    return this.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD' && !c.path.startsWith('/api/search/'));
  }

  clearCalls(): void {
    this.calls.length = 0;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return this.send(res, this.record({ method, path: url.pathname, query: {}, body: raw.toString('utf8'), status: 0 }), {
          status: 400,
          json: { message: 'Invalid JSON' },
        });
      }
    }
    const call = this.record({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), body, status: 0 });
    res.once('close', () => {
      if (!res.writableFinished) call.aborted = true;
    });
    const rule = this.injections.find(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method === method) &&
        (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)),
    );
    if (rule) {
      rule.left--;
      rule.onMatch?.(call);
      if (rule.delayMs !== undefined && rule.after !== true) await sleep(rule.delayMs);
      if (rule.status !== undefined && rule.after !== true) {
        const headers: Record<string, string> = rule.retryAfterS !== undefined ? { 'retry-after': String(rule.retryAfterS) } : {};
        return this.send(res, call, { status: rule.status, json: { message: 'Injected failure' }, headers });
      }
    }
    let reply = this.route(method, url, body, req.headers['x-api-key']);
    if (rule?.after === true) {
      if (rule.delayMs !== undefined) {
        this.hanging.add(res);
        await sleep(rule.delayMs);
        this.hanging.delete(res);
        if (res.destroyed) return;
      }
      // The change is made; the client only hears of a failure.
      if (rule.status !== undefined) reply = { status: rule.status, json: { message: 'Injected failure after acting' } };
    }
    this.send(res, call, reply);
  }

  private route(method: string, url: URL, body: unknown, key: string | string[] | undefined): Reply {
    const path = url.pathname;
    const publicRoute = path === '/api/server/version' || path === '/api/server/ping';
    if (!publicRoute && key !== this.apiKey) return { status: 401, json: { message: 'Invalid API key' } };
    for (const r of this.routes) {
      // HEAD is answered by the GET route, without the body (send()).
      if (r.method !== (method === 'HEAD' ? 'GET' : method)) continue;
      const m = r.pattern.exec(path);
      if (!m) continue;
      try {
        return r.handler({ params: m.slice(1), query: url.searchParams, body });
      } catch (error) {
        if (error instanceof z.ZodError) {
          return {
            status: 400,
            json: { message: 'Validation failed', errors: error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message })) },
          };
        }
        if (error instanceof NoAccess) return { status: 400, json: { message: error.message } };
        throw error;
      }
    }
    return { status: 404, json: { message: `Cannot ${method} ${path}` } };
  }

  private record(call: RecordedCall): RecordedCall {
    this.calls.push(call);
    return call;
  }

  private send(res: ServerResponse, call: RecordedCall, reply: Reply): void {
    call.status = reply.status;
    const headers = { ...(reply.headers ?? {}) };
    if (reply.bytes !== undefined && reply.ranged === true) {
      call.status = sendRanged(res, reply.bytes, { ...headers, 'content-type': reply.type ?? 'application/octet-stream' });
    } else if (reply.bytes !== undefined) {
      res.writeHead(reply.status, {
        ...headers,
        'content-type': reply.type ?? 'application/octet-stream',
        'content-length': String(reply.bytes.length),
      });
      res.end(reply.bytes);
    } else if (reply.json !== undefined) {
      const text = JSON.stringify(reply.json);
      res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(text);
    } else {
      res.writeHead(reply.status, headers);
      res.end();
    }
  }

  private on(method: string, pattern: RegExp, handler: Handler): void {
    this.routes.push({ method, pattern, handler });
  }

  private defineRoutes(): void {
    const s = this.state;
    const ID = '([^/]+)';
    const asset = (id: string): string => {
      uuid.parse(id);
      if (!s.assets.has(id)) throw new NoAccess('asset.read');
      return id;
    };
    this.on('GET', /^\/api\/server\/version$/, () => ({
      status: 200,
      json: { ...s.version, prerelease: null } satisfies ServerVersionResponseDto,
    }));
    this.on('GET', /^\/api\/server\/ping$/, () => ({ status: 200, json: { res: 'pong' } }));
    this.on('GET', /^\/api\/users\/me$/, () => ({ status: 200, json: s.me() }));
    this.on('POST', /^\/api\/search\/metadata$/, ({ body }) => ({
      status: 200,
      json: searchAssets(s, searchSchema.parse(body), null, this.pageCap),
    }));
    this.on('POST', /^\/api\/search\/smart$/, ({ body }) => {
      const dto = smartSchema.parse(body);
      if (dto.query === undefined) throw new NoAccess('query (Either `query` or `queryAssetId` must be set)');
      return { status: 200, json: searchAssets(s, dto, s.smart.get(dto.query) ?? null, this.pageCap) };
    });
    this.on('GET', new RegExp(`^/api/assets/${ID}$`), ({ params }) => ({
      status: 200,
      json: s.assetDto(asset(params[0]!), { withExif: true, withTags: true }),
    }));
    this.on('GET', new RegExp(`^/api/assets/${ID}/thumbnail$`), ({ params, query }) => {
      const a = s.assets.get(asset(params[0]!))!;
      const size = z
        .enum(['thumbnail', 'preview', 'fullsize'])
        .optional()
        .parse(query.get('size') ?? undefined);
      if (a.noMedia) return { status: 404, json: { message: 'Asset media not found' } };
      return size === 'preview' || size === 'fullsize'
        ? { status: 200, bytes: a.seed.preview, type: 'image/jpeg' }
        : { status: 200, bytes: a.seed.thumbnail, type: 'image/webp' };
    });
    this.on('GET', new RegExp(`^/api/assets/${ID}/original$`), ({ params }) => {
      const a = s.assets.get(asset(params[0]!))!;
      return { status: 200, bytes: a.seed.original, type: a.seed.mime };
    });
    // Immich's encode of the clip (here: the original, as when it made none), sent like a file.
    this.on('GET', new RegExp(`^/api/assets/${ID}/video/playback$`), ({ params }) => {
      const a = s.assets.get(asset(params[0]!))!;
      if (a.seed.durationMs === undefined) return { status: 404, json: { message: 'Asset not found or asset is not a video' } };
      return { status: 200, bytes: a.seed.original, type: a.seed.mime, ranged: true };
    });
    this.on('PUT', /^\/api\/assets$/, ({ body }) => {
      // Unknown keys (the pre-v2 `isArchived`) are stripped and ignored, as the real server does.
      const dto = z.object({ ids: uuids, isFavorite: z.boolean().optional(), visibility: visibility.optional() }).parse(body);
      s.requireAssets(dto.ids);
      for (const id of dto.ids) {
        const a = s.assets.get(id)!;
        if (dto.isFavorite !== undefined) a.isFavorite = dto.isFavorite;
        if (dto.visibility !== undefined) a.visibility = dto.visibility;
      }
      this.jobs.assetsUpdated(dto.ids);
      return { status: 204 };
    });
    this.on('GET', /^\/api\/tags$/, () => ({ status: 200, json: [...s.tags.values()].map((t) => s.tagDto(t)) }));
    this.on('PUT', /^\/api\/tags$/, ({ body }) => ({
      status: 200,
      json: s.upsertTags(z.object({ tags: z.array(z.string()) }).parse(body).tags),
    }));
    this.on('PUT', /^\/api\/tags\/assets$/, ({ body }) => {
      const dto = z.object({ tagIds: uuids, assetIds: uuids }).parse(body);
      const changed = new Set<string>();
      const count = s.tagAssets(dto.tagIds, dto.assetIds, changed);
      this.jobs.tagsChanged(changed);
      return { status: 200, json: { count } };
    });
    this.on('DELETE', new RegExp(`^/api/tags/${ID}/assets$`), ({ params, body }) => {
      const results = s.untagAssets(uuid.parse(params[0]), z.object({ ids: uuids }).parse(body).ids);
      this.jobs.tagsChanged(results.filter((r) => r.success).map((r) => r.id));
      return { status: 200, json: results };
    });
    this.on('DELETE', new RegExp(`^/api/tags/${ID}$`), ({ params }) => {
      s.deleteTag(uuid.parse(params[0]));
      return { status: 204 };
    });
    this.on('GET', /^\/api\/albums$/, () => ({ status: 200, json: [...s.albums.values()].map((a) => s.albumDto(a)) }));
    this.on('POST', /^\/api\/albums$/, ({ body }) => {
      const dto = z.object({ albumName: z.string(), assetIds: uuids.optional(), description: z.string().optional() }).parse(body);
      return { status: 201, json: s.createAlbum(dto.albumName, dto.description ?? '', dto.assetIds ?? []) };
    });
    this.on('PUT', new RegExp(`^/api/albums/${ID}/assets$`), ({ params, body }) => ({
      status: 200,
      json: s.addToAlbum(uuid.parse(params[0]), z.object({ ids: uuids }).parse(body).ids),
    }));
    this.on('DELETE', new RegExp(`^/api/albums/${ID}/assets$`), ({ params, body }) => ({
      status: 200,
      json: s.removeFromAlbum(uuid.parse(params[0]), z.object({ ids: uuids }).parse(body).ids),
    }));
    this.on('DELETE', new RegExp(`^/api/albums/${ID}$`), ({ params }) => {
      s.deleteAlbum(uuid.parse(params[0]));
      return { status: 204 };
    });
    this.on('GET', /^\/api\/stacks$/, () => ({ status: 200, json: [...s.stacks.values()].map((st) => s.stackDto(st)) }));
    this.on('POST', /^\/api\/stacks$/, ({ body }) => ({
      status: 201,
      json: s.createStack(z.object({ assetIds: uuids.min(2) }).parse(body).assetIds),
    }));
    this.on('DELETE', new RegExp(`^/api/stacks/${ID}$`), ({ params }) => {
      s.deleteStack(uuid.parse(params[0]));
      return { status: 204 };
    });
    this.on('GET', /^\/api\/people$/, ({ query }) => {
      const page = z.coerce
        .number()
        .int()
        .min(1)
        .parse(query.get('page') ?? '1');
      const size = Math.min(
        z.coerce
          .number()
          .int()
          .min(1)
          .max(1000)
          .parse(query.get('size') ?? '500'),
        this.pageCap,
      );
      const visible = [...s.people.values()].filter((p) => query.get('withHidden') === 'true' || !p.isHidden);
      const slice = visible.slice((page - 1) * size, page * size);
      return {
        status: 200,
        json: { people: slice.map((p) => s.personDto(p.id)), total: visible.length, hidden: 0, hasNextPage: page * size < visible.length },
      };
    });
    this.on('GET', /^\/api\/faces$/, ({ query }) => ({ status: 200, json: s.facesOf(uuid.parse(query.get('id'))) }));
    this.on('GET', /^\/api\/duplicates$/, () => ({ status: 200, json: s.duplicateDtos() }));
  }
}

export async function startFakeImmich(seeds: readonly SeedAsset[], options: FakeImmichOptions = {}): Promise<FakeImmich> {
  const state = new FakeImmichState(seeds);
  let fake: FakeImmich | null = null;
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    fake!.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
    });
  };
  const server = options.tls ? createHttps({ key: options.tls.key, cert: options.tls.cert }, listener) : createHttp(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  fake = new FakeImmich(
    state,
    options.apiKey ?? 'test-key-0123456789',
    server,
    `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    options.pageSize ?? 5,
    options.sidecarHoldMs ?? 100,
  );
  return fake;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
