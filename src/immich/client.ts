/**
 * The only module that talks HTTP: a thin wrapper over @immich/sdk's generated functions. Each
 * call gets the base URL, the `x-api-key` header and our own fetch (undici, with TLS checking
 * switchable for --no-verify-ssl) per request — the SDK's module-wide defaults are never set —
 * goes through the one retry helper, and has its response validated (schemas.ts). Failures come
 * out as ImmichHttpError / ImmichConnectionError with the method, the path and the server's words.
 */
import * as sdk from '@immich/sdk';
import { Agent, Response as UndiciResponse, fetch as undiciFetch } from 'undici';
import type { z } from 'zod';
import { errorDetails, ImmichHttpError } from './errors.js';
import { type FailureContext, parseMaybe, translateFailure } from './failures.js';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from './retry.js';
import {
  AlbumSchema,
  AssetSchema,
  AssetStampSchema,
  type BulkIdResult,
  BulkIdResultSchema,
  DuplicateSchema,
  FaceSchema,
  PeoplePageSchema,
  parseResponse,
  SearchResponseSchema,
  StampSearchSchema,
  ServerVersionSchema,
  StackSchema,
  TagBulkResponseSchema,
  TagSchema,
  UserSchema,
} from './schemas.js';

export interface ImmichClientOptions {
  /** Server address as the user typed it: `https://photos.example.com` or `…/api`. */
  readonly url: string;
  readonly apiKey: string;
  /** False only with --no-verify-ssl. */
  readonly verifyTls: boolean;
  /** Per request, headers and body included. Default 120 s. */
  readonly timeoutMs?: number;
  readonly retry?: RetryPolicy;
  /** Cancels every request in flight and every wait between retries. */
  readonly signal?: AbortSignal;
  /** Told about each retry (for a notice); never given the API key. */
  readonly onRetry?: (message: string) => void;
}

/** The SDK's per-request options (base URL, fetch, headers, signal). */
type RequestOpts = NonNullable<Parameters<typeof sdk.getServerVersion>[0]>;

/** What a run asks for: the server's preview JPEG or the original file. */
export type PictureKind = 'preview' | 'original';
/** What can be downloaded: also the small thumbnail, a fallback when the server has no preview. */
export type DownloadKind = PictureKind | 'thumbnail';

/** A streamed answer: its status, headers and body, not read yet. */
export type StreamedAnswer = Awaited<ReturnType<typeof undiciFetch>>;

export interface Downloaded {
  readonly bytes: Buffer;
  /** Content-Type of the answer, when it said. */
  readonly contentType: string | null;
}

/** Asset fields we ask the bulk update for; the v3 spelling of archive is `visibility`. */
export interface AssetUpdate {
  readonly isFavorite?: boolean;
  readonly visibility?: 'archive' | 'timeline';
}

/** `https://host/api` from what the user typed; throws RangeError for anything not http(s). */
export function apiBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`Expected an http(s) URL for --immich-url but received "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RangeError(`Expected an http(s) URL for --immich-url but received "${url}"`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new RangeError('Expected --immich-url without a user name or password in it (the API key authenticates)');
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  return `${parsed.origin}${path.endsWith('/api') ? path : `${path}/api`}`;
}

export class ImmichClient {
  readonly baseUrl: string;
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private downloadedBytes = 0;
  private downloadCount = 0;
  private requestCount = 0;

  constructor(private readonly options: ImmichClientOptions) {
    this.baseUrl = apiBaseUrl(options.url);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.policy = options.retry ?? DEFAULT_RETRY;
    // One connection pool for the run; TLS verification is off only when asked for.
    this.agent = new Agent({ connect: { rejectUnauthorized: options.verifyTls }, keepAliveTimeout: 10_000 });
  }

  /** Picture bytes received so far (previews and originals), and how many pictures. */
  get downloaded(): { readonly bytes: number; readonly files: number; readonly requests: number } {
    return { bytes: this.downloadedBytes, files: this.downloadCount, requests: this.requestCount };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  serverVersion() {
    return this.json('GET /api/server/version', ServerVersionSchema, true, (o) => sdk.getServerVersion(o));
  }

  me() {
    return this.json('GET /api/users/me', UserSchema, true, (o) => sdk.getMyUser(o));
  }

  /** One page of POST /api/search/metadata. */
  searchMetadata(dto: sdk.MetadataSearchDto) {
    return this.json('POST /api/search/metadata', SearchResponseSchema, true, (o) => sdk.searchAssets({ metadataSearchDto: dto }, o));
  }

  /** One page of POST /api/search/metadata, only each asset's id, update time and trash flag (watch mode). */
  searchStamps(dto: sdk.MetadataSearchDto) {
    return this.json('POST /api/search/metadata', StampSearchSchema, true, (o) => sdk.searchAssets({ metadataSearchDto: dto }, o));
  }

  /** One page of POST /api/search/smart. */
  searchSmart(dto: sdk.SmartSearchDto) {
    return this.json('POST /api/search/smart', SearchResponseSchema, true, (o) => sdk.searchSmart({ smartSearchDto: dto }, o));
  }

  asset(id: string) {
    return this.json(`GET /api/assets/${id}`, AssetSchema, true, (o) => sdk.getAssetInfo({ id }, o));
  }

  /** The asset's `updatedAt` and tags: what settling after a tag change watches. */
  assetStamp(id: string) {
    return this.json(`GET /api/assets/${id}`, AssetStampSchema, true, (o) => sdk.getAssetInfo({ id }, o));
  }

  allTags() {
    return this.json('GET /api/tags', arrayOf(TagSchema), true, (o) => sdk.getAllTags(o));
  }

  /** PUT /api/tags: creates what is missing along each path; answers the leaf tags only. */
  upsertTags(values: readonly string[]) {
    return this.json('PUT /api/tags', arrayOf(TagSchema), true, (o) => sdk.upsertTags({ tagUpsertDto: { tags: [...values] } }, o));
  }

  /** PUT /api/tags/assets: every tag on every asset; answers how many links were new. */
  tagAssets(tagIds: readonly string[], assetIds: readonly string[]) {
    return this.json('PUT /api/tags/assets', TagBulkResponseSchema, true, (o) =>
      sdk.bulkTagAssets({ tagBulkAssetsDto: { tagIds: [...tagIds], assetIds: [...assetIds] } }, o),
    );
  }

  untagAssets(tagId: string, assetIds: readonly string[]) {
    return this.json(`DELETE /api/tags/${tagId}/assets`, arrayOf(BulkIdResultSchema), true, (o) =>
      sdk.untagAssets({ id: tagId, bulkIdsDto: { ids: [...assetIds] } }, o),
    );
  }

  deleteTag(id: string) {
    return this.empty(`DELETE /api/tags/${id}`, true, (o) => sdk.deleteTag({ id }, o));
  }

  /** PUT /api/assets (answers 204). */
  updateAssets(ids: readonly string[], update: AssetUpdate) {
    const dto: sdk.AssetBulkUpdateDto = { ids: [...ids] };
    if (update.isFavorite !== undefined) dto.isFavorite = update.isFavorite;
    if (update.visibility !== undefined) dto.visibility = update.visibility as sdk.AssetVisibility;
    return this.empty('PUT /api/assets', true, (o) => sdk.updateAssets({ assetBulkUpdateDto: dto }, o));
  }

  albums() {
    return this.json('GET /api/albums', arrayOf(AlbumSchema), true, (o) => sdk.getAllAlbums({}, o));
  }

  /** POST /api/albums: not idempotent (a second call makes a second album), so never retried blindly. */
  createAlbum(name: string, assetIds: readonly string[], description: string) {
    return this.json('POST /api/albums', AlbumSchema, false, (o) =>
      sdk.createAlbum({ createAlbumDto: { albumName: name, assetIds: [...assetIds], description } }, o),
    );
  }

  addToAlbum(id: string, assetIds: readonly string[]) {
    return this.json(`PUT /api/albums/${id}/assets`, arrayOf(BulkIdResultSchema), true, (o) =>
      sdk.addAssetsToAlbum({ id, bulkIdsDto: { ids: [...assetIds] } }, o),
    );
  }

  removeFromAlbum(id: string, assetIds: readonly string[]) {
    return this.json(`DELETE /api/albums/${id}/assets`, arrayOf(BulkIdResultSchema), true, (o) =>
      sdk.removeAssetFromAlbum({ id, bulkIdsDto: { ids: [...assetIds] } }, o),
    );
  }

  deleteAlbum(id: string) {
    return this.empty(`DELETE /api/albums/${id}`, true, (o) => sdk.deleteAlbum({ id }, o));
  }

  stacks() {
    return this.json('GET /api/stacks', arrayOf(StackSchema), true, (o) => sdk.searchStacks({}, o));
  }

  /** POST /api/stacks: the first asset becomes the cover. Merges stacks its assets were in. */
  createStack(assetIds: readonly string[]) {
    return this.json('POST /api/stacks', StackSchema, false, (o) => sdk.createStack({ stackCreateDto: { assetIds: [...assetIds] } }, o));
  }

  deleteStack(id: string) {
    return this.empty(`DELETE /api/stacks/${id}`, true, (o) => sdk.deleteStack({ id }, o));
  }

  people(page: number, size: number) {
    return this.json('GET /api/people', PeoplePageSchema, true, (o) => sdk.getAllPeople({ page, size, withHidden: false }, o));
  }

  faces(assetId: string) {
    return this.json('GET /api/faces', arrayOf(FaceSchema), true, (o) => sdk.getFaces({ id: assetId }, o));
  }

  duplicates() {
    return this.json('GET /api/duplicates', arrayOf(DuplicateSchema), true, (o) => sdk.getAssetDuplicates(o));
  }

  /**
   * The picture of an asset: the server's preview (`/thumbnail?size=preview`, a JPEG of ~1440 px),
   * its thumbnail (`size=thumbnail`, a small WebP) or the original file.
   */
  async download(assetId: string, kind: DownloadKind): Promise<Downloaded> {
    const label = kind === 'original' ? `GET /api/assets/${assetId}/original` : `GET /api/assets/${assetId}/thumbnail?size=${kind}`;
    const blob = await this.call(label, true, (o) =>
      kind === 'original'
        ? sdk.downloadAsset({ id: assetId }, o)
        : sdk.viewAsset({ id: assetId, size: kind === 'preview' ? sdk.AssetMediaSize.Preview : sdk.AssetMediaSize.Thumbnail }, o),
    );
    const bytes = Buffer.from(await blob.arrayBuffer());
    this.downloadedBytes += bytes.length;
    this.downloadCount++;
    return { bytes, contentType: blob.type === '' ? null : blob.type };
  }

  /**
   * GET (or HEAD) /api/assets/{id}/video/playback, streamed for the review page's player: the
   * server's browser-ready encode (the original when it made none), which honours one Range like
   * any file it sends, and needs only the asset.view permission the previews need. The answer
   * (200, 206 or 416) comes back unread; any other status is an ImmichHttpError. Not retried (the
   * player asks again); the headers must come within the timeout, the body takes its time;
   * `signal` (the browser gone) ends the request.
   */
  async playback(assetId: string, method: 'GET' | 'HEAD', range: string | null, signal: AbortSignal): Promise<StreamedAnswer> {
    const path = `/api/assets/${assetId}/video/playback`;
    const headersDue = new AbortController();
    const timer = setTimeout(() => headersDue.abort(new DOMException('headers timed out', 'TimeoutError')), this.timeoutMs);
    const signals = [signal, headersDue.signal, ...(this.options.signal ? [this.options.signal] : [])];
    this.requestCount++;
    try {
      const answer = await undiciFetch(`${this.baseUrl}${path.slice('/api'.length)}`, {
        method,
        headers: { 'x-api-key': this.options.apiKey, ...(range === null ? {} : { range }) },
        signal: AbortSignal.any(signals),
        dispatcher: this.agent,
      });
      if (answer.status === 200 || answer.status === 206 || answer.status === 416) return answer;
      // sendFile fails a range past the end (416), which Immich answers 404: a HEAD tells whether
      // the clip is there, and its length for the 416 a player expects.
      if (answer.status === 404 && range !== null) {
        await answer.body?.cancel();
        const length = (await this.playback(assetId, 'HEAD', null, signal)).headers.get('content-length');
        if (length !== null) return new UndiciResponse(null, { status: 416, headers: { 'content-range': `bytes */${length}` } });
      }
      const body = await answer.text().catch(() => '');
      throw new ImmichHttpError(answer.status, method, path, errorDetails(parseMaybe(body)), null);
    } catch (error) {
      throw await translateFailure(error, method, path, this.failureContext());
    } finally {
      clearTimeout(timer);
    }
  }

  private async json<T>(
    label: string,
    schema: z.ZodType<T>,
    idempotent: boolean,
    request: (o: RequestOpts) => Promise<unknown>,
  ): Promise<T> {
    return parseResponse(schema, await this.call(label, idempotent, request), label);
  }

  private async empty(label: string, idempotent: boolean, request: (o: RequestOpts) => Promise<unknown>): Promise<void> {
    await this.call(label, idempotent, request);
  }

  private call<T>(label: string, idempotent: boolean, request: (o: RequestOpts) => Promise<T>): Promise<T> {
    const [method, path] = splitLabel(label);
    return withRetry(
      async () => {
        this.requestCount++;
        try {
          return await request(this.requestOptions());
        } catch (error) {
          throw await translateFailure(error, method, path, this.failureContext());
        }
      },
      {
        policy: this.policy,
        idempotent,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        onRetry: (error, attempt, delayMs) =>
          this.options.onRetry?.(
            `${error instanceof Error ? error.message : String(error)} — retrying (attempt ${attempt}) in ${(delayMs / 1000).toFixed(1)} s`,
          ),
      },
    );
  }

  /** Per-request options: nothing is written to the SDK's shared defaults. */
  private requestOptions(): RequestOpts {
    const signals = [AbortSignal.timeout(this.timeoutMs)];
    if (this.options.signal) signals.push(this.options.signal);
    const signal = AbortSignal.any(signals);
    const agent = this.agent;
    const fetchWithAgent = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
      // undici's own fetch with undici's own Agent: Node's bundled fetch may be another undici.
      undiciFetch(
        input as string,
        { ...(init as object), signal, dispatcher: agent } as Parameters<typeof undiciFetch>[1],
      ) as unknown as Promise<Response>;
    return { baseUrl: this.baseUrl, fetch: fetchWithAgent as typeof fetch, headers: { 'x-api-key': this.options.apiKey } };
  }

  private failureContext(): FailureContext {
    return { signal: this.options.signal, timeoutMs: this.timeoutMs, baseUrl: this.baseUrl };
  }
}

function arrayOf<T>(schema: z.ZodType<T>): z.ZodType<T[]> {
  return schema.array() as unknown as z.ZodType<T[]>;
}

function splitLabel(label: string): [string, string] {
  const space = label.indexOf(' ');
  return [label.slice(0, space), label.slice(space + 1)];
}

/** Ids of a bulk answer that failed, with why (`duplicate` counts as done: it was already there). */
export function bulkFailures(results: readonly BulkIdResult[]): { id: string; reason: string }[] {
  return results
    .filter((r) => !r.success && r.error !== 'duplicate')
    .map((r) => ({ id: r.id, reason: r.errorMessage ?? r.error ?? 'failed' }));
}
