/**
 * The review source of a finished run, whatever its source (review/source.ts): the run's items
 * from the catalog, their pictures opened by the run's PhotoSource (a folder's files, or an Immich
 * server's cached or downloaded pictures), and "apply" redoing what the run did with the
 * decisions replayed — the changed folders of the local tree, the server actions the run chose
 * (planned against the server as it is now, like a run plans them), and the report.
 */
import { createHash } from 'node:crypto';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Db } from '../catalog/database.js';
import { itemIdsSeen, loadItems, type StoredPhoto } from '../catalog/items.js';
import { currentFaces, photosWithFaces } from '../catalog/review.js';
import type { RunRecord, StoredGroup } from '../catalog/runs.js';
import type { AdjustedGroup } from '../core/decisions.js';
import { assetOf } from '../core/immich.js';
import { isPhoto } from '../core/items.js';
import { baseName, displayPath } from '../core/paths.js';
import type { PhotoError, PhotoId } from '../core/types.js';
import { hasServerActions } from '../immich/actions/groups.js';
import { ImmichError } from '../immich/errors.js';
import { existingHdr } from '../output/enhanced.js';
import { existingSwap } from '../output/face-swapped.js';
import type { OutputPlan } from '../output/plan.js';
import { planOutput } from '../output/plan.js';
import { previewRedo, redoChangedFolders } from '../output/redo.js';
import {
  type ApplySection,
  type ReviewSource,
  PictureUnavailableError,
  ReviewSetupError,
  type SourceContext,
  type SourceOpener,
} from '../review/source.js';
import type { ReviewPhoto } from '../review/view.js';
import type { PlayClip } from '../review/clip-stream.js';
import { ImmichSource } from '../sources/immich-source.js';
import { type PhotoSource, SourceError } from '../sources/source.js';
import { openSource } from './open-source.js';
import { DEFAULT_OPTIONS, type RunOptions, validateOptions } from './options.js';
import { silentProgress } from './progress.js';
import { previousReport, runFolders } from './review-run.js';
import { applyActions } from '../sources/immich-sink.js';
import { writeRunReport } from './sinks/report.js';
import { withPictures } from './sinks/tree.js';
import type { SelectedGroup } from './stages/select.js';

export interface ReviewSettings {
  /** From --immich-api-key or IMMICH_API_KEY; never stored. */
  readonly apiKey: string | null;
  /** --immich-cache-dir of review: where an Immich run's pictures are, when not where the run said. */
  readonly cacheDir: string | null;
}

/** The opener the review command hands to ReviewSession. */
export function reviewOpener(settings: ReviewSettings): SourceOpener {
  return (ctx) => openReviewSource(ctx, settings);
}

async function openReviewSource(ctx: SourceContext, settings: ReviewSettings): Promise<ReviewSource> {
  const checked = validateOptions({ ...DEFAULT_OPTIONS, ...ctx.options });
  if (!checked.ok) throw new ReviewSetupError(`the catalog ${ctx.catalog} holds run options this version cannot read (${checked.message})`);
  const folders = runFolders(checked.options, ctx.catalog, ctx.outputHint);
  const run = checked.options;
  // A folder run's folders are always known (runFolders says why not otherwise).
  const options: RunOptions =
    run.sourceType === 'local'
      ? { ...run, source: folders.source ?? run.source, output: folders.output ?? run.output }
      : { ...run, output: folders.output, immichCacheDir: cacheDirOf(ctx, run, settings) };
  if (options.sourceType === 'immich') {
    if (options.immichUrl === null) throw new ReviewSetupError(`the catalog ${ctx.catalog} does not say which Immich server the run used`);
    if (!settings.apiKey)
      throw new ReviewSetupError(
        `reviewing a run on ${options.immichUrl} needs an API key: set IMMICH_API_KEY (or pass --immich-api-key), as for the run`,
      );
  }
  let source: PhotoSource;
  try {
    source = await openSource(
      { ...options, dryRun: false },
      { apiKey: settings.apiKey },
      { db: ctx.db, catalog: ctx.catalog, sink: silentProgress },
    );
  } catch (error) {
    if (error instanceof ImmichError) throw new ReviewSetupError(`cannot use ${options.immichUrl}: ${error.message}`);
    throw error;
  }
  return new RunReview(ctx, options, source);
}

/**
 * Where an Immich run's pictures are cached: as asked, else as the run said. A relative folder
 * was relative to where the run started: the catalog's folder when the catalog sits in it.
 */
function cacheDirOf(ctx: SourceContext, options: RunOptions, settings: ReviewSettings): string {
  if (settings.cacheDir !== null) return resolve(settings.cacheDir);
  if (isAbsolute(options.immichCacheDir)) return options.immichCacheDir;
  return options.output === null && options.stateFile === null ? dirname(ctx.catalog) : resolve(options.immichCacheDir);
}

class RunReview implements ReviewSource {
  readonly info: ReviewSource['info'];
  readonly scope: string;
  readonly photos: ReadonlyMap<PhotoId, ReviewPhoto>;
  private readonly items: ReadonlyMap<PhotoId, StoredPhoto>;
  /** Where the local tree is (null: the run made none); reports go under the run's -o either way. */
  private readonly tree: string | null;
  private readonly reportRoot: string;
  private readonly db: Db;
  private readonly run: RunRecord;
  private readonly automatic: readonly StoredGroup[];

  constructor(
    private readonly ctx: SourceContext,
    private readonly options: RunOptions,
    private readonly source: PhotoSource,
  ) {
    ({ db: this.db, run: this.run, automatic: this.automatic } = ctx);
    this.scope = source.scope;
    const ids = new Set([
      ...itemIdsSeen(this.db, source.id, this.run.id),
      ...this.automatic.flatMap((g) => g.members.map((m) => m.photoId)),
    ]);
    const items = loadItems(this.db, [...ids]).filter(isPhoto);
    source.learnNames(items);
    this.items = new Map(items.map((i) => [i.id, i]));
    const withFaces = photosWithFaces(this.db, source.id);
    this.photos = new Map(items.map((i) => [i.id, this.reviewPhoto(i, withFaces.has(i.id))]));
    const immich = source instanceof ImmichSource;
    this.tree = immich && options.tagOnly ? null : options.output;
    this.reportRoot = options.output ?? dirname(ctx.catalog);
    this.info = {
      id: this.run.id,
      startedAt: this.run.startedAt,
      finishedAt: this.run.finishedAt ?? this.run.startedAt,
      sourceType: immich ? 'immich' : 'local',
      source: source.label,
      output: this.tree,
    };
  }

  faces(ids: readonly PhotoId[]): ReturnType<ReviewSource['faces']> {
    return currentFaces(this.db, ids);
  }

  image(id: PhotoId): ReturnType<ReviewSource['image']> {
    const item = this.items.get(id);
    const shown = this.photos.get(id);
    if (item === undefined || shown === undefined) return null;
    const source = this.source;
    // An Immich clip plays from the server (its preview is only the poster): relayed range by range.
    const play: PlayClip | null =
      source instanceof ImmichSource && item.meta.format === 'video'
        ? (method, range, signal) => unavailable(source.label, () => source.client.playback(assetOf(item).assetId, method, range, signal))
        : null;
    return {
      ...(play === null ? {} : { play }),
      identity: `${this.source.id}/${displayPath(item.key)}/${this.source.pixels}`,
      format: shown.format,
      version: shown.version,
      open: () =>
        unavailable(source.label, async () => {
          const picture = await source.open(item);
          return { file: picture.path, release: () => source.release(item) };
        }),
    };
  }

  async preview(groups: readonly AdjustedGroup[]): Promise<{ sections: ApplySection[] }> {
    const selected = this.selected(groups);
    const sections: ApplySection[] = [];
    let plan: OutputPlan | null = null;
    if (this.tree !== null) {
      const root = this.tree;
      sections.push(
        await this.withPlan(selected, async (full) => {
          plan = full;
          return folderSection(root, previewRedo(this.db, full).changes);
        }),
      );
    }
    if (this.source instanceof ImmichSource && hasServerActions(this.options)) {
      const actions = await this.actions(selected, true, plan);
      sections.push({
        intro: `These changes will be made on ${this.info.source} (only what photo-organizer added is ever taken away):`,
        items: actions.planLines.map((line) => ({ label: null, text: withoutRequest(line) })),
      });
    }
    return { sections };
  }

  async apply(groups: readonly AdjustedGroup[]): Promise<{ message: string; failed: string[]; report: string | null }> {
    const selected = this.selected(groups);
    const failed: string[] = [];
    const done: string[] = [];
    let plan: OutputPlan | null = null;
    const treeFailures: PhotoError[] = [];
    if (this.tree !== null) {
      const tree = await this.withPlan(selected, async (full) => ({ full, ...(await redoChangedFolders(this.db, this.run.id, full)) }));
      plan = tree.full;
      for (const f of tree.applied.failed) {
        failed.push(`${f.target}: ${f.message}`);
        treeFailures.push({ path: f.path, stage: 'output', message: `${f.target}: ${f.message}` });
      }
      done.push(`${tree.applied.applied} files written, ${tree.applied.removed} removed`);
    }
    if (this.source instanceof ImmichSource && hasServerActions(this.options)) {
      const actions = await this.actions(selected, false, plan);
      failed.push(...actions.failures, ...actions.unverified.map((line) => `not confirmed by the server: ${withoutRequest(line)}`));
      done.push(`${actions.applied} photo changes made on the server`);
    }
    const report = await this.rewriteReport(selected, plan, treeFailures);
    return { message: `Applied: ${done.join('; ')}; report rewritten.`, failed, report };
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  /** The adjusted groups with their items; a part split off keeps the person of its group. */
  private selected(groups: readonly AdjustedGroup[]): SelectedGroup[] {
    const personOf = new Map(this.automatic.map((g) => [g.number, g.person]));
    return groups.map((g) => ({
      number: g.number,
      kind: g.kind,
      person: personOf.get(g.order) ?? null,
      members: g.members.map((m) => {
        const photo = this.items.get(m.photoId);
        if (photo === undefined) throw new Error(`Photo ${m.photoId} of group ${g.number} is not in the catalog`);
        return { photo, decision: m };
      }),
    }));
  }

  /**
   * The tree's full plan, with the HDR merges the run made for brackets the review left as they
   * were (one the review changed gets its merge at the organizer's next run: merging is its work),
   * and likewise the face swaps of best photos and donors the review left as they were.
   */
  private withPlan<T>(groups: readonly SelectedGroup[], use: (plan: OutputPlan) => Promise<T>): Promise<T> {
    const { enableHdr, hdrGamma, enableFaceSwap, swapClosedEyes } = this.options;
    return withPictures(this.source, groups, async (photoGroups) => {
      const plan = planOutput({
        outputRoot: this.tree!,
        groups: photoGroups.map((g) => {
          const extra = enableHdr
            ? existingHdr(
                this.ctx.catalog,
                g.members.map((m) => ({ photo: m.photo, score: m.decision.score })),
                hdrGamma,
              )
            : null;
          const swapped =
            enableFaceSwap && swapClosedEyes
              ? existingSwap(
                  this.ctx.catalog,
                  g.members,
                  currentFaces(
                    this.db,
                    g.members.map((m) => m.photo.id),
                  ),
                )
              : null;
          const extras = [extra, swapped].filter((e) => e !== null);
          return { number: g.number, kind: g.kind, photos: g.members, extras };
        }),
      });
      return use(plan);
    }).catch((error: unknown) => {
      if (error instanceof SourceError || error instanceof ImmichError)
        throw new PictureUnavailableError(`cannot have the pictures of the folders from ${this.source.label}: ${error.message}`);
      throw error;
    });
  }

  private async actions(groups: readonly SelectedGroup[], dryRun: boolean, plan: OutputPlan | null): ReturnType<typeof applyActions> {
    const source = this.source as ImmichSource;
    // Every photo of the run's groups: one taken out of its group loses what it had. Favourites
    // and archive are read from the server: they may have changed since the run.
    const judged = this.automatic.flatMap((g) => g.members.map((m) => this.items.get(m.photoId)!));
    return applyActions({ db: this.db, runId: this.run.id, source, dryRun, sink: silentProgress }, this.options, {
      groups,
      judged,
      plan,
      flagsFromListing: false,
    });
  }

  /** The report with the groups as they are now; what the run found besides comes from its report. */
  private async rewriteReport(
    groups: readonly SelectedGroup[],
    plan: OutputPlan | null,
    treeFailures: readonly PhotoError[],
  ): Promise<string> {
    const previous = await previousReport(this.reportRoot);
    const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.photo.id)));
    const ungrouped = new Set(previous?.ungrouped ?? []);
    for (const g of this.automatic)
      for (const m of g.members) if (!grouped.has(m.photoId)) ungrouped.add(this.source.name(this.items.get(m.photoId)!));
    const written = await writeRunReport({
      source: this.source,
      root: this.reportRoot,
      options: previous?.options ?? this.ctx.options,
      groups,
      plan,
      ungrouped: [...ungrouped].filter((name) => !groups.some((g) => g.members.some((m) => this.source.name(m.photo) === name))),
      // Discovery problems are only in the report: its list is kept.
      errors: [...(previous?.errors.filter((e) => e.stage !== 'output') ?? []), ...treeFailures],
      timings: previous?.timings ?? {},
    });
    return written.latest;
  }

  private reviewPhoto(item: StoredPhoto, analyzedFaces: boolean): ReviewPhoto {
    const name = this.source.name(item);
    return {
      id: item.id,
      name: displayPath(baseName(name)),
      relativePath: name,
      takenAtMs: item.meta.takenAt?.wallClockMs ?? null,
      camera: {
        exposureTime: item.meta.exposureTime,
        fNumber: item.meta.fNumber,
        iso: item.meta.iso,
        focalLength: item.meta.focalLength,
      },
      quality: item.quality,
      width: item.meta.width,
      height: item.meta.height,
      size: item.size,
      // A picture other than the item's own file (an Immich preview) is made into JPEG at every size.
      format: this.source.metadataFromPicture ? item.meta.format : 'picture',
      durationS: item.meta.video?.durationS ?? null,
      version: createHash('sha1').update(`${item.version}/${this.source.pixels}`).digest('base64url').slice(0, 16),
      hasFaces: analyzedFaces || (item.facts?.people.length ?? 0) > 0,
    };
  }
}

/** The confirmation's block for an output folder's changes. */
function folderSection(output: string, changes: readonly { readonly folder: string; readonly text: string }[]): ApplySection {
  return {
    intro: `These group folders in ${output} will be rewritten (your original photos are never touched), then the report:`,
    items: changes.map((c) => ({ label: c.folder, text: c.text })),
  };
}

/** A plan line without its `[PUT /api/…]` tail: the page speaks of photos, not requests. */
function withoutRequest(line: string): string {
  return line.replace(/\s+\[[A-Z]+ \/api\/[^\]]*\]$/, '');
}

/** `get()`, a failure of the source or its server said as PictureUnavailableError (the page shows it). */
async function unavailable<T>(label: string, get: () => Promise<T>): Promise<T> {
  try {
    return await get();
  } catch (error) {
    if (error instanceof SourceError || error instanceof ImmichError)
      throw new PictureUnavailableError(`cannot have it from ${label}: ${error.message}`);
    throw error;
  }
}
