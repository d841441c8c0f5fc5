/**
 * The run options as one table (OPTION_TABLE): each row holds an option's flag, default, zod
 * schema (whose messages name the flag and the range, sharp-style), help text and section, whether
 * settings files keep it, and its name in the seed's settings file. DEFAULT_OPTIONS, the commander
 * declarations (cli/program.ts), the settings-file keys (cli/settings.ts) and the messages are all
 * derived from it, so adding an option is one row.
 *
 * The rows' vocabulary and schema helpers are in option-row.ts, the Immich rows in immich-options.ts.
 *
 * Validated options are a discriminated union on `sourceType`: a local run has its folders, an
 * Immich run its server address, as types rather than as checks repeated by every reader.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { ClipLoadOptions } from '../media/clip.js';
import { MEDIA_TYPES, type MediaType, VIDEO_STRATEGIES, type VideoStrategy } from '../core/clips.js';
import { IMMICH_OPTIONS } from './immich-options.js';
import {
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  describe,
  FACE_BACKENDS,
  type FaceBackendName,
  flag,
  httpUrl,
  int,
  MAX_INT,
  type OptionRow,
  oneOf,
  SOURCE_TYPES,
  text,
} from './option-row.js';

export {
  CONFLICT_STRATEGIES,
  type ConflictStrategy,
  FACE_BACKENDS,
  type FaceBackendName,
  HELP_SECTIONS,
  type HelpSection,
  type OptionScope,
  SOURCE_TYPES,
} from './option-row.js';

/** Every run option. Keys are RunOptions' field names; the order is the settings file's. */
export const OPTION_TABLE = {
  sourceType: {
    flags: '--source-type <type>',
    default: 'local' as 'local' | 'immich',
    // 'hybrid' never reaches the schema: hybridAsImmich rewrites it first.
    schema: oneOf('--source-type', ['local', 'immich'], SOURCE_TYPES),
    help: 'local (a folder), immich (a server) or hybrid (a server whose originals are read from --immich-library-path)',
    section: 'source',
    scope: 'run',
    seed: 'source_type',
  } satisfies OptionRow<'local' | 'immich'>,
  source: {
    flags: '-s, --source <dir>',
    default: null as string | null,
    schema: text('--source', 'a folder').nullable(),
    help: 'folder containing the photos, searched recursively (local source)',
    section: 'source',
    scope: 'run',
    seed: 'source',
  } satisfies OptionRow<string | null>,
  output: {
    flags: '-o, --output <dir>',
    default: null as string | null,
    schema: text('--output', 'a folder').nullable(),
    help: 'folder for the organized groups, reports, logs and catalog (created if missing)',
    section: 'output',
    scope: 'run',
    seed: 'output',
  } satisfies OptionRow<string | null>,
  threshold: {
    flags: '-t, --threshold <n>',
    default: 5,
    schema: int('--threshold', 0, 64),
    parse: 'integer',
    help: 'similarity threshold 0-64: lower is stricter (see the guide below)',
    section: 'grouping',
    scope: 'run',
    seed: 'threshold',
  } satisfies OptionRow<number>,
  timeWindow: {
    flags: '--time-window <seconds>',
    default: 300,
    schema: int('--time-window', 0, MAX_INT),
    parse: 'integer',
    help: 'only group photos taken within this many seconds of each other; 0 ignores time',
    section: 'grouping',
    scope: 'run',
    seed: 'time_window',
  } satisfies OptionRow<number>,
  minGroupSize: {
    flags: '--min-group-size <n>',
    default: 3,
    schema: int('--min-group-size', 2, MAX_INT),
    parse: 'integer',
    help: 'smallest group kept (at least 2)',
    section: 'grouping',
    scope: 'run',
    seed: 'min_group_size',
  } satisfies OptionRow<number>,
  threads: {
    flags: '--threads <n>',
    default: availableParallelism(),
    defaultText: 'number of cores',
    schema: int('--threads', 1, 1024),
    parse: 'integer',
    help: 'worker threads for decoding and fingerprinting (results never depend on it)',
    section: 'run',
    scope: 'invocation',
    seed: 'threads',
  } satisfies OptionRow<number>,
  resume: flag('run', 'once', '--resume', 'continue an interrupted run, with its options', null),
  forceFresh: flag('run', 'once', '--force-fresh', 'forget the catalog (cached fingerprints, earlier runs) and start over', null),
  stateFile: {
    flags: '--state-file <path>',
    default: null as string | null,
    schema: text('--state-file', 'a file').nullable(),
    help: 'catalog file (default: OUTPUT/.photo-organizer/catalog.db)',
    section: 'run',
    scope: 'invocation',
    seed: null,
  } satisfies OptionRow<string | null>,
  dryRun: flag(
    'run',
    'invocation',
    '--dry-run',
    'change nothing at all; print a preview of each group (every file with --verbose)',
    'dry_run',
  ),
  verbose: flag('run', 'invocation', '--verbose', 'more detail: per-stage timings, every file of a dry run, every skipped file', 'verbose'),
  limit: {
    flags: '--limit <n>',
    default: 0,
    schema: int('--limit', 0, MAX_INT),
    parse: 'integer',
    help: 'process only the first N photos, in path order (0 = all)',
    section: 'source',
    scope: 'invocation',
    seed: 'limit',
  } satisfies OptionRow<number>,
  mediaType: {
    flags: '--media-type <type>',
    default: 'image' as MediaType,
    schema: oneOf('--media-type', MEDIA_TYPES),
    help: 'image (photos), video (clips: .mp4 .mov .mkv …) or all (both, each kind grouped apart)',
    section: 'source',
    scope: 'run',
    seed: 'media_type',
  } satisfies OptionRow<MediaType>,
  videoStrategy: {
    flags: '--video-strategy <name>',
    default: 'scene_change' as VideoStrategy,
    schema: oneOf('--video-strategy', VIDEO_STRATEGIES),
    help: "which key frames stand for a clip: scene_change (where the picture changes), fixed_interval (evenly in time) or iframe (the encoder's key frames, evenly)",
    section: 'grouping',
    scope: 'run',
    seed: 'video_strategy',
  } satisfies OptionRow<VideoStrategy>,
  videoMaxFrames: {
    flags: '--video-max-frames <n>',
    default: 10,
    schema: int('--video-max-frames', 1, 100),
    parse: 'integer',
    help: 'most key frames kept per clip (1-100)',
    section: 'grouping',
    scope: 'run',
    seed: 'video_max_frames',
  } satisfies OptionRow<number>,
  faceBackend: {
    flags: '--face-backend <name>',
    default: 'auto' as FaceBackendName,
    schema: oneOf('--face-backend', FACE_BACKENDS),
    help: 'face analysis for the best-photo choice: auto, human (the built-in face model) or none (face_recognition and mediapipe are aliases of human)',
    section: 'best',
    scope: 'run',
    seed: 'face_backend',
  } satisfies OptionRow<FaceBackendName>,
  enableHdr: flag(
    'best',
    'run',
    '--enable-hdr',
    'merge each exposure bracket (one scene at different exposures) into group_NNNN/hdr_merged.jpg',
    'enable_hdr',
  ),
  hdrGamma: {
    flags: '--hdr-gamma <value>',
    default: 2.2,
    schema: z
      .number({ error: (iss) => `Expected a number between 0.5 and 5 for --hdr-gamma but received ${describe(iss.input)}` })
      .refine((n) => Number.isFinite(n) && n >= 0.5 && n <= 5, {
        error: (iss) => `Expected a number between 0.5 and 5 for --hdr-gamma but received ${describe(iss.input)}`,
      }),
    parse: 'decimal',
    help: 'tone of the HDR merge: 2.2 keeps it as fused, higher lifts the shadows, lower deepens them (0.5-5)',
    section: 'best',
    scope: 'run',
    seed: 'hdr_gamma',
  } satisfies OptionRow<number>,
  enableFaceSwap: flag(
    'best',
    'run',
    '--enable-face-swap',
    'when someone blinks in the best photo, write group_NNNN/face_swapped.jpg with their open eyes from another frame of the group',
    'enable_face_swap',
  ),
  // The seed's pair: --swap-closed-eyes (the default) is declared beside this row in cli/program.ts.
  swapClosedEyes: {
    ...flag(
      'best',
      'run',
      '--no-swap-closed-eyes',
      "leave closed eyes as they are even with --enable-face-swap (the seed's switch)",
      'swap_closed_eyes',
    ),
    default: true,
  },
  ...IMMICH_OPTIONS,
  // Watch mode (pipeline/watch.ts): a run that stays, organizing what arrives.
  watch: flag(
    'run',
    'invocation',
    '--watch',
    'keep running: organize again whenever photos arrive or change (--daemon is the same; stop with Ctrl+C)',
    'daemon_mode',
  ),
  pollInterval: {
    flags: '--poll-interval <seconds>',
    default: 60,
    schema: int('--poll-interval', 1, 86_400),
    parse: 'integer',
    help: 'with --watch: how often to look for changes (an Immich server; a folder is rescanned every 10 polls)',
    section: 'run',
    scope: 'invocation',
    seed: 'poll_interval',
  } satisfies OptionRow<number>,
  enableBidirSync: flag(
    'immich',
    'run',
    '--enable-bidir-sync',
    'with --watch: keep what you change on the server (stack cover, favourite, a photo taken out) as a review decision',
    'enable_bidir_sync',
  ),
  conflictStrategy: {
    flags: '--conflict-strategy <strategy>',
    default: 'remote_wins' as ConflictStrategy,
    schema: oneOf('--conflict-strategy', CONFLICT_STRATEGIES),
    help: "with --enable-bidir-sync: remote_wins (your change on the server is kept), local_wins (this tool's pick is put back) or manual (listed, left for review)",
    section: 'immich',
    scope: 'run',
    seed: 'conflict_strategy',
  } satisfies OptionRow<ConflictStrategy>,
  undo: flag(
    'immich',
    'once',
    '--undo',
    'remove what earlier runs changed on the Immich server: tags, albums, stacks, favorites, archive',
    null,
  ),
};

type Table = typeof OPTION_TABLE;
export type OptionKey = keyof Table;

/** Every option's value, each field as wide as any source allows: settings files and the -i draft. */
export type OptionValues = { -readonly [K in OptionKey]: Table[K]['default'] };

export const OPTION_KEYS = Object.keys(OPTION_TABLE) as OptionKey[];

/** One row, with its value type erased: for code that walks the table. */
export function optionRow(key: OptionKey): OptionRow<unknown> {
  return OPTION_TABLE[key] as OptionRow<unknown>;
}

export const DEFAULT_OPTIONS: Readonly<OptionValues> = Object.fromEntries(
  OPTION_KEYS.map((k) => [k, OPTION_TABLE[k].default]),
) as OptionValues;

/** Flag names as the user types them (`--threshold`), for messages. */
export const FLAG_NAMES: Readonly<Record<OptionKey, string>> = Object.fromEntries(
  OPTION_KEYS.map((k) => [k, /--[\w-]+/.exec(OPTION_TABLE[k].flags)![0]]),
) as Record<OptionKey, string>;

/** Options whose value settings files keep (every scope but `once`). */
export const SAVED_KEYS: readonly OptionKey[] = OPTION_KEYS.filter((k) => OPTION_TABLE[k].scope !== 'once');

/** Options --resume restores from the interrupted run. */
export const RESTORED_KEYS: readonly OptionKey[] = OPTION_KEYS.filter((k) => OPTION_TABLE[k].scope === 'run');

/** The flat shape: every field with its own schema; what settings files and the -i prompts check against. */
export const optionFieldSchemas = Object.fromEntries(OPTION_KEYS.map((k) => [k, OPTION_TABLE[k].schema])) as {
  [K in OptionKey]: Table[K]['schema'];
};
export const optionValuesSchema = z.object(optionFieldSchemas).strict();

const required = (message: string) =>
  z
    .string({ error: (iss) => (iss.input === null || iss.input === undefined ? message : `${message}; received ${describe(iss.input)}`) })
    .min(1, { error: message });

const localSchema = optionValuesSchema.extend({
  sourceType: z.literal('local'),
  source: required('--source is required for a local run (the folder holding your photos)'),
  output: required('--output is required (the folder for the organized groups)'),
});

const immichSchema = optionValuesSchema.extend({
  sourceType: z.literal('immich'),
  immichUrl: z
    .string({
      error: (iss) =>
        iss.input === null || iss.input === undefined
          ? '--immich-url is required with --source-type immich (the address of your Immich server)'
          : `Expected an http(s) URL for --immich-url but received ${describe(iss.input)}`,
    })
    .pipe(httpUrl),
});

/** Validated options: a discriminated union on the source. */
export const runOptionsSchema = z.preprocess(
  (raw) => (typeof raw === 'object' && raw !== null ? hybridAsImmich(raw as Record<string, unknown>) : raw),
  z.discriminatedUnion('sourceType', [localSchema, immichSchema], {
    error: (iss) =>
      `Expected one of ${SOURCE_TYPES.join(', ')} for --source-type but received ${describe((iss.input as Record<string, unknown> | undefined)?.sourceType)}`,
  }),
);

export type LocalRunOptions = Readonly<z.output<typeof localSchema>>;
export type ImmichRunOptions = Readonly<z.output<typeof immichSchema>>;
export type RunOptions = LocalRunOptions | ImmichRunOptions;

/** The seed's default --immich-library-path, taken when --source-type hybrid names none. */
export const SEED_LIBRARY_PATH = '/mnt/photos/immich-app/library';

/**
 * The seed's `--source-type hybrid` (Immich, originals read from a local copy of its library) is
 * an Immich run with --immich-library-path here: rewritten so before validation.
 */
export function hybridAsImmich(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.sourceType !== 'hybrid') return raw;
  return { ...raw, sourceType: 'immich', immichLibraryPath: raw.immichLibraryPath ?? SEED_LIBRARY_PATH };
}

/** Which Immich picture a run works on: originals when asked, or when they can be read locally. */
export function pictureKind(o: Pick<OptionValues, 'useFullResolution' | 'immichLibraryPath'>): 'original' | 'preview' {
  return o.useFullResolution || o.immichLibraryPath !== null ? 'original' : 'preview';
}

/** How clips are fingerprinted in a run: null when it reads photos only (--media-type image). */
export function clipLoading(o: Pick<OptionValues, 'mediaType' | 'videoStrategy' | 'videoMaxFrames'>): ClipLoadOptions | null {
  return o.mediaType === 'image' ? null : { strategy: o.videoStrategy, maxFrames: o.videoMaxFrames };
}

/** The first problem as one line naming the flag. */
function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path[0];
  const flagName = typeof field === 'string' && field in FLAG_NAMES ? FLAG_NAMES[field as OptionKey] : String(field ?? '');
  return issue.message.includes('--') ? issue.message : `${flagName}: ${issue.message}`;
}

/** Validates merged options for a run; returns the first problem as one line, or the options. */
export function validateOptions(input: unknown): { ok: true; options: RunOptions } | { ok: false; message: string } {
  const parsed = runOptionsSchema.safeParse(input);
  return parsed.success ? { ok: true, options: parsed.data } : { ok: false, message: firstProblem(parsed.error) };
}

/** Validates every value without asking for a complete run (the -i walkthrough starts without folders). */
export function validateValues(input: unknown): { ok: true; values: OptionValues } | { ok: false; message: string } {
  const parsed = optionValuesSchema.safeParse(hybridAsImmich(input as Record<string, unknown>));
  return parsed.success ? { ok: true, values: parsed.data as OptionValues } : { ok: false, message: firstProblem(parsed.error) };
}
