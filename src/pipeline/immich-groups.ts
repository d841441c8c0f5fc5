/**
 * Groups for an Immich run: the thumbhash prefilter that picks what to download, the grouping of
 * the downloaded candidates (core/grouping.ts, the same as for folders), the ranking (with the
 * server's faces when asked) and the conversion of assets into the Photo records that the
 * output tree and the report share with local runs.
 */
import type { StoredAsset } from '../catalog/immich.js';
import { sketchReader } from '../catalog/photos.js';
import type { Db } from '../catalog/database.js';
import type { StoredGroup } from '../catalog/runs.js';
import type { AdjustedGroup } from '../core/decisions.js';
import { groupPhotos } from '../core/grouping.js';
import { type PrefilterItem, selectCandidates, thumbFeatures } from '../core/prefilter.js';
import { rankGroupWithFaces } from '../core/face-scoring.js';
import type { FaceAnalysis } from '../core/faces.js';
import { rankGroup } from '../core/scoring.js';
import { rankWithServerFaces, type ServerFace } from '../core/server-faces.js';
import { prepareSketch } from '../core/similarity.js';
import type { Decision, GroupKind, Photo, PhotoMetadata } from '../core/types.js';
import { lruCache } from './lru.js';
import type { RunOptions } from './options.js';

/** The photos one grouping pass looks at: the whole listing, one person's photos, or server duplicates. */
export interface Subset {
  /** Person mode: whose photos these are. */
  readonly person: string | null;
  readonly assets: readonly StoredAsset[];
  /** Server duplicate groups (row ids): grouping is skipped, these are the groups. */
  readonly fixedGroups: readonly (readonly number[])[] | null;
}

export interface RankedGroup {
  readonly kind: GroupKind;
  readonly person: string | null;
  /** Members in grouping order, each with its verdict. */
  readonly members: readonly { readonly asset: StoredAsset; readonly decision: Decision }[];
}

/** A group as the output tree, the actions and the report take it: with its folder/tag number. */
export interface NumberedGroup extends RankedGroup {
  /** group_0001 is 1; a part split off in review is numbered after the run's groups. */
  readonly number: number;
}

/** The groups to store for a run (numbered 1…n in order): what review decisions replay on. */
export function storedGroups(ranked: readonly RankedGroup[]): StoredGroup[] {
  return ranked.map((g, i) => ({
    number: i + 1,
    kind: g.kind,
    person: g.person,
    members: g.members.map((m) => ({ photoId: m.asset.id, score: m.decision.score, reason: m.decision.reason, isBest: m.decision.isBest })),
  }));
}

/**
 * Groups adjusted by review decisions (core/decisions.ts) back in asset terms. A group keeps the
 * person of the run's group it comes from; `automatic` is that run's stored groups.
 */
export function numberedGroups(adjusted: readonly AdjustedGroup[], automatic: readonly StoredGroup[], assets: ReadonlyMap<number, StoredAsset>): NumberedGroup[] {
  const personOf = new Map(automatic.map((g) => [g.number, g.person]));
  return adjusted.map((g) => ({
    number: g.number,
    kind: g.kind,
    person: personOf.get(g.order) ?? null,
    members: g.members.map((m) => {
      const asset = assets.get(m.photoId);
      if (asset === undefined) throw new Error(`Asset ${m.photoId} of group ${g.number} is not in the catalog`);
      return { asset, decision: m };
    }),
  }));
}

/** Row ids worth downloading for a subset: thumbhash candidates, or every duplicate-group member. */
export function candidatesOf(subset: Subset, options: RunOptions): { ids: Set<number> } {
  if (subset.fixedGroups !== null) return { ids: new Set(subset.fixedGroups.flat()) };
  const items: PrefilterItem[] = subset.assets.map((a) => ({ thumb: thumbOf(a), takenAtMs: a.facts.takenAt?.wallClockMs ?? null }));
  const result = selectCandidates(items, { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize });
  return { ids: new Set(result.candidates.map((i) => subset.assets[i]!.id)) };
}

function thumbOf(a: StoredAsset): ReturnType<typeof thumbFeatures> | null {
  if (a.facts.thumbhash === null) return null;
  try {
    return thumbFeatures(new Uint8Array(Buffer.from(a.facts.thumbhash, 'base64')));
  } catch {
    // A thumbhash we cannot read is as good as none: the photo is downloaded and judged for real.
    return null;
  }
}

/** Groups a subset's fingerprinted candidates (in listing order) on their real sketches. */
export function groupSubset(db: Db, subset: Subset, candidates: ReadonlySet<number>, byId: ReadonlyMap<number, StoredAsset>, options: RunOptions): { kind: GroupKind; members: StoredAsset[] }[] {
  if (subset.fixedGroups !== null) {
    return subset.fixedGroups
      .map((ids) => ids.map((id) => byId.get(id)).filter((a): a is StoredAsset => a !== undefined && a.dhash !== null))
      .filter((members) => members.length >= Math.max(2, options.minGroupSize))
      .map((members) => ({ kind: 'duplicate' as const, members }));
  }
  const items = subset.assets.map((a) => byId.get(a.id)!).filter((a) => candidates.has(a.id) && a.dhash !== null);
  const read = sketchReader(db, 'immich_assets');
  const sketchOf = lruCache(4096, (index: number) => {
    const s = read(items[index]!.id);
    return s ? prepareSketch(s.sketch, s.color) : null;
  });
  const result = groupPhotos(
    items.map((a) => ({ dhash: a.dhash!, takenAtMs: a.facts.takenAt?.wallClockMs ?? null })),
    { threshold: options.threshold, timeWindowS: options.timeWindow, minGroupSize: options.minGroupSize },
    sketchOf,
  );
  return result.groups.map((g) => ({ kind: g.kind, members: g.members.map((i) => items[i]!) }));
}

/**
 * Ranks a group on its fingerprints and faces: the faces the server found when asked for
 * (--immich-use-server-faces), else the built-in analysis of the pictures when every member has
 * one (eyes, smiles, face sharpness, as for folders), else whole-image measures alone.
 */
export function rankMembers(
  members: readonly StoredAsset[],
  serverFaces: ReadonlyMap<string, ServerFace[]> | null,
  analyses: ReadonlyMap<number, FaceAnalysis> | null,
): Decision[] {
  const inputs = members.map((a) => ({ id: a.id, quality: a.quality!, size: a.facts.size, name: a.facts.fileName }));
  if (serverFaces !== null) return rankWithServerFaces(rankGroup(inputs), members.map((a) => serverFaces.get(a.assetId) ?? null));
  if (analyses === null) return rankGroup(inputs);
  return rankGroupWithFaces(inputs.map((x) => ({ ...x, faces: analyses.get(x.id) ?? null })));
}

/** Names for reports and messages: the file name, with the asset id's start where names repeat. */
export function displayNames(assets: readonly StoredAsset[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const a of assets) count.set(a.facts.fileName, (count.get(a.facts.fileName) ?? 0) + 1);
  return new Map(assets.map((a) => [a.assetId, count.get(a.facts.fileName)! > 1 ? `${a.facts.fileName} [${a.assetId.slice(0, 8)}]` : a.facts.fileName || a.assetId]));
}

/** Metadata of an asset from the listing (EXIF as the server read it from the original). */
export function metaOf(a: StoredAsset): PhotoMetadata {
  const f = a.facts;
  const exif: [string, string][] = [];
  if (f.createdAt) exif.push(['FileCreatedAt', f.createdAt]);
  return {
    format: formatOf(f.mime, f.fileName),
    width: f.width,
    height: f.height,
    orientation: 1,
    takenAt: f.takenAt,
    make: f.make,
    model: f.model,
    lens: f.lens,
    exposureTime: seconds(f.exposureTime),
    fNumber: f.fNumber,
    iso: f.iso,
    focalLength: f.focalLength,
    gps: f.gps,
    exif,
  };
}

/** A Photo record for the report and the output tree; `path` is the picture file (or the asset's page). */
export function photoOf(a: StoredAsset, path: string, name: string, size: number, mtimeMs: number): Photo {
  return { id: a.id, path, relativePath: name, size, mtimeMs, meta: metaOf(a), dhash: a.dhash ?? 0n, quality: a.quality! };
}

function formatOf(mime: string | null, fileName: string): string {
  const m = (mime ?? '').toLowerCase();
  if (m.includes('jpeg')) return 'jpeg';
  if (m.includes('png')) return 'png';
  if (m.includes('webp')) return 'webp';
  if (m.includes('heic') || m.includes('heif') || m.includes('avif')) return 'heif';
  if (m.includes('tiff')) return 'tiff';
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'heic' || ext === 'heif') return 'heif';
  return ext !== '' && ext.length <= 5 ? ext : 'image';
}

/** `1/250` or `0.004` → seconds. */
function seconds(text: string | null): number | null {
  if (text === null) return null;
  const frac = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (frac) return Number(frac[2]) > 0 ? Number(frac[1]) / Number(frac[2]) : null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}
