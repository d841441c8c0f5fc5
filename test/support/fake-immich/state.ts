/**
 * The fake Immich server's data and its rules, modelled on the v3 server (services read from
 * immich-app/immich): hierarchical tags upserted by full value, tag links that are upserts,
 * albums whose responses carry no asset list, stacks that absorb the stacks of their assets,
 * `visibility` (not `isArchived`) for archiving. Every response is typed by @immich/sdk.
 */
import { randomUUID } from 'node:crypto';
import {
  AssetTypeEnum,
  AssetVisibility,
  BulkIdErrorReason,
  UserAvatarColor,
  UserStatus,
  type AlbumResponseDto,
  type AssetFaceResponseDto,
  type AssetResponseDto,
  type BulkIdResponseDto,
  type DuplicateResponseDto,
  type PersonResponseDto,
  type StackResponseDto,
  type TagResponseDto,
  type UserAdminResponseDto,
} from '@immich/sdk';
import type { SeedAsset } from './seed.js';

export interface FakeAsset {
  readonly seed: SeedAsset;
  ownerId: string;
  isFavorite: boolean;
  visibility: 'timeline' | 'archive' | 'hidden' | 'locked';
  isTrashed: boolean;
  /** Person ids recognised in it. */
  people: string[];
  /** Moves when its metadata is (re-)extracted or its flags change, as on the real server. */
  updatedAt: string;
  /** When it went to the trash (the server's `deletedAt`); null while it is not trashed. */
  trashedAt: string | null;
  /** Tag values in its XMP sidecar (`digiKam:TagsList`); null while it has none. */
  sidecar: string[] | null;
  /** Set by a tag change, cleared by the sidecar write: a locked extraction keeps the links. */
  tagsLocked: boolean;
  /** The server could not render it (an HEVC HEIC): no thumbhash, and its previews answer 404. */
  noMedia: boolean;
  /** A Live Photo still's motion part (see linkLivePhoto). */
  livePhotoVideoId: string | null;
}

export interface FakeTag {
  readonly id: string;
  readonly value: string;
  readonly parentId: string | null;
}

export interface FakeAlbum {
  readonly id: string;
  albumName: string;
  description: string;
  readonly assets: Set<string>;
  readonly ownerId: string;
}

export interface FakeStack {
  readonly id: string;
  primary: string;
  readonly assets: string[];
}

export interface FakePerson {
  readonly id: string;
  name: string;
  isFavorite: boolean;
  isHidden: boolean;
}

export interface FakeFace {
  readonly personId: string | null;
  readonly box: readonly [x1: number, y1: number, x2: number, y2: number];
}

/** The "Not found or no … access" 400 Immich answers for ids the key cannot reach. */
export class NoAccess extends Error {
  constructor(permission: string) {
    super(`Not found or no ${permission} access`);
  }
}

const STAMP = '2025-01-01T00:00:00.000Z';

const VISIBILITY: Readonly<Record<FakeAsset['visibility'], AssetVisibility>> = {
  timeline: AssetVisibility.Timeline,
  archive: AssetVisibility.Archive,
  hidden: AssetVisibility.Hidden,
  locked: AssetVisibility.Locked,
};

export class FakeImmichState {
  readonly user = { id: '6c1c3c2e-0d6e-4d6f-9a0e-0c1d2e3f4a5b', email: 'me@example.com', name: 'Me' };
  readonly assets = new Map<string, FakeAsset>();
  readonly tags = new Map<string, FakeTag>();
  /** `${tagId}|${assetId}` */
  readonly tagLinks = new Set<string>();
  readonly albums = new Map<string, FakeAlbum>();
  readonly stacks = new Map<string, FakeStack>();
  readonly people = new Map<string, FakePerson>();
  readonly faces = new Map<string, FakeFace[]>();
  duplicates: { id: string; assets: string[] }[] = [];
  /** Smart-search query → asset ids, best first. */
  readonly smart = new Map<string, string[]>();
  version = { major: 3, minor: 1, patch: 0 };

  constructor(seeds: readonly SeedAsset[]) {
    for (const seed of seeds) this.upload(seed, STAMP);
  }

  /** A new asset, as an upload makes it (created and updated `at`). */
  upload(seed: SeedAsset, at: string = new Date().toISOString()): void {
    this.assets.set(seed.id, {
      seed,
      ownerId: this.user.id,
      isFavorite: false,
      visibility: 'timeline',
      isTrashed: false,
      trashedAt: null,
      people: [],
      updatedAt: at,
      sidecar: null,
      tagsLocked: false,
      noMedia: false,
      livePhotoVideoId: null,
    });
  }

  /**
   * Links a Live Photo as the server does on upload with `livePhotoVideoId` (utils/asset.util.ts
   * onBeforeLink) or on metadata extraction (metadata.service linkLivePhotos): the still points at
   * the video, and the video leaves the timeline (visibility `hidden`) and every album.
   */
  linkLivePhoto(stillId: string, motionId: string): void {
    const motion = this.assets.get(motionId)!;
    if (motion.seed.durationMs === undefined) throw new NoAccess('Live photo video must be a video');
    this.assets.get(stillId)!.livePhotoVideoId = motionId;
    motion.visibility = 'hidden';
    // Measured on the v3.1.0 server: a hidden motion clip gets no thumbnail, so no thumbhash either.
    motion.noMedia = true;
    for (const album of this.albums.values()) album.assets.delete(motionId);
  }

  /** Moves an asset to the trash, as DELETE /api/assets without force does (its updatedAt moves too). */
  trash(id: string, at: string = new Date().toISOString()): void {
    const a = this.assets.get(id)!;
    a.isTrashed = true;
    a.trashedAt = at;
    a.updatedAt = at;
  }

  me(): UserAdminResponseDto {
    return {
      ...this.user,
      avatarColor: UserAvatarColor.Primary,
      createdAt: STAMP,
      deletedAt: null,
      isAdmin: true,
      license: null,
      oauthId: '',
      profileChangedAt: STAMP,
      profileImagePath: '',
      quotaSizeInBytes: null,
      quotaUsageInBytes: null,
      shouldChangePassword: false,
      status: UserStatus.Active,
      storageLabel: null,
      updatedAt: STAMP,
    };
  }

  /** The asset as the API shows it; EXIF and people only when asked, as the search does. */
  assetDto(id: string, options: { withExif?: boolean; withPeople?: boolean; withTags?: boolean } = {}): AssetResponseDto {
    const a = this.assets.get(id)!;
    const s = a.seed;
    const dto: AssetResponseDto = {
      id,
      type: s.durationMs === undefined ? AssetTypeEnum.Image : AssetTypeEnum.Video,
      ownerId: a.ownerId,
      originalFileName: s.originalFileName,
      originalMimeType: s.mime,
      originalPath: `/data/library/${a.ownerId}/${s.relativePath}`,
      checksum: s.checksum,
      createdAt: STAMP,
      updatedAt: a.updatedAt,
      fileCreatedAt: s.fileCreatedAt,
      fileModifiedAt: s.fileModifiedAt,
      localDateTime: s.localDateTime,
      duration: s.durationMs ?? null,
      livePhotoVideoId: a.livePhotoVideoId,
      hasMetadata: true,
      height: s.height,
      width: s.width,
      isArchived: a.visibility === 'archive',
      isEdited: false,
      isFavorite: a.isFavorite,
      isOffline: false,
      isTrashed: a.isTrashed,
      thumbhash: a.noMedia ? null : s.thumbhash,
      visibility: VISIBILITY[a.visibility],
    };
    if (options.withExif === true) {
      dto.exifInfo = {
        dateTimeOriginal: s.dateTimeOriginal,
        timeZone: s.timeZone,
        exifImageWidth: s.width,
        exifImageHeight: s.height,
        fileSizeInByte: s.original.length,
        make: s.camera.make,
        model: s.camera.model,
        exposureTime: s.camera.exposureTime,
        fNumber: s.camera.fNumber,
        iso: s.camera.iso,
      };
    }
    if (options.withPeople === true) dto.people = a.people.map((p) => this.personDto(p));
    if (options.withTags === true) dto.tags = this.tagValuesOf(id).map((v) => this.tagDto(this.tagByValue(v)!));
    const stack = this.stackOf(id);
    if (stack) dto.stack = { id: stack.id, primaryAssetId: stack.primary, assetCount: stack.assets.length };
    return dto;
  }

  /** Assets the user may change; throws NoAccess naming the permission when any id is not one. */
  requireAssets(ids: readonly string[], permission = 'asset.update'): void {
    for (const id of ids) {
      const a = this.assets.get(id);
      if (!a || a.ownerId !== this.user.id) throw new NoAccess(permission);
    }
  }

  // Tags ---------------------------------------------------------------------------------------

  tagDto(t: FakeTag): TagResponseDto {
    const dto: TagResponseDto = { id: t.id, name: t.value.split('/').at(-1)!, value: t.value, createdAt: STAMP, updatedAt: STAMP };
    if (t.parentId !== null) dto.parentId = t.parentId;
    return dto;
  }

  tagByValue(value: string): FakeTag | undefined {
    return [...this.tags.values()].find((t) => t.value === value);
  }

  /** PUT /api/tags: creates each missing level of each path; answers the leaf of each path. */
  upsertTags(values: readonly string[]): TagResponseDto[] {
    const leaves: FakeTag[] = [];
    for (const value of new Set(values)) {
      const parts = value.split('/');
      let parentId: string | null = null;
      for (let i = 0; i < parts.length; i++) {
        const full = parts.slice(0, i + 1).join('/');
        let tag = this.tagByValue(full);
        if (!tag) {
          tag = { id: randomUUID(), value: full, parentId };
          this.tags.set(tag.id, tag);
        }
        parentId = tag.id;
        if (i === parts.length - 1) leaves.push(tag);
      }
    }
    return leaves.map((t) => this.tagDto(t));
  }

  /** PUT /api/tags/assets: unknown ids are dropped (checkAccess filters); answers new links only. */
  tagAssets(tagIds: readonly string[], assetIds: readonly string[], changed = new Set<string>()): number {
    let count = 0;
    for (const t of tagIds.filter((id) => this.tags.has(id))) {
      for (const a of assetIds.filter((id) => this.assets.get(id)?.ownerId === this.user.id)) {
        const key = `${t}|${a}`;
        if (!this.tagLinks.has(key)) {
          this.tagLinks.add(key);
          changed.add(a);
          count++;
        }
      }
    }
    return count;
  }

  untagAssets(tagId: string, assetIds: readonly string[]): BulkIdResponseDto[] {
    if (!this.tags.has(tagId)) throw new NoAccess('tag.asset');
    return assetIds.map((a) => {
      const key = `${tagId}|${a}`;
      if (!this.tagLinks.has(key)) return { id: a, success: false, error: BulkIdErrorReason.NotFound };
      this.tagLinks.delete(key);
      return { id: a, success: true };
    });
  }

  /** DELETE /api/tags/{id}: the tag, its descendants and their links. */
  deleteTag(id: string): void {
    const tag = this.tags.get(id);
    if (!tag) throw new NoAccess('tag.delete');
    for (const t of [...this.tags.values()]) {
      if (t.id === id || t.value.startsWith(`${tag.value}/`)) {
        this.tags.delete(t.id);
        for (const key of [...this.tagLinks]) if (key.startsWith(`${t.id}|`)) this.tagLinks.delete(key);
      }
    }
  }

  /** Full values of the tags an asset carries, sorted. */
  tagValuesOf(assetId: string): string[] {
    return [...this.tagLinks]
      .filter((k) => k.endsWith(`|${assetId}`))
      .map((k) => this.tags.get(k.slice(0, k.indexOf('|')))!.value)
      .sort();
  }

  assetsTagged(tagId: string): Set<string> {
    return new Set([...this.tagLinks].filter((k) => k.startsWith(`${tagId}|`)).map((k) => k.slice(tagId.length + 1)));
  }

  // Albums -------------------------------------------------------------------------------------

  albumDto(a: FakeAlbum): AlbumResponseDto {
    return {
      id: a.id,
      albumName: a.albumName,
      description: a.description,
      albumThumbnailAssetId: [...a.assets][0] ?? null,
      albumUsers: [],
      assetCount: a.assets.size,
      createdAt: STAMP,
      updatedAt: STAMP,
      hasSharedLink: false,
      isActivityEnabled: true,
      shared: false,
    };
  }

  createAlbum(name: string, description: string, assetIds: readonly string[]): AlbumResponseDto {
    const album: FakeAlbum = { id: randomUUID(), albumName: name, description, assets: new Set(), ownerId: this.user.id };
    for (const a of assetIds) if (this.assets.get(a)?.ownerId === this.user.id) album.assets.add(a);
    this.albums.set(album.id, album);
    return this.albumDto(album);
  }

  addToAlbum(id: string, assetIds: readonly string[]): BulkIdResponseDto[] {
    const album = this.albums.get(id);
    if (!album) throw new NoAccess('albumAsset.create');
    return assetIds.map((a) => {
      if (album.assets.has(a)) return { id: a, success: false, error: BulkIdErrorReason.Duplicate };
      if (this.assets.get(a)?.ownerId !== this.user.id) return { id: a, success: false, error: BulkIdErrorReason.NoPermission };
      album.assets.add(a);
      return { id: a, success: true };
    });
  }

  removeFromAlbum(id: string, assetIds: readonly string[]): BulkIdResponseDto[] {
    const album = this.albums.get(id);
    if (!album) throw new NoAccess('albumAsset.delete');
    return assetIds.map((a) =>
      album.assets.delete(a) ? { id: a, success: true } : { id: a, success: false, error: BulkIdErrorReason.NotFound },
    );
  }

  deleteAlbum(id: string): void {
    if (!this.albums.delete(id)) throw new NoAccess('album.delete');
  }

  // Stacks -------------------------------------------------------------------------------------

  stackOf(assetId: string): FakeStack | undefined {
    return [...this.stacks.values()].find((s) => s.assets.includes(assetId));
  }

  stackDto(s: FakeStack): StackResponseDto {
    return { id: s.id, primaryAssetId: s.primary, assets: s.assets.map((a) => this.assetDto(a)) };
  }

  /** POST /api/stacks: the first asset is the cover; stacks its assets were in are absorbed. */
  createStack(assetIds: readonly string[]): StackResponseDto {
    this.requireAssets(assetIds);
    const merged = [...assetIds];
    for (const s of [...this.stacks.values()]) {
      if (s.assets.some((a) => assetIds.includes(a))) {
        for (const a of s.assets) if (!merged.includes(a)) merged.push(a);
        this.stacks.delete(s.id);
      }
    }
    const stack: FakeStack = { id: randomUUID(), primary: assetIds[0]!, assets: merged };
    this.stacks.set(stack.id, stack);
    return this.stackDto(stack);
  }

  deleteStack(id: string): void {
    if (!this.stacks.delete(id)) throw new NoAccess('stack.delete');
  }

  // People and faces ---------------------------------------------------------------------------

  personDto(id: string): PersonResponseDto {
    const p = this.people.get(id)!;
    return { id: p.id, name: p.name, isFavorite: p.isFavorite, isHidden: p.isHidden, birthDate: null, thumbnailPath: '' };
  }

  /** Adds a person seen in `assetIds`, each face box given in the asset's own pixels. */
  addPerson(name: string, faces: ReadonlyMap<string, FakeFace['box']>, options: { isFavorite?: boolean } = {}): string {
    const id = randomUUID();
    this.people.set(id, { id, name, isFavorite: options.isFavorite ?? false, isHidden: false });
    for (const [assetId, box] of faces) {
      this.assets.get(assetId)!.people.push(id);
      this.faces.set(assetId, [...(this.faces.get(assetId) ?? []), { personId: id, box }]);
    }
    return id;
  }

  facesOf(assetId: string): AssetFaceResponseDto[] {
    const a = this.assets.get(assetId);
    if (!a) throw new NoAccess('face.read');
    return (this.faces.get(assetId) ?? []).map((f, i) => ({
      id: `${assetId.slice(0, 24)}${String(i).padStart(12, '0')}`,
      boundingBoxX1: f.box[0],
      boundingBoxY1: f.box[1],
      boundingBoxX2: f.box[2],
      boundingBoxY2: f.box[3],
      imageWidth: a.seed.width,
      imageHeight: a.seed.height,
      person: f.personId === null ? null : this.personDto(f.personId),
    }));
  }

  duplicateDtos(): DuplicateResponseDto[] {
    return this.duplicates.map((d) => ({ duplicateId: d.id, assets: d.assets.map((a) => this.assetDto(a)), suggestedKeepAssetIds: [] }));
  }
}
