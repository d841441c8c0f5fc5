/**
 * The summary screen: every choice, by section, then the menu (run, edit a section, save,
 * quit). Pure formatting plus one question, so tests read the lines directly.
 */
import type { Draft, SetupContext } from './context.js';
import { yesNo } from './context.js';
import { thresholdBand } from './processing.js';
import { keySource } from './server.js';

export type SectionId = 'source' | 'processing' | 'best' | 'actions' | 'run';

export const SECTION_TITLES: Readonly<Record<SectionId, string>> = {
  source: 'Source',
  processing: 'Processing',
  best: 'Best photo',
  actions: 'Actions',
  run: 'Run options',
};

export const SECTION_ORDER: readonly SectionId[] = ['source', 'processing', 'best', 'actions', 'run'];

export type MenuChoice = 'run' | 'edit' | 'save' | 'quit';

/** The summary's lines, without trailing spaces. */
export function summaryLines(d: Draft): string[] {
  const rows: [SectionId, string[]][] = [
    ['source', sourceLines(d)],
    ['processing', processingLines(d)],
    [
      'best',
      [
        `face analysis: ${d.settings.faceBackend} · HDR merge: ${d.settings.enableHdr ? `yes (gamma ${d.settings.hdrGamma})` : 'no'}${d.settings.enableFaceSwap && d.settings.swapClosedEyes ? ' · face swap: yes' : ''}`,
      ],
    ],
    ['actions', actionLines(d)],
    [
      'run',
      [
        `dry run: ${yesNo(d.settings.dryRun)} · limit: ${d.settings.limit === 0 ? 'all photos' : `first ${d.settings.limit} photos`} · verbose: ${yesNo(d.settings.verbose)}`,
        ...watchLines(d),
      ],
    ],
  ];
  const out = ['Your settings:'];
  rows.forEach(([id, lines], i) => {
    const head = `  [${i + 1}] ${SECTION_TITLES[id].padEnd(13)}`;
    lines.forEach((line, j) => {
      out.push(`${j === 0 ? head : ' '.repeat(head.length)}${line}`);
    });
  });
  return out;
}

function sourceLines(d: Draft): string[] {
  const s = d.settings;
  if (s.sourceType === 'local') return [`folder ${s.source ?? '(not chosen)'}`, `organized copy in ${s.output ?? '(not chosen)'}`];
  const server = d.server;
  const state =
    server === null
      ? 'not checked'
      : server.ok
        ? `Immich ${server.version}, API key of ${server.user}`
        : `could not connect: ${server.message}`;
  return [
    `Immich server ${s.immichUrl ?? '(not chosen)'} (${state})`,
    `album: ${s.immichAlbum === null ? 'whole library' : `"${s.immichAlbum}"`} · API key: ${d.apiKey === null ? 'none yet' : `from ${keySource(d)}`} (never saved)`,
  ];
}

function processingLines(d: Draft): string[] {
  const s = d.settings;
  return [
    `threshold ${s.threshold} (${thresholdBand(s.threshold)}) · time window ${s.timeWindow === 0 ? 'off' : `${s.timeWindow} s`} · groups of ${s.minGroupSize} or more · ${s.threads} thread${s.threads === 1 ? '' : 's'}`,
    ...(s.mediaType !== 'image'
      ? [
          `${s.mediaType === 'video' ? 'video clips only' : 'photos and video clips'} · key frames: ${s.videoStrategy}, up to ${s.videoMaxFrames} per clip`,
        ]
      : []),
  ];
}

function actionLines(d: Draft): string[] {
  const s = d.settings;
  if (s.sourceType === 'local') return ['copy each group into the output folder, best photo marked'];
  const server = [
    s.tagOnly && 'tag-only',
    s.createAlbums && `albums "${s.albumPrefix}…"`,
    s.markBestFavorite && 'best as favorite',
    s.archiveNonBest && 'archive the others',
    s.stack && 'stack',
  ].filter((x): x is string => typeof x === 'string');
  const grouping = [
    s.immichGroupByPerson && (s.immichPerson === null ? 'by person' : `person "${s.immichPerson}"`),
    s.immichGroupByPeople && 'by combination of favourite people',
    s.excludedPeople.length > 0 && `leaving out ${s.excludedPeople.join(', ')}`,
    s.immichUseServerFaces && 'best by server faces',
    s.immichUseDuplicates && "Immich's duplicate groups",
    s.immichSmartSearch !== null && `smart search "${s.immichSmartSearch}"`,
  ].filter((x): x is string => typeof x === 'string');
  return [
    `on the server: ${server.length === 0 ? 'nothing' : server.join(' · ')}`,
    `grouping: ${grouping.length === 0 ? 'whole library, found by looks' : grouping.join(' · ')}`,
    `download: ${s.immichLibraryPath !== null ? `originals read from ${s.immichLibraryPath}` : s.useFullResolution ? 'originals' : 'previews'} · organized copy in ${s.output ?? '(none)'}`,
    `cache ${s.immichCacheDir} (${s.immichCacheSize} MB) · TLS certificate ${s.verifySsl ? 'checked' : 'NOT checked'}`,
  ];
}

/** Prints the summary and asks what to do next. */
export async function summaryMenu(d: Draft, ctx: SetupContext, settingsPath: string, saved: boolean, command: string): Promise<MenuChoice> {
  ctx.say();
  for (const line of summaryLines(d)) ctx.say(line);
  ctx.say();
  return ctx.prompt.choose<MenuChoice>({
    message: 'What now?',
    choices: [
      { value: 'run', name: d.settings.dryRun ? 'Run (dry run: nothing is changed)' : 'Run' },
      { value: 'edit', name: 'Edit a section' },
      {
        value: 'save',
        name: `Save these settings to ${settingsPath}${saved ? ' (saved)' : ''}`,
        description: `Run them later without questions: ${command} -r. The API key is never saved.`,
      },
      { value: 'quit', name: saved ? 'Quit without running' : 'Quit without running or saving' },
    ],
    default: 'run',
  });
}

/** Which section to edit, numbered as in the summary (a folder run's Actions have nothing to ask). */
export function chooseSection(d: Draft, ctx: SetupContext): Promise<SectionId | 'back'> {
  const nothing = (id: SectionId): boolean => id === 'actions' && d.settings.sourceType === 'local';
  return ctx.prompt.choose<SectionId | 'back'>({
    message: 'Edit which section?',
    choices: [
      ...SECTION_ORDER.map((id) => ({
        value: id,
        name: SECTION_TITLES[id],
        ...(nothing(id) ? { disabled: '(nothing to choose for a folder)' } : {}),
      })),
      { value: 'back' as const, name: 'Back to the summary' },
    ],
  });
}

/** Watch mode, when on: how often, and (Immich) whether the user's changes on the server are kept. */
function watchLines(d: Draft): string[] {
  const s = d.settings;
  if (!s.watch) return [];
  const sync = s.sourceType === 'immich' && s.enableBidirSync ? ` · your changes on the server: ${s.conflictStrategy}` : '';
  return [`watch: every ${s.pollInterval} s${sync}`];
}
