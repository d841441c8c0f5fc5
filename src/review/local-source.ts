/**
 * The review source of a folder run: photos from the photos table, faces from the built-in
 * analysis, pictures straight from the source folder, and "apply" rewriting the changed group
 * folders (apply.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { LOCAL_SCOPE } from '../catalog/decisions.js';
import { loadPhotos } from '../catalog/photos.js';
import { currentFaces, photosWithFaces } from '../catalog/review.js';
import type { AdjustedGroup } from '../core/decisions.js';
import { baseName, displayPath, relativeDisplay } from '../core/paths.js';
import type { PhotoId } from '../core/types.js';
import { applyLocal, type LocalApplyInput, previewLocalApply } from './apply.js';
import type { FolderChange } from '../output/changes.js';
import { type ApplyPreview, type ApplySection, type ReviewSource, ReviewSetupError, type SourceContext } from './source.js';
import type { ReviewPhoto } from './view.js';

export function openLocalSource(ctx: SourceContext): ReviewSource {
  const { db, run } = ctx;
  const { source, output } = runFolders(ctx.options, ctx.catalog, ctx.outputHint);
  const withFaces = photosWithFaces(db);
  const stored = new Map(loadPhotos(db, run.id).map((p) => [p.id, p]));
  const photos = new Map<PhotoId, ReviewPhoto>();
  for (const p of stored.values()) {
    photos.set(p.id, {
      id: p.id,
      name: displayPath(baseName(p.path)),
      relativePath: relativeDisplay(source, p.path),
      takenAtMs: p.meta.takenAt?.wallClockMs ?? null,
      width: p.meta.width,
      height: p.meta.height,
      size: p.size,
      format: p.meta.format,
      version: `${p.size.toString(36)}-${Math.round(p.mtimeMs).toString(36)}`,
      hasFaces: withFaces.has(p.id),
    });
  }
  const hdr = ctx.options.enableHdr === true ? { catalog: ctx.catalog, gamma: typeof ctx.options.hdrGamma === 'number' ? ctx.options.hdrGamma : 2.2 } : null;
  const input = (groups: readonly AdjustedGroup[]): LocalApplyInput => ({ db, runId: run.id, runOptions: ctx.options, source, output, groups, photos: stored, hdr });
  return {
    info: { id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt ?? run.startedAt, sourceType: 'local', source, output },
    scope: LOCAL_SCOPE,
    photos,
    faces: (ids) => currentFaces(db, ids),
    image: (id) => {
      const p = stored.get(id);
      const shown = photos.get(id);
      if (p === undefined || shown === undefined) return null;
      return { identity: displayPath(p.path), format: shown.format, version: shown.version, open: async () => ({ file: p.path, release: () => undefined }) };
    },
    preview: async (groups): Promise<ApplyPreview> => ({ sections: [folderSection(output, previewLocalApply(input(groups)).changes)] }),
    apply: async (groups) => {
      const outcome = await applyLocal(input(groups));
      return {
        message: `Applied: ${outcome.applied.applied} files written, ${outcome.applied.removed} removed; report rewritten.`,
        failed: outcome.applied.failed.map((f) => `${f.target}: ${f.message}`),
        report: outcome.report.latest,
      };
    },
    close: async () => undefined,
  };
}

/** The confirmation's block for an output folder's changes. */
export function folderSection(output: string, changes: readonly FolderChange[]): ApplySection {
  return {
    intro: `These group folders in ${output} will be rewritten (your original photos are never touched), then the report:`,
    items: changes.map((c) => ({ label: c.folder, text: c.text })),
  };
}

/**
 * The run's source and output folders as absolute paths. The stored options hold them as typed,
 * which may be relative to wherever that run was started: then -o of this command, the folder
 * the default catalog sits in, or the report (which records both absolute) tell.
 */
function runFolders(options: Readonly<Record<string, unknown>>, catalog: string, outputHint: string | null): { source: string; output: string } {
  const typedSource = typeof options.source === 'string' && options.source !== '' ? options.source : null;
  const output = runOutput(options, catalog, outputHint);
  if (output === null) throw new ReviewSetupError(`cannot tell where the run wrote its groups: give the run's output folder with -o`);
  if (typedSource !== null && isAbsolute(typedSource)) return { source: typedSource, output };
  const fromReport = reportSource(output);
  if (fromReport === null) throw new ReviewSetupError(`cannot tell which folder the run read (its report ${join(output, 'reports', 'latest.json')} is missing)`);
  return { source: fromReport, output };
}

/** The run's -o as an absolute path (see runFolders); null when the run had none or it cannot be told. */
export function runOutput(options: Readonly<Record<string, unknown>>, catalog: string, outputHint: string | null): string | null {
  const typed = typeof options.output === 'string' && options.output !== '' ? options.output : null;
  if (typed !== null && isAbsolute(typed)) return typed;
  // An Immich run without -o changed the server only.
  if (typed === null && options.sourceType === 'immich') return null;
  if (outputHint !== null) return resolve(outputHint);
  return catalog.endsWith(`${sep}${CATALOG_TAIL}`) ? dirname(dirname(catalog)) : null;
}

const CATALOG_TAIL = join('.photo-organizer', 'catalog.db');

function reportSource(output: string): string | null {
  try {
    const report = JSON.parse(readFileSync(join(output, 'reports', 'latest.json'), 'utf8')) as { source?: unknown };
    return typeof report.source === 'string' && isAbsolute(report.source) ? report.source : null;
  } catch {
    return null;
  }
}
