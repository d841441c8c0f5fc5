/** The final words of an Immich run: what was looked at, downloaded, found and changed. */
import type { RunSummary } from '../pipeline/run.js';
import type { KindCounts } from '../sources/immich-fallback.js';
import { formatSeconds } from './progress-display.js';
import { faceSwapLines, hdrFailures, hdrLine, leftOutNote, NO_GROUPS_NEXT, reviewNext, type SummaryContext } from './summary.js';

export interface ImmichSummaryContext extends SummaryContext {
  /** The options a review of this run needs to find its catalog (`-o DIR`, `--state-file F`…), or ''. */
  readonly reviewWhere: string;
}

export function formatImmichSummary(s: RunSummary, ctx: ImmichSummaryContext): string[] {
  const { verbose } = ctx;
  const lines: string[] = [];
  const downloaded = s.downloaded ?? { bytes: 0, files: 0, requests: 0 };
  if (s.interrupted) {
    lines.push('Interrupted; nothing is lost and no change is made twice.');
    lines.push('Resume by running the same command again (or add --resume to reuse its options).');
    return lines;
  }
  if (!s.undo) {
    lines.push(
      `Listed ${s.photos} photos on ${s.source}: ${s.ruledOut} ${s.prefiltered ? 'ruled out by their thumbhash alone' : "outside the server's duplicate groups"}, ${s.candidates} looked at closely.`,
    );
    lines.push(
      `Downloaded ${downloaded.files} picture${downloaded.files === 1 ? '' : 's'} (${formatBytes(downloaded.bytes)})${readAs(s.pictures.downloadedAs)}${wholeClips(s.pictures.wholeClips)}; ` +
        `${s.pictures.fromCache} from the cache, ${s.pictures.fromLibrary > 0 ? `${s.pictures.fromLibrary} read from the library folder, ` : ''}${s.pictures.cached} fingerprints from the catalog.`,
    );
    const kinds = (['burst', 'duplicate', 'similar'] as const)
      .filter((k) => s.byKind[k] > 0)
      .map((k) => `${s.byKind[k]} ${k}${s.byKind[k] === 1 || k === 'similar' ? '' : 's'}`);
    lines.push(
      s.groups === 0
        ? 'No groups found.'
        : `Found ${s.groups} group${s.groups === 1 ? '' : 's'}: ${kinds.join(', ')} (${s.grouped} photos grouped).`,
    );
    const leftOut = leftOutNote(s.leftOut);
    if (leftOut !== null) lines.push(leftOut);
    if (s.errors.length > 0)
      lines.push(
        `${s.errors.length} photo${s.errors.length === 1 ? '' : 's'} could not be processed${s.report ? ' (listed in the report)' : ''}.`,
      );
  }
  const a = s.actions;
  if (a !== null) {
    const what = s.undo ? 'undo' : 'Immich';
    for (const n of a.notices) lines.push(`Note: ${n}`);
    if (s.dryRun) {
      lines.push(
        `Dry run: nothing was changed. The ${what} plan has ${a.planLines.length} change${a.planLines.length === 1 ? '' : 's'} (listed above).`,
      );
    } else if (a.planLines.length === 0) {
      lines.push(
        s.undo ? 'Nothing to undo: no change of this tool is left on the server.' : 'Immich: already up to date, nothing to change.',
      );
    } else {
      lines.push(
        `${s.undo ? 'Undo' : 'Immich'}: ${a.planLines.length - a.failures.length} of ${a.planLines.length} changes made (${a.applied} photo updates)` +
          `${a.failures.length > 0 ? `, ${a.failures.length} failed (see the warnings above)` : ''}` +
          `${a.unverified.length === 0 ? '; verified on the server' : `; ${a.unverified.length} not visible on the server afterwards`}` +
          `${(a.reapplied ?? 0) > 0 ? ` (after settling, ${a.reapplied} more round${a.reapplied === 1 ? '' : 's'} re-applied what the server's background jobs had undone)` : ''}.`,
      );
      for (const u of a.unverified) lines.push(`  not verified: ${u}`);
    }
  }
  if (s.dryRun && s.planLines.length > 0) lines.push(`Dry run: the output plan has ${s.planLines.length} operations (listed above).`);
  if (s.hdr !== null) lines.push(hdrLine(s.hdr, s.dryRun, hdrFailures(s)));
  if (s.swap != null) lines.push(...faceSwapLines(s.swap, s.dryRun));
  if (s.applied) {
    lines.push(
      `Output: ${s.output} — ${s.applied.applied} files written, ${s.applied.skipped} already up to date${s.applied.removed > 0 ? `, ${s.applied.removed} stale removed` : ''}.`,
    );
  }
  if (s.report) lines.push(`Report: ${s.report.latest}`);
  if (ctx.log !== null) lines.push(`Log: ${ctx.log}`);
  if (verbose) {
    const t = Object.entries(s.timings)
      .map(([k, v]) => `${k} ${formatSeconds(v)}`)
      .join(', ');
    lines.push(
      `Timings: ${t}. Requests to Immich: ${downloaded.requests}. Catalog: ${s.catalog}. Peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`,
    );
  }
  const next = nextStep(s, ctx);
  if (next !== null) lines.push(next);
  return lines;
}

/** The one thing to do next, as a command to copy; none after an undo that went through. */
function nextStep(s: RunSummary, ctx: ImmichSummaryContext): string | null {
  const failed = s.actions?.failures.length ?? 0;
  if (s.dryRun) return `Next: run the same command without --dry-run to ${s.undo ? 'undo these changes' : 'make these changes'}.`;
  if (failed > 0) return 'Next: run the same command again to retry what failed (nothing is done twice).';
  if (s.undo) return null;
  if (s.groups === 0) return NO_GROUPS_NEXT(ctx.command);
  return `${reviewNext(ctx.command, ctx.reviewWhere)} (with IMMICH_API_KEY set as for this run)`;
}

/**
 * How the pictures of a preview run were read, when the server lacked some previews:
 * `: 7 previews, 2 originals (no preview on the server)`; nothing when all were previews.
 */
function readAs(k: KindCounts): string {
  if (k.thumbnail === 0 && (k.original === 0 || k.preview === 0)) return '';
  const parts = [`${k.preview} preview${k.preview === 1 ? '' : 's'}`];
  if (k.thumbnail > 0) parts.push(`${k.thumbnail} thumbnail${k.thumbnail === 1 ? '' : 's'}`);
  if (k.original > 0) parts.push(`${k.original} original${k.original === 1 ? '' : 's'}`);
  return `: ${parts.join(', ')} (no preview on the server for the others)`;
}

/** Clips downloaded whole (posters could not decide: possible trims or takes), when there were any. */
function wholeClips(n: number): string {
  return n === 0 ? '' : `, ${n} of them whole clip${n === 1 ? '' : 's'} (compared on their key frames)`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
