/**
 * The built-in face analysis for an Immich run: the grouped assets' pictures (the ones their
 * fingerprints were made from, from the download cache) analyzed like a folder's photos, stored
 * per asset and picture (catalog/faces.ts ASSET_FACES), so a re-run analyzes nothing twice.
 */
import type { Db } from '../catalog/database.js';
import { ASSET_FACES, loadFaceAnalyses } from '../catalog/faces.js';
import type { StoredAsset } from '../catalog/immich.js';
import { facesDecide } from '../core/face-scoring.js';
import type { FaceAnalysis } from '../core/faces.js';
import type { GroupKind } from '../core/types.js';
import { ImmichError } from '../immich/errors.js';
import { cacheKey, type PictureContext, pictureFile } from './immich-pictures.js';
import type { RunOptions } from './options.js';
import type { ProgressSink } from './progress.js';
import { analyzeFaces, type AnalyzeStageResult, type StartFacePool } from './stages/analyze.js';

export interface AssetFacesContext {
  readonly db: Db;
  readonly pictures: Omit<PictureContext, 'db' | 'threads' | 'sink'>;
  readonly options: Pick<RunOptions, 'faceBackend' | 'threads'>;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
  /** Tests run the stage without TF.js. */
  readonly startPool?: StartFacePool;
}

export interface AssetFaces extends AnalyzeStageResult {
  /** The current analyses of the grouped assets whose ranking looks at faces; null without an analyzer. */
  readonly faces: ReadonlyMap<number, FaceAnalysis> | null;
}

export async function analyzeAssetFaces(ctx: AssetFacesContext, groups: readonly { readonly kind: GroupKind; readonly members: readonly StoredAsset[] }[]): Promise<AssetFaces> {
  const assets = new Map(
    groups
      .filter((g) => facesDecide(g.kind, g.members.map((a) => a.facts.takenAt?.wallClockMs ?? null)))
      .flatMap((g) => g.members.map((a) => [a.id, a] as const)),
  );
  const ids = [...assets.keys()];
  const result = await analyzeFaces(
    {
      db: ctx.db,
      tables: ASSET_FACES,
      ids,
      files: async (pending) => {
        const held: StoredAsset[] = [];
        const tasks: { id: number; path: string }[] = [];
        for (const id of pending) {
          const asset = assets.get(id)!;
          try {
            tasks.push({ id, path: await pictureFile(ctx.pictures, asset) });
            held.push(asset);
          } catch (error) {
            if (!(error instanceof ImmichError)) throw error;
            ctx.sink.note('problem', `${asset.facts.fileName}: no face analysis (the picture could not be downloaded: ${error.message})`);
          }
        }
        return {
          tasks,
          release: () => {
            for (const a of held) ctx.pictures.cache.unpin(cacheKey(a, ctx.pictures.kind));
          },
        };
      },
    },
    ctx.options,
    ctx.sink,
    ctx.signal,
    ...(ctx.startPool ? [ctx.startPool] : []),
  );
  return { ...result, faces: result.analyzer === null ? null : loadFaceAnalyses(ctx.db, ids, result.analyzer, ASSET_FACES) };
}
