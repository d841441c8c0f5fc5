/**
 * The final words of a run: what happened, where it is, and what to do next, in a few lines.
 */
import { groupFolderName } from '../output/plan.js';
import type { StageName } from '../pipeline/progress.js';
import type { RunSummary } from '../pipeline/run.js';
import { mediaCount } from '../core/clips.js';
import { formatSeconds } from './progress-display.js';

export interface SummaryContext {
  readonly verbose: boolean;
  /** The command as the user typed it, for the hints (see command-name.ts). */
  readonly command: string;
  /** The run log's path, when one is written. */
  readonly log: string | null;
}

/** What a stop in each stage leaves behind, for the interrupted summary. */
const STOPPED_IN: Readonly<Partial<Record<StageName, (s: RunSummary) => string>>> = {
  discover: () => 'Stopped while looking for photos',
  inspect: (s) => `Stopped while fingerprinting, after ${decodedOf(s)} new fingerprint${decodedOf(s) === 1 ? '' : 's'}`,
  group: () => `Stopped while grouping; every fingerprint is saved`,
  quality: () => 'Stopped while measuring the grouped photos; the fingerprints and the measures taken so far are saved',
  analyze: () => 'Stopped while looking at faces; the fingerprints and the faces analyzed so far are saved',
  select: () => 'Stopped while picking the best photos; the fingerprints and faces are saved',
  enhance: () => 'Stopped while merging exposure brackets; the merges finished so far are saved',
  output: (s) => `Stopped while writing ${s.output ?? 'the output'}; the files written so far are whole and kept`,
};

export function formatSummary(s: RunSummary, ctx: SummaryContext): string[] {
  const lines: string[] = [];
  const { command } = ctx;
  if (s.interrupted) {
    const said = s.stoppedIn === null ? undefined : STOPPED_IN[s.stoppedIn];
    lines.push(`${said ? said(s) : 'Interrupted'}; nothing is lost.`);
    lines.push(
      `Resume with: ${command} --resume -o ${quote(s.output ?? '.')}${s.catalog.endsWith('/.photo-organizer/catalog.db') ? '' : ` --state-file ${quote(s.catalog)}`}`,
    );
    return lines;
  }
  const skipped = countInspectErrors(s);
  const photos = s.photos - skipped - s.clips;
  const reused = s.pictures.cached > 0 ? ` (${s.pictures.cached} from the catalog, ${decodedOf(s)} decoded)` : '';
  const notPhotos =
    skipped > 0
      ? `; skipped ${skipped} file${skipped === 1 ? '' : 's'} that could not be read as photos${s.report ? ' (listed in the report)' : ''}`
      : '';
  lines.push(`Scanned ${mediaCount(photos, s.clips)}${reused}${notPhotos}.`);
  const kinds = (['burst', 'duplicate', 'similar'] as const)
    .filter((k) => s.byKind[k] > 0)
    .map((k) => `${s.byKind[k]} ${k === 'similar' ? 'similar' : k}${s.byKind[k] === 1 || k === 'similar' ? '' : 's'}`);
  lines.push(
    s.groups === 0
      ? 'No groups found.'
      : `Found ${s.groups} group${s.groups === 1 ? '' : 's'}: ${kinds.join(', ')} (${mediaCount(s.grouped - s.groupedClips, s.groupedClips)} grouped, ${photos + s.clips - s.grouped} alone).`,
  );
  const leftOut = leftOutNote(s.leftOut);
  if (leftOut !== null) lines.push(leftOut);
  if (s.faces !== null && s.grouped > 0) lines.push(facesLine(s.faces));
  if (s.closeCalls.length > 0) {
    const shown = s.closeCalls.slice(0, 5).map(groupFolderName).join(', ');
    const more = s.closeCalls.length > 5 ? ` and ${s.closeCalls.length - 5} more` : '';
    lines.push(
      `Close calls: in ${s.closeCalls.length} group${s.closeCalls.length === 1 ? '' : 's'} the best photo won by a small margin (${shown}${more}); worth a look.`,
    );
  }
  if (s.hdr !== null) lines.push(hdrLine(s.hdr, s.dryRun, hdrFailures(s)));
  if (s.swap != null) lines.push(...faceSwapLines(s.swap, s.dryRun));
  const otherErrors = s.errors.length - skipped;
  if (otherErrors > 0) {
    lines.push(`${otherErrors} file${otherErrors === 1 ? '' : 's'} could not be processed${s.report ? ' (listed in the report)' : ''}.`);
  }
  if (s.dryRun) {
    lines.push(
      `Dry run: nothing was written. ${s.groups === 0 ? 'There is nothing to write.' : `Each group's plan is listed above${ctx.verbose ? '' : ' (--verbose lists every file)'}.`}`,
    );
  } else if (s.applied) {
    const a = s.applied;
    lines.push(
      `Output: ${s.output} — ${a.applied} files written, ${a.skipped} already up to date${a.removed > 0 ? `, ${a.removed} stale removed` : ''}.`,
    );
  }
  if (s.report) lines.push(`Report: ${s.report.latest}`);
  if (ctx.log !== null) lines.push(`Log: ${ctx.log}`);
  if (ctx.verbose) {
    const t = Object.entries(s.timings)
      .map(([k, v]) => `${k} ${formatSeconds(v)}`)
      .join(', ');
    lines.push(`Timings: ${t}. Catalog: ${s.catalog}. Peak memory: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB.`);
  }
  lines.push(nextStep(s, command));
  return lines;
}

/** What face analysis saw in the grouped photos and on the grouped clips' key frames. */
function facesLine(f: NonNullable<RunSummary['faces']>): string {
  if (f.faces === 0 && f.clips === 0) return 'Faces: none found in the grouped photos; sharpness, exposure and resolution picked the best.';
  const seen = [
    ...(f.faces > 0 ? [`${f.faces} found in ${f.photos} grouped photo${f.photos === 1 ? '' : 's'}`] : []),
    ...(f.clips > 0 ? [`seen in the key frames of ${f.clips} clip${f.clips === 1 ? '' : 's'}`] : []),
  ];
  return `Faces: ${seen.join(' and ')}; open eyes and smiles counted in the best pick.`;
}

/** The one thing to do next, as a command to copy. */
function nextStep(s: RunSummary, command: string): string {
  if (s.dryRun) return 'Next: run the same command without --dry-run to write the groups.';
  if (s.groups === 0) return NO_GROUPS_NEXT(command);
  const where = s.catalog.endsWith('/.photo-organizer/catalog.db') ? `-o ${quote(s.output ?? '.')}` : `--state-file ${quote(s.catalog)}`;
  return reviewNext(command, where);
}

export const NO_GROUPS_NEXT = (command: string): string =>
  `Next: try a looser threshold (-t 8) or a longer --time-window; see: ${command} --help`;

/** The review command for a run's catalog (`where`: the options that find it, or ''). */
export function reviewNext(command: string, where: string): string {
  return `Next: look through the groups, change a pick or split a group, and apply: ${command} review ${where === '' ? '' : `${where} `}--open`;
}

/** What --enable-hdr did, in one line. */
export function hdrLine(hdr: NonNullable<RunSummary['hdr']>, dryRun: boolean, failed: number): string {
  if (hdr.brackets === 0)
    return 'HDR: no exposure bracket among the groups (brackets need EXIF exposure times spanning 2/3 of a stop or more).';
  const brackets = `${hdr.brackets} exposure bracket${hdr.brackets === 1 ? '' : 's'}`;
  if (dryRun) return `HDR: ${brackets} would be merged into hdr_merged.jpg.`;
  const kept = hdr.brackets - hdr.merged - failed;
  return `HDR: ${brackets} merged into hdr_merged.jpg (${hdr.merged} new${kept > 0 ? `, ${kept} from earlier runs` : ''}${failed > 0 ? `, ${failed} failed` : ''}).`;
}

/** HDR merges that failed (the enhance stage's other problems are face swaps). */
export function hdrFailures(s: RunSummary): number {
  return s.errors.filter((e) => e.stage === 'enhance' && e.message.startsWith('HDR merge')).length;
}

/** Most refused swaps spelled out in the summary; the report has them all. */
const REFUSALS_SHOWN = 3;

/** What --enable-face-swap did: one line, and a line per refused person (a few). */
export function faceSwapLines(swap: NonNullable<RunSummary['swap']>, dryRun: boolean): string[] {
  if (swap.blinking === 0) return ['Face swap: no best photo has closed eyes.'];
  const groups = `${swap.blinking} group${swap.blinking === 1 ? '' : 's'}`;
  const refused = swap.people.filter((p) => !p.kept);
  const head = dryRun
    ? `Face swap: closed eyes in the best photo of ${groups}; ${swap.planned} swap${swap.planned === 1 ? '' : 's'} planned (each is checked when made).`
    : `Face swap: closed eyes in the best photo of ${groups}; ${swap.swapped} face_swapped.jpg written (${swap.made} new)${refused.length > 0 ? `, ${refused.length} ${refused.length === 1 ? 'person' : 'people'} not swapped` : ''}.`;
  const shown = refused.slice(0, REFUSALS_SHOWN).map((p) => `  ${groupFolderName(p.group)}: ${p.label}: ${p.reason ?? 'not swapped'}`);
  const more = refused.length > REFUSALS_SHOWN ? [`  … and ${refused.length - REFUSALS_SHOWN} more (see the report)`] : [];
  return [head, ...shown, ...more];
}

/** Files that turned out not to be photos (text, empty, truncated): counted as skipped, not as photos. */
function countInspectErrors(s: RunSummary): number {
  return s.errors.filter((e) => e.stage === 'inspect' || e.stage === 'fingerprint').length;
}

export function quote(path: string): string {
  return /^[\w./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

/** Photos decoded by this run (fingerprinted or found broken). */
function decodedOf(s: RunSummary): number {
  return s.pictures.fingerprinted + s.pictures.failed;
}

/**
 * One line on the groups --min-group-size dropped, e.g. "16 groups of 2 left out: --min-group-size
 * 2 keeps them", or null when none was. `leftOut` maps a group size to how many were dropped.
 */
export function leftOutNote(leftOut: ReadonlyMap<number, number>): string | null {
  const sizes = [...leftOut.keys()].sort((a, b) => a - b);
  if (sizes.length === 0) return null;
  const parts = sizes.map((size, k) => {
    const count = leftOut.get(size)!;
    return `${count}${k === 0 ? ` group${count === 1 ? '' : 's'}` : ''} of ${size}`;
  });
  const list = parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}`;
  return `${list} left out: --min-group-size ${sizes[0]!} keeps them.`;
}
