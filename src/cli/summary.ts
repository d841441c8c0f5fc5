/** The final words of a run: what was done and where, in a few lines. */
import { formatSeconds } from './progress-display.js';
import type { RunSummary } from '../pipeline/run.js';
import { leftOutNote } from '../core/grouping.js';

export function formatSummary(s: RunSummary, verbose: boolean): string[] {
  const lines: string[] = [];
  if (s.interrupted) {
    lines.push(`Interrupted after ${s.pictures.fingerprinted + s.pictures.failed} new fingerprints; nothing is lost.`);
    lines.push(`Resume with: photo-organizer --resume -o ${quote(s.output ?? '.')}${s.catalog.endsWith('/.photo-organizer/catalog.db') ? '' : ` --state-file ${quote(s.catalog)}`}`);
    return lines;
  }
  const decoded = s.pictures.fingerprinted + s.pictures.failed;
  const reused = s.pictures.cached > 0 ? ` (${s.pictures.cached} from the catalog, ${decoded} decoded)` : '';
  lines.push(`Scanned ${s.photos} photos${reused}.`);
  const kinds = (['burst', 'duplicate', 'similar'] as const)
    .filter((k) => s.byKind[k] > 0)
    .map((k) => `${s.byKind[k]} ${k === 'similar' ? 'similar' : k}${s.byKind[k] === 1 || k === 'similar' ? '' : 's'}`);
  lines.push(
    s.groups === 0
      ? 'No groups found.'
      : `Found ${s.groups} group${s.groups === 1 ? '' : 's'}: ${kinds.join(', ')} (${s.grouped} photos grouped, ${s.photos - s.grouped - countInspectErrors(s)} alone).`,
  );
  const leftOut = leftOutNote(s.leftOut);
  if (leftOut !== null) lines.push(leftOut);
  if (s.hdr !== null) lines.push(hdrLine(s.hdr, s.dryRun, s.errors.filter((e) => e.stage === 'enhance').length));
  if (s.errors.length > 0) {
    lines.push(`${s.errors.length} file${s.errors.length === 1 ? '' : 's'} could not be processed${s.report ? ' (listed in the report)' : ''}.`);
  }
  if (s.dryRun) {
    lines.push(`Dry run: nothing was written. The plan has ${s.planLines.length} operations (listed above).`);
  } else if (s.applied) {
    const a = s.applied;
    lines.push(
      `Output: ${s.output} — ${a.applied} files written, ${a.skipped} already up to date${a.removed > 0 ? `, ${a.removed} stale removed` : ''}.`,
    );
  }
  if (s.report) lines.push(`Report: ${s.report.latest}`);
  if (verbose) {
    const t = Object.entries(s.timings)
      .map(([k, v]) => `${k} ${formatSeconds(v)}`)
      .join(', ');
    lines.push(`Timings: ${t}. Catalog: ${s.catalog}. Peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`);
  }
  return lines;
}

/** What --enable-hdr did, in one line. */
export function hdrLine(hdr: NonNullable<RunSummary['hdr']>, dryRun: boolean, failed: number): string {
  if (hdr.brackets === 0) return 'HDR: no exposure bracket among the groups (brackets need EXIF exposure times spanning 2/3 of a stop or more).';
  const brackets = `${hdr.brackets} exposure bracket${hdr.brackets === 1 ? '' : 's'}`;
  if (dryRun) return `HDR: ${brackets} would be merged into hdr_merged.jpg.`;
  const kept = hdr.brackets - hdr.merged - failed;
  return `HDR: ${brackets} merged into hdr_merged.jpg (${hdr.merged} new${kept > 0 ? `, ${kept} from earlier runs` : ''}${failed > 0 ? `, ${failed} failed` : ''}).`;
}

function countInspectErrors(s: RunSummary): number {
  return s.errors.filter((e) => e.stage === 'inspect' || e.stage === 'fingerprint').length;
}

function quote(path: string): string {
  return /^[\w./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
