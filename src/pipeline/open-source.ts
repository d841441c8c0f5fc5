/**
 * Which source a run reads, made from its options: a folder, or an Immich server — connected,
 * its version checked, its key's user known, its download cache opened. Problems with the request
 * itself (a missing folder, no API key) are RunSetupErrors, which the CLI reports as usage errors.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Db } from '../catalog/database.js';
import { ContentIdStore } from '../catalog/content-ids.js';
import { hasServerActions } from '../immich/actions/groups.js';
import { ImmichClient } from '../immich/client.js';
import { FolderSource } from '../sources/folder.js';
import { ImmichCache } from '../sources/immich-cache.js';
import { ImmichSource } from '../sources/immich-source.js';
import { AlbumNotFoundError, checkServerVersion } from '../sources/immich.js';
import type { PhotoSource } from '../sources/source.js';
import { pictureKind, type RunOptions } from './options.js';
import type { ProgressSink } from './progress.js';
import { archivedByUs } from '../sources/immich-sink.js';

/** A problem with the request itself (missing folder…): the CLI reports it as a usage error. */
export class RunSetupError extends Error {
  override readonly name = 'RunSetupError';
}

export interface Secrets {
  /** From --immich-api-key or IMMICH_API_KEY; never stored, logged or reported. */
  readonly apiKey: string | null;
}

/** Checks what can be checked before anything is opened; throws a RunSetupError. */
export function checkSetup(options: RunOptions, secrets: Secrets): void {
  if (options.sourceType === 'local') {
    if (!options.source) throw new RunSetupError('--source is required for a local run');
    if (!options.output) throw new RunSetupError('--output is required for a local run');
    const st = statSync(options.source, { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw new RunSetupError(`--source: ${st ? 'not a folder' : 'folder not found'}: ${resolve(options.source)}`);
    const output = resolve(options.output);
    if (existsSync(output) && !statSync(output).isDirectory()) throw new RunSetupError(`--output: not a folder: ${output}`);
    return;
  }
  if (!options.immichUrl) throw new RunSetupError('--immich-url is required with --source-type immich (the address of your Immich server)');
  if (!secrets.apiKey) {
    throw new RunSetupError(
      'an Immich API key is required: set IMMICH_API_KEY (or pass --immich-api-key); make one in Immich under Account Settings → API Keys',
    );
  }
  if (options.immichLibraryPath !== null && !statSync(options.immichLibraryPath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RunSetupError(
      `--immich-library-path: folder not found: ${resolve(options.immichLibraryPath)} (the Immich library as this machine sees it)`,
    );
  }
  if (!options.undo && !options.output && !hasServerActions(options)) {
    throw new RunSetupError(
      'nothing to do: give -o DIR (download and organize), or an Immich action: --tag-only, --create-albums, --mark-best-favorite, --archive-non-best or --stack',
    );
  }
}

export interface OpenContext {
  readonly db: Db;
  readonly catalog: string;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

/** A client of the run's Immich server (not yet asked anything); the caller closes it. */
export function immichClient(options: RunOptions, secrets: Secrets, sink: ProgressSink, signal?: AbortSignal): ImmichClient {
  try {
    return new ImmichClient({
      url: options.immichUrl!,
      apiKey: secrets.apiKey!,
      verifyTls: options.verifySsl,
      onRetry: (message) => sink.note('notice', message),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    // A URL the client cannot use (credentials in it, say) is a usage mistake.
    if (error instanceof RangeError) throw new RunSetupError(error.message);
    throw error;
  }
}

/** The run's source, ready to discover; the caller closes it. */
export async function openSource(options: RunOptions, secrets: Secrets, ctx: OpenContext): Promise<PhotoSource> {
  if (options.sourceType === 'local') {
    return new FolderSource({
      root: resolve(options.source!),
      output: resolve(options.output!),
      catalog: ctx.catalog,
      limit: options.limit,
      mediaType: options.mediaType,
      contentIds: new ContentIdStore(ctx.db),
    });
  }
  const client = immichClient(options, secrets, ctx.sink, ctx.signal);
  try {
    if (!options.verifySsl) ctx.sink.note('notice', 'TLS certificates are not checked (--no-verify-ssl)');
    if (options.enableHdr && (!options.output || options.tagOnly))
      ctx.sink.note('notice', '--enable-hdr merges brackets into the local tree: give -o (without --tag-only) to have them');
    if (options.enableFaceSwap && options.swapClosedEyes && (!options.output || options.tagOnly))
      ctx.sink.note('notice', '--enable-face-swap writes face_swapped.jpg into the local tree: give -o (without --tag-only) to have it');
    const warning = checkServerVersion(await client.serverVersion(), client.baseUrl);
    if (warning !== null) ctx.sink.note('notice', warning);
    const me = await client.me();
    const cache = await ImmichCache.open(options.immichCacheDir, options.immichCacheSize, { readOnly: options.dryRun });
    const byPeople = options.immichGroupByPerson || options.immichPerson !== null || options.immichGroupByPeople;
    return new ImmichSource(client, cache, {
      pixels: pictureKind(options),
      library: options.immichLibraryPath === null ? null : resolve(options.immichLibraryPath),
      album: options.immichAlbum,
      limit: options.limit,
      ownerId: me.id,
      // Listed although archived: else a re-run would lose them from their groups.
      alsoArchived: archivedByUs(ctx.db, client.baseUrl),
      withPeople: options.createAlbums || byPeople,
      smartSearch: options.immichSmartSearch,
      useServerFaces: options.immichUseServerFaces,
      mediaType: options.mediaType,
      passes: {
        useDuplicates: options.immichUseDuplicates,
        byPeople: options.immichGroupByPeople,
        byPerson: options.immichGroupByPerson,
        person: options.immichPerson,
        excludedPeople: options.excludedPeople,
      },
    });
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** An album filter that matches nothing is a usage problem (its message lists the albums there are). */
export function asSetupError(error: unknown): unknown {
  return error instanceof AlbumNotFoundError ? new RunSetupError(error.message) : error;
}
