/**
 * The parts of Immich's responses this tool relies on, validated where they enter (client.ts).
 * Written against the DTOs of @immich/sdk 3.1.0; unknown fields are ignored, so a newer minor
 * version that adds fields still passes, and one that drops a field we need fails loudly.
 */
import { z } from 'zod';
import { ImmichResponseError } from './errors.js';

const isoDate = z.string().min(1);

export const ServerVersionSchema = z.object({
  major: z.int().nonnegative(),
  minor: z.int().nonnegative(),
  patch: z.int().nonnegative(),
});

export const UserSchema = z.object({ id: z.string().min(1), email: z.string(), name: z.string() });

const PersonRefSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  isFavorite: z.boolean().optional(),
  isHidden: z.boolean().optional(),
});

export const ExifSchema = z.object({
  dateTimeOriginal: isoDate.nullish(),
  timeZone: z.string().nullish(),
  exifImageWidth: z.number().nullish(),
  exifImageHeight: z.number().nullish(),
  fileSizeInByte: z.number().nullish(),
  make: z.string().nullish(),
  model: z.string().nullish(),
  lensModel: z.string().nullish(),
  fNumber: z.number().nullish(),
  focalLength: z.number().nullish(),
  iso: z.number().nullish(),
  exposureTime: z.string().nullish(),
  orientation: z.string().nullish(),
  latitude: z.number().nullish(),
  longitude: z.number().nullish(),
});

export const AssetSchema = z.object({
  id: z.string().min(1),
  type: z.string(),
  ownerId: z.string(),
  originalFileName: z.string(),
  originalPath: z.string().optional(),
  originalMimeType: z.string().optional(),
  checksum: z.string(),
  fileCreatedAt: isoDate,
  fileModifiedAt: isoDate,
  localDateTime: isoDate,
  isFavorite: z.boolean(),
  isTrashed: z.boolean(),
  visibility: z.string(),
  thumbhash: z.string().nullable(),
  width: z.number().nullable().optional(),
  height: z.number().nullable().optional(),
  exifInfo: ExifSchema.optional(),
  people: z.array(PersonRefSchema).optional(),
  /** Milliseconds of a VIDEO asset (v3; null for stills and before extraction). */
  duration: z.number().nonnegative().nullish(),
  /** A Live Photo still's motion part: a VIDEO asset the server hides from the timeline. */
  livePhotoVideoId: z.string().min(1).nullish(),
});

/**
 * GET /api/assets/{id} as the settling check reads it: `updatedAt` moves when the server's
 * metadata re-extraction (which follows every sidecar write) has run; `tags` are the links now.
 */
export const AssetStampSchema = z.object({
  id: z.string().min(1),
  updatedAt: isoDate,
  tags: z.array(z.object({ value: z.string() })).optional(),
});
export type AssetStamp = z.infer<typeof AssetStampSchema>;

export const SearchResponseSchema = z.object({
  assets: z.object({
    items: z.array(AssetSchema),
    // v3 pages with a string token; null on the last page.
    nextPage: z.string().nullable(),
  }),
});

/** POST /api/search/metadata read for watch mode: which assets changed, and when (the server's clock). */
export const StampSearchSchema = z.object({
  assets: z.object({
    items: z.array(z.object({ id: z.string().min(1), updatedAt: isoDate, isTrashed: z.boolean() })),
    nextPage: z.string().nullable(),
  }),
});

export const TagSchema = z.object({
  id: z.string().min(1),
  name: z.string(),
  value: z.string(),
  parentId: z.string().optional(),
});

export const TagBulkResponseSchema = z.object({ count: z.int().nonnegative() });

export const BulkIdResultSchema = z.object({
  id: z.string(),
  success: z.boolean(),
  error: z.string().optional(),
  errorMessage: z.string().optional(),
});

export const AlbumSchema = z.object({
  id: z.string().min(1),
  albumName: z.string(),
  assetCount: z.int().nonnegative(),
  description: z.string().optional(),
});

export const StackSchema = z.object({
  id: z.string().min(1),
  primaryAssetId: z.string().min(1),
  assets: z.array(z.object({ id: z.string().min(1) })),
});

export const PeoplePageSchema = z.object({
  people: z.array(PersonRefSchema),
  hasNextPage: z.boolean().optional(),
  total: z.int().nonnegative(),
});

export const FaceSchema = z.object({
  id: z.string(),
  boundingBoxX1: z.number(),
  boundingBoxY1: z.number(),
  boundingBoxX2: z.number(),
  boundingBoxY2: z.number(),
  imageWidth: z.number(),
  imageHeight: z.number(),
  person: PersonRefSchema.nullable(),
});

export const DuplicateSchema = z.object({
  duplicateId: z.string(),
  assets: z.array(AssetSchema),
});

export type ServerVersion = z.infer<typeof ServerVersionSchema>;
export type ImmichUser = z.infer<typeof UserSchema>;
export type AssetDto = z.infer<typeof AssetSchema>;
export type TagDto = z.infer<typeof TagSchema>;
export type BulkIdResult = z.infer<typeof BulkIdResultSchema>;
export type AlbumDto = z.infer<typeof AlbumSchema>;
export type StackDto = z.infer<typeof StackSchema>;
export type PersonDto = z.infer<typeof PersonRefSchema>;
export type FaceDto = z.infer<typeof FaceSchema>;
export type DuplicateDto = z.infer<typeof DuplicateSchema>;

/** Validates `value` against `schema`; the error names the request and the first wrong fields. */
export function parseResponse<T>(schema: z.ZodType<T>, value: unknown, request: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(body)'}: ${i.message}`)
    .join('; ');
  throw new ImmichResponseError(`Immich answered ${request} with an unexpected body (${issues}); is the server an Immich v3?`);
}
