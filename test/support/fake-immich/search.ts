/**
 * The fake server's search routes (POST /api/search/metadata and /smart): the filters, order and
 * paging of the real server's searchAssetBuilder, on the fake's state; and the id schemas the other routes share.
 */
import type { AssetResponseDto, SearchResponseDto } from '@immich/sdk';
import { z } from 'zod';
import type { FakeImmichState } from './state.js';

export const uuid = z.uuid();
export const uuids = z.array(uuid);
export const visibility = z.enum(['archive', 'timeline', 'hidden', 'locked']);
export const searchSchema = z.object({
  page: z.int().min(1).optional(),
  size: z.int().min(1).max(1000).optional(),
  albumIds: uuids.optional(),
  personIds: uuids.optional(),
  tagIds: uuids.nullable().optional(),
  id: uuid.optional(),
  isFavorite: z.boolean().optional(),
  visibility: visibility.optional(),
  type: z.enum(['IMAGE', 'VIDEO', 'AUDIO', 'OTHER']).optional(),
  withExif: z.boolean().optional(),
  withPeople: z.boolean().optional(),
  withDeleted: z.boolean().optional(),
  updatedAfter: z.iso.datetime().optional(),
  trashedAfter: z.iso.datetime().optional(),
  order: z.enum(['asc', 'desc']).optional(),
});
export const smartSchema = searchSchema.extend({ query: z.string().optional() });

/** One page of the assets `dto` asks for; `ranked`: a smart search's order (null: newest first). */
export function searchAssets(
  s: FakeImmichState,
  dto: z.infer<typeof smartSchema>,
  ranked: string[] | null,
  pageCap: number,
): SearchResponseDto {
  let ids = ranked ?? [...s.assets.keys()];
  const has = (a: string, pred: (x: ReturnType<typeof s.assets.get>) => boolean): boolean => pred(s.assets.get(a));
  ids = ids.filter((a) =>
    has(a, (x) => {
      // As the server's searchAssetBuilder: trashedAfter implies withDeleted; both bounds inclusive.
      if (!x || (x.isTrashed && dto.withDeleted !== true && dto.trashedAfter === undefined)) return false;
      if (dto.updatedAfter !== undefined && Date.parse(x.updatedAt) < Date.parse(dto.updatedAfter)) return false;
      if (dto.trashedAfter !== undefined && (x.trashedAt === null || Date.parse(x.trashedAt) < Date.parse(dto.trashedAfter))) return false;
      if (dto.visibility !== undefined ? x.visibility !== dto.visibility : x.visibility !== 'timeline' && x.visibility !== 'archive')
        return false;
      if (dto.isFavorite !== undefined && x.isFavorite !== dto.isFavorite) return false;
      if (dto.type !== undefined && (x.seed.durationMs === undefined ? 'IMAGE' : 'VIDEO') !== dto.type) return false;
      if (dto.id !== undefined && a !== dto.id) return false;
      if (dto.albumIds && !dto.albumIds.every((al) => s.albums.get(al)?.assets.has(a) === true)) return false;
      if (dto.personIds && !dto.personIds.every((p) => x.people.includes(p))) return false;
      if (dto.tagIds && !dto.tagIds.every((t) => s.tagLinks.has(`${t}|${a}`))) return false;
      return true;
    }),
  );
  if (ranked === null) {
    const at = (a: string): string => s.assets.get(a)!.seed.fileCreatedAt;
    ids.sort((x, y) => (at(x) < at(y) ? -1 : at(x) > at(y) ? 1 : x < y ? -1 : 1));
    if (dto.order !== 'asc') ids.reverse();
  }
  const page = dto.page ?? 1;
  const size = Math.min(dto.size ?? 250, pageCap);
  const slice = ids.slice((page - 1) * size, page * size);
  const items: AssetResponseDto[] = slice.map((a) =>
    s.assetDto(a, { withExif: dto.withExif === true, withPeople: dto.withPeople === true }),
  );
  return {
    albums: { total: 0, count: 0, items: [], facets: [] },
    assets: { total: items.length, count: items.length, items, facets: [], nextPage: page * size < ids.length ? String(page + 1) : null },
  };
}
