/**
 * The review source of an Immich run (review/source.ts): the run's assets from the catalog, their
 * pictures from the download cache (downloaded again when the cap evicted them), and "apply"
 * redoing what the run did with the decisions replayed — the local tree's changed folders (with
 * -o) and the server actions the run chose. The actions are planned against the server as it is
 * now, like a run plans them, so only what the changed groups call for is sent.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import { immichScope } from '../catalog/decisions.js';
import { ASSET_FACES } from '../catalog/faces.js';
import { currentFaces, photosWithFaces } from '../catalog/review.js';
import { assetsListedBy, loadAssets, type StoredAsset } from '../catalog/immich.js';
import type { AdjustedGroup } from '../core/decisions.js';
import type { FaceAnalysis } from '../core/faces.js';
import type { PhotoError, PhotoId } from '../core/types.js';
import { ImmichClient } from '../immich/client.js';
import { ImmichError } from '../immich/errors.js';
import type { OutputPlan } from '../output/plan.js';
import { existingHdr } from '../output/enhanced.js';
import { previewRedo, redoChangedFolders } from '../output/redo.js';
import { previousReport } from '../review/apply.js';
import { folderSection, runOutput } from '../review/local-source.js';
import { type ApplySection, type ImmichSourceOpener, PictureUnavailableError, type ReviewSource, ReviewSetupError, type SourceContext } from '../review/source.js';
import type { ReviewPhoto } from '../review/view.js';
import { ImmichCache } from '../sources/immich-cache.js';
import { actionFlags, actionGroups, hdrMerged, runActions } from './immich-actions.js';
import { displayNames, metaOf, type NumberedGroup, numberedGroups } from './immich-groups.js';
import { type GroupExtras, withTreePlan } from './immich-output.js';
import { cacheKey, pictureFile } from './immich-pictures.js';
import { reportRoot, writeImmichReport } from './immich-report.js';
import { hasServerActions } from './immich-run.js';
import { DEFAULT_OPTIONS, pictureKind, type RunOptions, validateOptions } from './options.js';
import { silentProgress } from './progress.js';

export interface ImmichReviewSettings {
  /** From --immich-api-key or IMMICH_API_KEY; never stored. */
  readonly apiKey: string | null;
  /** --immich-cache-dir of review: where the run's pictures are, when not where the run said. */
  readonly cacheDir: string | null;
}

/** The opener the review command hands to ReviewSession for Immich runs. */
export function immichReviewOpener(settings: ImmichReviewSettings): ImmichSourceOpener {
  return (ctx) => openImmichSource(ctx, settings);
}

async function openImmichSource(ctx: SourceContext, settings: ImmichReviewSettings): Promise<ReviewSource> {
  const checked = validateOptions({ ...DEFAULT_OPTIONS, ...ctx.options });
  if (!checked.ok) throw new ReviewSetupError(`the catalog ${ctx.catalog} holds run options this version cannot read (${checked.message})`);
  const options = checked.options;
  if (options.immichUrl === null) throw new ReviewSetupError(`the catalog ${ctx.catalog} does not say which Immich server the run used`);
  if (!settings.apiKey) {
    throw new ReviewSetupError(`reviewing a run on ${options.immichUrl} needs an API key: set IMMICH_API_KEY (or pass --immich-api-key), as for the run`);
  }
  const client = new ImmichClient({ url: options.immichUrl, apiKey: settings.apiKey, verifyTls: options.verifySsl });
  let cache: ImmichCache | null = null;
  try {
    try {
      await client.me();
    } catch (error) {
      if (error instanceof ImmichError) throw new ReviewSetupError(`cannot use ${client.baseUrl}: ${error.message}`);
      throw error;
    }
    cache = await ImmichCache.open(cacheDirOf(ctx, options, settings), options.immichCacheSize, { readOnly: false });
    return new ImmichSource(ctx, options, client, cache);
  } catch (error) {
    await cache?.close();
    await client.close();
    throw error;
  }
}

/**
 * Where the run's pictures are cached: as asked, else as the run said. A relative folder was
 * relative to where the run started: the catalog's folder when the catalog sits in it.
 */
function cacheDirOf(ctx: SourceContext, options: RunOptions, settings: ImmichReviewSettings): string {
  if (settings.cacheDir !== null) return resolve(settings.cacheDir);
  if (isAbsolute(options.immichCacheDir)) return options.immichCacheDir;
  return options.output === null && options.stateFile === null ? dirname(ctx.catalog) : resolve(options.immichCacheDir);
}

class ImmichSource implements ReviewSource {
  readonly info: ReviewSource['info'];
  readonly scope: string;
  readonly photos: ReadonlyMap<PhotoId, ReviewPhoto>;
  private readonly assets: ReadonlyMap<number, StoredAsset>;
  private readonly names: ReadonlyMap<string, string>;
  /** Where the local tree is (null: the run made none); reports go under the run's -o either way. */
  private readonly output: string | null;
  private readonly reportRoot: string;
  private readonly kind: 'preview' | 'original';

  constructor(
    private readonly ctx: SourceContext,
    private readonly options: RunOptions,
    private readonly client: ImmichClient,
    private readonly cache: ImmichCache,
  ) {
    const server = client.baseUrl;
    this.scope = immichScope(server);
    this.kind = pictureKind(options);
    const ids = new Set([...assetsListedBy(ctx.db, server, ctx.run.id), ...ctx.automatic.flatMap((g) => g.members.map((m) => m.photoId))]);
    const assets = loadAssets(ctx.db, [...ids]);
    this.assets = new Map(assets.map((a) => [a.id, a]));
    this.names = displayNames(assets);
    const withFaces = photosWithFaces(ctx.db, ASSET_FACES);
    this.photos = new Map(assets.map((a) => [a.id, this.reviewPhoto(a, withFaces.has(a.id))]));
    const runOut = runOutput(ctx.options, ctx.catalog, ctx.outputHint);
    this.output = options.tagOnly ? null : runOut;
    this.reportRoot = reportRoot(runOut, ctx.catalog);
    const web = server.replace(/\/api$/, '');
    this.info = {
      id: ctx.run.id,
      startedAt: ctx.run.startedAt,
      finishedAt: ctx.run.finishedAt ?? ctx.run.startedAt,
      sourceType: 'immich',
      source: options.immichAlbum ? `${web} (album "${options.immichAlbum}")` : web,
      output: this.output,
    };
  }

  /** The built-in analysis's faces (the server's own are not kept in the catalog). */
  faces(ids: readonly PhotoId[]): ReadonlyMap<PhotoId, FaceAnalysis> {
    return currentFaces(this.ctx.db, ids, ASSET_FACES);
  }

  image(id: PhotoId): ReturnType<ReviewSource['image']> {
    const asset = this.assets.get(id);
    const shown = this.photos.get(id);
    if (asset === undefined || shown === undefined) return null;
    return {
      identity: `${this.client.baseUrl}/assets/${asset.assetId}/${this.kind}`,
      // Made into JPEG at every size: the cached picture may be in any format the server keeps.
      format: 'immich',
      version: shown.version,
      open: async () => {
        let file: string;
        try {
          file = await pictureFile(this.pictures, asset);
        } catch (error) {
          if (error instanceof ImmichError) throw new PictureUnavailableError(`cannot download it from ${this.client.baseUrl}: ${error.message}`);
          throw error;
        }
        return { file, release: () => this.cache.unpin(cacheKey(asset, this.kind)) };
      },
    };
  }

  async preview(groups: readonly AdjustedGroup[]): Promise<{ sections: ApplySection[] }> {
    const numbered = this.numbered(groups);
    const sections: ApplySection[] = [];
    let merged: ReadonlySet<number> = new Set();
    if (this.output !== null) {
      const output = this.output;
      sections.push(
        await this.withPlan(numbered, async (plan) => {
          merged = hdrMerged(plan);
          return folderSection(output, previewRedo(this.ctx.db, plan).changes);
        }),
      );
    }
    if (hasServerActions(this.options)) {
      const actions = await this.actions(numbered, true, merged);
      sections.push({
        intro: `These changes will be made on ${this.info.source} (only what photo-organizer added is ever taken away):`,
        items: actions.planLines.map((line) => ({ label: null, text: withoutRequest(line) })),
      });
    }
    return { sections };
  }

  async apply(groups: readonly AdjustedGroup[]): Promise<{ message: string; failed: string[]; report: string | null }> {
    const numbered = this.numbered(groups);
    const failed: string[] = [];
    const done: string[] = [];
    let plan: OutputPlan | null = null;
    const treeFailures: PhotoError[] = [];
    if (this.output !== null) {
      const tree = await this.withPlan(numbered, async (full) => ({ full, ...(await redoChangedFolders(this.ctx.db, this.ctx.run.id, full)) }));
      plan = tree.full;
      for (const f of tree.applied.failed) {
        failed.push(`${f.target}: ${f.message}`);
        treeFailures.push({ path: f.path, stage: 'output', message: `${f.target}: ${f.message}` });
      }
      done.push(`${tree.applied.applied} files written, ${tree.applied.removed} removed`);
    }
    if (hasServerActions(this.options)) {
      const actions = await this.actions(numbered, false, hdrMerged(plan));
      failed.push(...actions.failures, ...actions.unverified.map((line) => `not confirmed by the server: ${withoutRequest(line)}`));
      done.push(`${actions.applied} photo changes made on the server`);
    }
    const report = await this.rewriteReport(numbered, plan, treeFailures);
    return { message: `Applied: ${done.join('; ')}; report rewritten.`, failed, report };
  }

  async close(): Promise<void> {
    await this.cache.close();
    await this.client.close();
  }

  private get pictures(): Parameters<typeof pictureFile>[0] {
    return { client: this.client, cache: this.cache, kind: this.kind, library: this.options.immichLibraryPath === null ? null : resolve(this.options.immichLibraryPath) };
  }

  private numbered(groups: readonly AdjustedGroup[]): NumberedGroup[] {
    return numberedGroups(groups, this.ctx.automatic, this.assets);
  }

  /** The tree's plan, with the HDR merges the run made for brackets the review left as they were. */
  private withPlan<T>(groups: readonly NumberedGroup[], use: (plan: OutputPlan) => Promise<T>): Promise<T> {
    const { enableHdr, hdrGamma } = this.options;
    const extras: GroupExtras | undefined = enableHdr
      ? async (photoGroups) =>
          new Map(
            photoGroups.flatMap((g) => {
              const extra = existingHdr(this.ctx.catalog, g.members.map((m) => ({ photo: m.photo, score: m.decision.score })), hdrGamma);
              return extra === null ? [] : [[g.number, [extra]] as const];
            }),
          )
      : undefined;
    return withTreePlan(this.pictures, this.output!, groups, this.nameOf, use, extras).catch((error: unknown) => {
      if (error instanceof ImmichError) throw new PictureUnavailableError(`cannot download the pictures of the folders from ${this.client.baseUrl}: ${error.message}`);
      throw error;
    });
  }

  private async actions(groups: readonly NumberedGroup[], dryRun: boolean, merged: ReadonlySet<number>): ReturnType<typeof runActions> {
    return runActions(
      // Failures come back in the summary; the page shows them.
      { db: this.ctx.db, server: this.client.baseUrl, runId: this.ctx.run.id, client: this.client, dryRun, namer: this.nameOf, sink: silentProgress },
      {
        groups: await actionGroups(this.client, this.options, groups, merged),
        flags: actionFlags(this.options),
        // Every photo of the run's groups: one taken out of its group loses what it had.
        scope: new Set(this.ctx.automatic.flatMap((g) => g.members.map((m) => this.assets.get(m.photoId)!.assetId))),
        // Read from the server: favourites and archive may have changed since the run.
        knownFlags: new Map(),
      },
    );
  }

  /** The report with the groups as they are now; what the run found besides comes from its report. */
  private async rewriteReport(groups: readonly NumberedGroup[], plan: OutputPlan | null, treeFailures: readonly PhotoError[]): Promise<string> {
    const root = this.reportRoot;
    const previous = await previousReport(root);
    const grouped = new Set(groups.flatMap((g) => g.members.map((m) => this.nameOf(m.asset.assetId))));
    const once = new Set([...(previous?.ungrouped ?? []), ...this.ctx.automatic.flatMap((g) => g.members.map((m) => this.nameOf(this.assets.get(m.photoId)!.assetId)))]);
    const errors: PhotoError[] = [...(previous?.errors.filter((e) => e.stage !== 'output') ?? []), ...treeFailures];
    const written = await writeImmichReport({
      server: this.client.baseUrl,
      album: this.options.immichAlbum,
      root,
      options: previous?.options ?? this.ctx.options,
      groups,
      plan,
      ungrouped: [...once].filter((name) => !grouped.has(name)),
      errors,
      timings: previous?.timings ?? {},
      nameOf: this.nameOf,
    });
    return written.latest;
  }

  private readonly nameOf = (assetId: string): string => this.names.get(assetId) ?? assetId;

  private reviewPhoto(a: StoredAsset, analyzedFaces: boolean): ReviewPhoto {
    const name = this.nameOf(a.assetId);
    return {
      id: a.id,
      name,
      relativePath: name,
      takenAtMs: a.facts.takenAt?.wallClockMs ?? null,
      width: a.facts.width,
      height: a.facts.height,
      size: a.facts.size,
      format: metaOf(a).format,
      version: createHash('sha1').update(`${a.checksum}/${this.kind}`).digest('base64url').slice(0, 16),
      hasFaces: analyzedFaces || a.facts.people.length > 0,
    };
  }
}

/** A plan line without its `[PUT /api/…]` tail: the page speaks of photos, not requests. */
function withoutRequest(line: string): string {
  return line.replace(/\s+\[[A-Z]+ \/api\/[^\]]*\]$/, '');
}
