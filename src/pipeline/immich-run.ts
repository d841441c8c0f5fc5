/**
 * One organizer run against an Immich server: list (with thumbhashes and EXIF) → prefilter on
 * thumbhashes → download only the candidates' pictures (bounded prefetch, disk cache; or read
 * them from a local copy of the library) → fingerprint → group → faces → rank, with the review
 * decisions replayed → local output tree (with -o; HDR merges with --enable-hdr) → changes on
 * the server (plan, then apply with a journal, then verify) → report. Or, with --undo, take back
 * what earlier runs did. Never prints: everything goes through the ProgressSink and the summary.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Db, openDatabase, openScratchCopy } from '../catalog/database.js';
import { assetFileNames, forgetFingerprints, loadAssets, loadJournal, syncAssets } from '../catalog/immich.js';
import { immichScope, loadDecisions } from '../catalog/decisions.js';
import { beginRun, finishRun, latestRun, saveGroups, setStage } from '../catalog/runs.js';
import { applyDecisions } from '../core/decisions.js';
import type { GroupKind, PhotoError } from '../core/types.js';
import { ownedFromJournal } from '../immich/actions/state.js';
import { ImmichClient } from '../immich/client.js';
import type { WrittenReport } from '../report/write.js';
import { ImmichCache } from '../sources/immich-cache.js';
import { AlbumNotFoundError, checkServerVersion, listLibrary, serverFaces, smartSearchIds } from '../sources/immich.js';
import { actionFlags, actionGroups, type ActionsSummary, hdrMerged, runActions, runUndo } from './immich-actions.js';
import { candidatesOf, displayNames, groupSubset, numberedGroups, type RankedGroup, rankMembers, storedGroups } from './immich-groups.js';
import { writeTree, type OutputTree } from './immich-output.js';
import { analyzeAssetFaces } from './immich-faces.js';
import { fingerprintAssets, type PictureCounts } from './immich-pictures.js';
import { reportRoot, writeImmichReport } from './immich-report.js';
import { groupsByPeople, subsetsOf } from './immich-subsets.js';
import { type ImmichRunOptions, pictureKind, type RunOptions } from './options.js';
import type { ProgressSink, StageName } from './progress.js';

/** Runs one stage, recording it in the catalog and timing it. */
export type StageTimer = <T>(stage: StageName, work: () => Promise<T> | T) => Promise<T>;
import { type RunResults, RunSetupError } from './run.js';

export interface ImmichSecrets {
  /** From --immich-api-key or IMMICH_API_KEY; never stored, logged or reported. */
  readonly apiKey: string | null;
}

export interface ImmichRunSummary extends RunResults {
  readonly server: string;
  readonly catalog: string;
  readonly output: string | null;
  readonly dryRun: boolean;
  readonly undo: boolean;
  readonly interrupted: boolean;
  readonly listed: number;
  /** Photos ruled out of every group without their pictures: by thumbhash, or outside server duplicate groups. */
  readonly thumbhashOnly: number;
  /** False when the server's duplicate groups, not thumbhashes, decided what to look at. */
  readonly prefiltered: boolean;
  readonly candidates: number;
  readonly pictures: PictureCounts;
  /** Picture bytes and files downloaded by this run, and requests made. */
  readonly downloaded: { readonly bytes: number; readonly files: number; readonly requests: number };
  /** Dry run: the output plan's lines (with -o). */
  readonly outputLines: readonly string[];
  /** With --enable-hdr and a local tree: brackets found, and merges made by this run. */
  readonly hdr: { readonly brackets: number; readonly merged: number } | null;
  readonly actions: ActionsSummary | null;
}

/** Where an Immich run keeps its catalog: --state-file, else under -o, else under the cache dir. */
export function immichCatalogPath(options: Pick<RunOptions, 'stateFile' | 'output' | 'immichCacheDir'>): string {
  if (options.stateFile) return resolve(options.stateFile);
  if (options.output) return join(resolve(options.output), '.photo-organizer', 'catalog.db');
  return join(resolve(options.immichCacheDir), 'catalog.db');
}

/** Whether this run changes anything on the server. */
export function hasServerActions(o: Pick<RunOptions, 'tagOnly' | 'createAlbums' | 'markBestFavorite' | 'archiveNonBest' | 'stack'>): boolean {
  return o.tagOnly || o.createAlbums || o.markBestFavorite || o.archiveNonBest || o.stack;
}

function checkSetup(options: RunOptions, secrets: ImmichSecrets): void {
  if (!options.immichUrl) throw new RunSetupError('--immich-url is required with --source-type immich (the address of your Immich server)');
  if (!secrets.apiKey) {
    throw new RunSetupError('an Immich API key is required: set IMMICH_API_KEY (or pass --immich-api-key); make one in Immich under Account Settings → API Keys');
  }
  if (options.immichLibraryPath !== null && !statSync(options.immichLibraryPath, { throwIfNoEntry: false })?.isDirectory()) {
    throw new RunSetupError(`--immich-library-path: folder not found: ${resolve(options.immichLibraryPath)} (the Immich library as this machine sees it)`);
  }
  if (!options.undo && !options.output && !hasServerActions(options)) {
    throw new RunSetupError(
      'nothing to do: give -o DIR (download and organize), or an Immich action: --tag-only, --create-albums, --mark-best-favorite, --archive-non-best or --stack',
    );
  }
}

export async function organizeImmich(options: ImmichRunOptions, secrets: ImmichSecrets, sink: ProgressSink, signal?: AbortSignal): Promise<ImmichRunSummary> {
  checkSetup(options, secrets);
  const catalog = immichCatalogPath(options);
  let client: ImmichClient;
  try {
    client = new ImmichClient({
      url: options.immichUrl,
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
  let cache: ImmichCache | null = null;
  let db: Db | null = null;
  try {
    if (!options.verifySsl) sink.note('notice', 'TLS certificates are not checked (--no-verify-ssl)');
    if (options.enableHdr && (!options.output || options.tagOnly)) sink.note('notice', '--enable-hdr merges brackets into the local tree: give -o (without --tag-only) to have them');
    const warning = checkServerVersion(await client.serverVersion(), client.baseUrl);
    if (warning !== null) sink.note('notice', warning);
    const me = await client.me();
    db = options.dryRun ? openScratchCopy(catalog) : openDatabase(catalog);
    if (options.forceFresh) {
      // The journal is the only record of what this tool changed on the server (--undo needs
      // it): a fresh start forgets the fingerprints, never that.
      forgetFingerprints(db, client.baseUrl);
      sink.note('notice', 'Forgot the cached fingerprints; kept the record of changes made on the server (for --undo) and your review decisions.');
    }
    const previous = latestRun(db);
    if (previous && previous.stage !== 'done' && !options.undo) sink.note('notice', `The previous run (started ${previous.startedAt}) did not finish; its finished work is reused and its changes checked.`);
    const run = beginRun(db, JSON.stringify(options), new Date());
    const base = { db, client, options, sink, runId: run.id, catalog, server: client.baseUrl, ...(signal ? { signal } : {}) };
    if (options.undo) return await undo(base);
    cache = await ImmichCache.open(options.immichCacheDir, options.immichCacheSize, { readOnly: options.dryRun });
    return await organize({ ...base, cache, ownerId: me.id });
  } catch (error) {
    if (error instanceof AlbumNotFoundError) throw new RunSetupError(error.message);
    // Ctrl+C cancels the request in flight: that is an interruption, not a failure.
    if (signal?.aborted === true && db !== null) return { ...emptySummary({ db, client, options, sink, runId: 0, catalog, server: client.baseUrl }, {}), interrupted: true };
    throw error;
  } finally {
    await client.close();
    await cache?.close();
    db?.close();
  }
}

interface Ctx {
  readonly db: Db;
  readonly client: ImmichClient;
  readonly options: RunOptions;
  readonly sink: ProgressSink;
  readonly runId: number;
  readonly catalog: string;
  readonly server: string;
  readonly signal?: AbortSignal;
}

function emptySummary(ctx: Ctx, timings: Record<string, number>): ImmichRunSummary {
  return {
    server: ctx.server,
    catalog: ctx.catalog,
    output: ctx.options.output ? resolve(ctx.options.output) : null,
    dryRun: ctx.options.dryRun,
    undo: ctx.options.undo,
    interrupted: false,
    listed: 0,
    thumbhashOnly: 0,
    prefiltered: !ctx.options.immichUseDuplicates,
    candidates: 0,
    pictures: { fingerprinted: 0, fromCache: 0, fromLibrary: 0, failed: 0 },
    downloaded: ctx.client.downloaded,
    groups: 0,
    byKind: { duplicate: 0, burst: 0, similar: 0 },
    grouped: 0,
    errors: [],
    outputLines: [],
    hdr: null,
    actions: null,
    applied: null,
    report: null,
    timings,
  };
}

function stageTimer(ctx: Ctx, timings: Record<string, number>): StageTimer {
  return async <T>(stage: StageName, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    setStage(ctx.db, ctx.runId, stage);
    try {
      return await work();
    } finally {
      timings[stage] = Math.round(performance.now() - t0) / 1000;
    }
  };
}

async function undo(ctx: Ctx): Promise<ImmichRunSummary> {
  const timings: Record<string, number> = {};
  const timed = stageTimer(ctx, timings);
  const names = assetFileNames(ctx.db, ctx.server);
  if (loadJournal(ctx.db, ctx.server).length === 0) {
    ctx.sink.note('notice', `Nothing to undo: the catalog ${ctx.catalog} records no change on ${ctx.server} (use the same -o, --state-file or --immich-cache-dir as the runs you want to undo)`);
  }
  const actions = await timed('act', () =>
    runUndo({ db: ctx.db, server: ctx.server, runId: ctx.runId, client: ctx.client, dryRun: ctx.options.dryRun, namer: (id) => names.get(id) ?? id, sink: ctx.sink, ...(ctx.signal ? { signal: ctx.signal } : {}) }),
  );
  if (!ctx.options.dryRun && !actions.aborted) finishRun(ctx.db, ctx.runId, new Date());
  return { ...emptySummary(ctx, timings), interrupted: actions.aborted, actions, downloaded: ctx.client.downloaded };
}

async function organize(ctx: Ctx & { readonly cache: ImmichCache; readonly ownerId: string }): Promise<ImmichRunSummary> {
  const { db, client, options, sink } = ctx;
  const timings: Record<string, number> = {};
  const timed = stageTimer(ctx, timings);
  const kind = pictureKind(options);
  const library = options.immichLibraryPath === null ? null : resolve(options.immichLibraryPath);
  const people = groupsByPeople(options);

  // 1. List, with the photos this tool archived (else a re-run would lose them from their groups).
  const journal = loadJournal(db, ctx.server);
  const alsoArchived = new Set([...ownedFromJournal(journal).archived, ...journal.filter((e) => e.state === 'pending' && e.op === 'archive').flatMap((e) => e.assets)]);
  let assets = await timed('discover', async () => {
    sink.start('discover', null);
    const listing = await listLibrary(client, { album: options.immichAlbum, limit: options.limit, ownerId: ctx.ownerId, alsoArchived, withPeople: options.createAlbums || people });
    sink.update(listing.assets.length);
    sink.finish();
    if (listing.skipped > 0) sink.note('notice', `Left out ${listing.skipped} photos of other users (partners) or in the trash: they cannot be changed with this key.`);
    return loadAssets(db, syncAssets(db, ctx.server, ctx.runId, listing.assets));
  });
  const listed = assets.length;
  if (options.immichSmartSearch !== null) {
    const hits = await smartSearchIds(client, options.immichSmartSearch);
    assets = assets.filter((a) => hits.has(a.assetId));
    sink.note('notice', `Smart search "${options.immichSmartSearch}": ${assets.length} of ${listed} photos match.`);
  }

  // 2. What to look at, and what to download.
  const subsets = await subsetsOf(ctx, assets);
  const candidateIds = new Set<number>();
  for (const s of subsets) for (const id of candidatesOf(s, options).ids) candidateIds.add(id);
  const candidates = assets.filter((a) => candidateIds.has(a.id));
  const need = candidates.filter((a) => a.dhash === null || a.pixels !== kind);
  const pictureCtx = { db, client, cache: ctx.cache, kind, library, threads: options.threads, sink, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const pictures = await timed('inspect', () => fingerprintAssets(pictureCtx, need));
  const summaryBase = { ...emptySummary(ctx, timings), listed, thumbhashOnly: assets.length - candidates.length, candidates: candidates.length, pictures };
  // Ctrl+C: the stage in progress stops early, and the run ends after it (read anew each time).
  const stopped = (): boolean => ctx.signal?.aborted === true;
  const interrupted = (): ImmichRunSummary => ({ ...summaryBase, interrupted: true, downloaded: client.downloaded });
  if (stopped()) return interrupted();

  // 3. Group each subset on real pixels, rank, store.
  const byId = new Map(loadAssets(db, assets.map((a) => a.id)).map((a) => [a.id, a]));
  const found = await timed('group', () => subsets.flatMap((s) => groupSubset(db, s, candidateIds, byId, options).map((g) => ({ ...g, person: s.person }))));
  // The server's faces when asked for; else the built-in analysis of the downloaded pictures.
  const faces = options.immichUseServerFaces ? await serverFaces(client, [...new Set(found.flatMap((g) => g.members.map((m) => m.assetId)))]) : null;
  const analyzed =
    faces === null ? await timed('analyze', () => analyzeAssetFaces({ db, pictures: pictureCtx, options, sink, ...(ctx.signal ? { signal: ctx.signal } : {}) }, found)) : null;
  if (stopped()) return interrupted();
  const ranked: RankedGroup[] = await timed('select', () =>
    found.map((g) => {
      const decisions = rankMembers(g.members, faces, analyzed?.faces ?? null);
      return { kind: g.kind, person: g.person, members: g.members.map((asset, i) => ({ asset, decision: decisions[i]! })) };
    }),
  );
  // The catalog keeps the automatic ranking; the user's review decisions are replayed on it.
  const automatic = storedGroups(ranked);
  saveGroups(db, ctx.runId, automatic);
  const groups = numberedGroups(applyDecisions(automatic, loadDecisions(db, immichScope(ctx.server))).groups, automatic, byId);
  const names = displayNames([...byId.values()]);
  const nameOf = (id: string): string => names.get(id) ?? id;

  // 4. The local tree, from the downloaded pictures.
  const outputRoot = options.output ? resolve(options.output) : null;
  let tree: OutputTree = { plan: null, applied: null, lines: [], hdr: null };
  if (outputRoot !== null && !options.tagOnly && groups.length > 0) {
    const hdr = options.enableHdr ? { catalog: ctx.catalog, gamma: options.hdrGamma, threads: options.threads } : null;
    tree = await writeTree({ db, runId: ctx.runId, pictures: pictureCtx, sink, dryRun: options.dryRun, timed, hdr, ...(ctx.signal ? { signal: ctx.signal } : {}) }, outputRoot, groups, nameOf);
    if (tree.applied?.aborted === true) return interrupted();
  }
  const { plan, applied, lines: outputLines } = tree;

  // 5. Changes on the server.
  let actions: ActionsSummary | null = null;
  if (hasServerActions(options)) {
    const knownFlags = new Map(assets.map((a) => [a.assetId, { isFavorite: a.facts.isFavorite, archived: a.facts.visibility === 'archive' }]));
    const wanted = await actionGroups(client, options, groups, hdrMerged(tree.plan));
    actions = await timed('act', () =>
      runActions(
        { db, server: ctx.server, runId: ctx.runId, client, dryRun: options.dryRun, namer: nameOf, sink, ...(ctx.signal ? { signal: ctx.signal } : {}) },
        {
          groups: wanted,
          flags: actionFlags(options),
          // What this run judged: in person mode only those people's photos, so another
          // person's groups from an earlier run are left alone.
          scope: new Set(subsets.flatMap((sub) => sub.assets.map((a) => a.assetId))),
          knownFlags,
        },
      ),
    );
    if (actions.aborted) return { ...interrupted(), actions };
  }

  // 6. Report.
  const grouped = new Set(groups.flatMap((g) => g.members.map((m) => m.asset.id)));
  const errors: PhotoError[] = [
    ...candidates
      .map((a) => byId.get(a.id)!)
      .filter((a) => a.error !== null)
      .map((a) => ({ path: nameOf(a.assetId), stage: 'fingerprint' as const, message: a.error! })),
    ...(tree.hdr?.problems ?? []),
  ];
  const byKind: Record<GroupKind, number> = { duplicate: 0, burst: 0, similar: 0 };
  for (const g of groups) byKind[g.kind]++;
  let report: WrittenReport | null = null;
  if (!options.dryRun) {
    report = await timed('report', () =>
      writeImmichReport({
        server: ctx.server,
        album: options.immichAlbum,
        root: reportRoot(options.output, ctx.catalog),
        options: { ...options },
        groups,
        plan,
        ungrouped: assets.filter((a) => !grouped.has(a.id) && !errors.some((e) => e.path === nameOf(a.assetId))).map((a) => nameOf(a.assetId)),
        errors,
        timings,
        nameOf,
      }),
    );
    finishRun(db, ctx.runId, new Date());
  }
  return {
    ...summaryBase,
    downloaded: client.downloaded,
    groups: groups.length,
    byKind,
    grouped: grouped.size,
    errors,
    outputLines,
    hdr: tree.hdr === null ? null : { brackets: tree.hdr.brackets, merged: tree.hdr.merged },
    actions,
    applied,
    report,
  };
}
