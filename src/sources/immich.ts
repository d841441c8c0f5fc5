/**
 * Immich as a photo source: the server version check, the library listing (paged search, with
 * EXIF and thumbhashes, so candidates are found before any picture is downloaded), albums,
 * people, server duplicates, smart search and server faces — all read through immich/client.ts.
 */
import { AssetTypeEnum, AssetVisibility, type MetadataSearchDto } from '@immich/sdk';
import type { MediaType } from '../core/clips.js';
import type { AssetFacts, ListedAsset } from '../core/immich.js';
import type { ServerFace } from '../core/server-faces.js';
import type { CaptureTime } from '../core/types.js';
import type { ImmichClient } from '../immich/client.js';
import { ImmichVersionError } from '../immich/errors.js';
import { mapLimit } from '../core/concurrency.js';
import { listPeople, searchAll } from '../immich/read.js';

export { listPeople };
import type { AssetDto, ServerVersion } from '../immich/schemas.js';

/** The API this build speaks: @immich/sdk 3.1.0. */
export const SUPPORTED_API = { major: 3, minor: 1 } as const;

/**
 * Refuses another major version (its API differs in ways that silently break changes, as
 * `isArchived` did between v1 and v2), and returns a warning for another minor version.
 */
export function checkServerVersion(v: ServerVersion, url: string): string | null {
  const version = `v${v.major}.${v.minor}.${v.patch}`;
  if (v.major !== SUPPORTED_API.major) {
    throw new ImmichVersionError(
      `The Immich server at ${url} runs ${version}, but this photo-organizer speaks the v${SUPPORTED_API.major} API ` +
        `(built with @immich/sdk ${SUPPORTED_API.major}.${SUPPORTED_API.minor}); use a photo-organizer release made for Immich v${v.major}`,
    );
  }
  if (v.minor !== SUPPORTED_API.minor) {
    return `The Immich server runs ${version}; this photo-organizer was built for v${SUPPORTED_API.major}.${SUPPORTED_API.minor} — carrying on, but please report anything odd`;
  }
  return null;
}

/** An album filter that matches nothing on the server: a usage problem, reported with the names there are. */
export class AlbumNotFoundError extends Error {
  override readonly name = 'AlbumNotFoundError';
}

export interface ListOptions {
  /** --immich-album: exact album name, or null for the whole library. */
  readonly album: string | null;
  /** --limit (0 = all). */
  readonly limit: number;
  /** The key's user: partners' photos show up in searches but cannot be changed by us. */
  readonly ownerId: string;
  /** Archived assets to list anyway: the ones this tool archived, so re-runs see the same groups. */
  readonly alsoArchived: ReadonlySet<string>;
  /** Ask for the people in each photo (album names show them). */
  readonly withPeople: boolean;
  /** --media-type: stills, video clips, or both. */
  readonly mediaType: MediaType;
}

export interface Listing {
  /** Sorted by file name, then id: the order grouping depends on. */
  readonly assets: readonly ListedAsset[];
  /** Photos found but left out: partners' photos, trashed ones. */
  readonly skipped: number;
}

/** The asset types a --media-type lists (AUDIO and OTHER never). */
function assetTypes(mediaType: MediaType): AssetTypeEnum[] {
  if (mediaType === 'image') return [AssetTypeEnum.Image];
  return mediaType === 'video' ? [AssetTypeEnum.Video] : [AssetTypeEnum.Image, AssetTypeEnum.Video];
}

/**
 * Lists the library (or an album): images (and, with --media-type video|all, video clips) in the
 * timeline, plus the archived ones this tool archived. The visibility filter is deliberate:
 * without one, v3 also returns archived photos. It also leaves out a Live Photo's motion part:
 * the server hides it (visibility `hidden`) once linked to its still, which carries it instead.
 */
export async function listLibrary(client: ImmichClient, options: ListOptions): Promise<Listing> {
  const albumIds = options.album === null ? [null] : await albumIdsNamed(client, options.album);
  const max = options.limit > 0 ? options.limit : Number.POSITIVE_INFINITY;
  const found = new Map<string, AssetDto>();
  const types = assetTypes(options.mediaType);
  for (const albumId of albumIds) {
    const timeline: AssetDto[] = [];
    for (const type of types) {
      const base: MetadataSearchDto = {
        type,
        withExif: true,
        ...(options.withPeople ? { withPeople: true } : {}),
        ...(albumId ? { albumIds: [albumId] } : {}),
      };
      timeline.push(...(await searchAll(client, { ...base, visibility: AssetVisibility.Timeline }, max)));
      if (options.alsoArchived.size > 0) {
        for (const a of await searchAll(client, { ...base, visibility: AssetVisibility.Archive }))
          if (options.alsoArchived.has(a.id)) found.set(a.id, a);
      }
    }
    // --limit N: the N newest of photos and clips together (each search gave its N newest).
    const newest = types.length > 1 ? timeline.sort((x, y) => cmp(y.fileCreatedAt, x.fileCreatedAt)).slice(0, max) : timeline;
    for (const a of newest) found.set(a.id, a);
  }
  // A motion part still listed (a server that has not hidden it yet) travels with its still.
  const motion = new Set([...found.values()].flatMap((a) => (a.livePhotoVideoId ? [a.livePhotoVideoId] : [])));
  const kept = [...found.values()].filter(
    (a) => a.ownerId === options.ownerId && !a.isTrashed && types.includes(a.type as AssetTypeEnum) && !motion.has(a.id),
  );
  const assets = kept.map(toListed).sort((a, b) => cmp(a.facts.fileName, b.facts.fileName) || cmp(a.assetId, b.assetId));
  return { assets, skipped: found.size - kept.length };
}

async function albumIdsNamed(client: ImmichClient, name: string): Promise<string[]> {
  const albums = await client.albums();
  const ids = albums.filter((a) => a.albumName === name).map((a) => a.id);
  if (ids.length === 0) {
    const names = albums.map((a) => `"${a.albumName}"`).slice(0, 10);
    throw new AlbumNotFoundError(
      `--immich-album: no album is named "${name}" on the server${names.length > 0 ? ` (there are ${names.join(', ')}${albums.length > 10 ? ', …' : ''})` : ''}`,
    );
  }
  return ids;
}

/** The listing's facts about one asset, in the catalog's terms. */
export function toListed(a: AssetDto): ListedAsset {
  const exif = a.exifInfo;
  const width = positive(exif?.exifImageWidth) ?? positive(a.width) ?? 0;
  const height = positive(exif?.exifImageHeight) ?? positive(a.height) ?? 0;
  const facts: AssetFacts = {
    fileName: a.originalFileName,
    originalPath: a.originalPath ?? null,
    mime: a.originalMimeType ?? null,
    createdAt: a.fileCreatedAt,
    modifiedMs: Date.parse(a.fileModifiedAt),
    takenAt: captureTime(a),
    width,
    height,
    size: positive(exif?.fileSizeInByte) ?? 0,
    isFavorite: a.isFavorite,
    visibility: a.visibility,
    make: exif?.make ?? null,
    model: exif?.model ?? null,
    lens: exif?.lensModel ?? null,
    fNumber: exif?.fNumber ?? null,
    focalLength: exif?.focalLength ?? null,
    iso: exif?.iso ?? null,
    exposureTime: exif?.exposureTime ?? null,
    gps:
      typeof exif?.latitude === 'number' && typeof exif.longitude === 'number'
        ? { latitude: exif.latitude, longitude: exif.longitude, altitude: null }
        : null,
    thumbhash: a.thumbhash,
    // Hidden people were hidden on purpose: they do not name albums.
    people: (a.people ?? []).filter((p) => p.name.trim() !== '' && p.isHidden !== true).map((p) => p.name),
    ...(a.type === AssetTypeEnum.Video ? { durationS: (a.duration ?? 0) / 1000 } : {}),
    ...(a.livePhotoVideoId ? { livePhotoVideoId: a.livePhotoVideoId } : {}),
  };
  return { assetId: a.id, checksum: a.checksum, facts };
}

/**
 * The camera's wall clock, from EXIF only. `localDateTime` is that clock written as if it were
 * UTC — this project's convention — and `dateTimeOriginal` the real instant, so their difference
 * is the offset. Without an EXIF date the server stores the earliest file time as
 * `dateTimeOriginal`, with no zone — for an upload, its modification time. That is no capture
 * time (a copy exported today would look taken today, and could never be a copy of its original):
 * then there is none.
 */
export function captureTime(a: AssetDto): CaptureTime | null {
  const original = a.exifInfo?.dateTimeOriginal;
  if (original === null || original === undefined) return null;
  const instant = Date.parse(original);
  const local = Date.parse(a.localDateTime);
  if (Number.isNaN(instant) || Number.isNaN(local)) return null;
  const hasZone = typeof a.exifInfo?.timeZone === 'string' && a.exifInfo.timeZone !== '';
  if (!hasZone && instant === Date.parse(a.fileModifiedAt)) return null;
  return { wallClockMs: local, offsetMinutes: hasZone ? Math.round((local - instant) / 60_000) : null, source: 'DateTimeOriginal' };
}

/** Ids of the images showing a person. */
export async function assetsOfPerson(client: ImmichClient, personId: string): Promise<Set<string>> {
  return new Set((await searchAll(client, { personIds: [personId], type: AssetTypeEnum.Image, withExif: false })).map((a) => a.id));
}

/** Most results taken from a smart search: CLIP ranks the whole library, so it needs a cut. */
export const SMART_SEARCH_MAX = 1000;

/** Ids of the best SMART_SEARCH_MAX images for a CLIP query, page by page. */
export async function smartSearchIds(client: ImmichClient, query: string): Promise<Set<string>> {
  const ids = new Set<string>();
  for (let page = 1; ids.size < SMART_SEARCH_MAX; ) {
    const answer = await client.searchSmart({ query, type: AssetTypeEnum.Image, page, size: 250 });
    for (const a of answer.assets.items) if (ids.size < SMART_SEARCH_MAX) ids.add(a.id);
    const next = answer.assets.nextPage === null ? Number.NaN : Number.parseInt(answer.assets.nextPage, 10);
    if (!Number.isInteger(next) || next <= page || answer.assets.items.length === 0) break;
    page = next;
  }
  return ids;
}

/** The server's duplicate groups, as asset ids. */
export async function serverDuplicates(client: ImmichClient): Promise<string[][]> {
  return (await client.duplicates()).map((d) => d.assets.map((a) => a.id));
}

/** Faces the server found in each asset, at most 4 requests at once. */
export async function serverFaces(client: ImmichClient, assetIds: readonly string[]): Promise<Map<string, ServerFace[]>> {
  const faces = await mapLimit(assetIds, 4, (id) => client.faces(id));
  return new Map(
    assetIds.map((id, i) => [
      id,
      faces[i]!.map((f) => ({
        x1: f.boundingBoxX1,
        y1: f.boundingBoxY1,
        x2: f.boundingBoxX2,
        y2: f.boundingBoxY2,
        imageWidth: f.imageWidth,
        imageHeight: f.imageHeight,
      })),
    ]),
  );
}

function positive(n: number | null | undefined): number | null {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
