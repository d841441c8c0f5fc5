/**
 * The run options: one DEFAULT_OPTIONS object and one zod schema that the CLI, settings files
 * and the interactive menu all share. Messages name the flag and the range, sharp-style.
 */
import { availableParallelism, homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const DEFAULT_OPTIONS = {
  sourceType: 'local' as 'local' | 'immich',
  source: null as string | null,
  output: null as string | null,
  threshold: 5,
  timeWindow: 300,
  minGroupSize: 3,
  threads: availableParallelism(),
  resume: false,
  forceFresh: false,
  stateFile: null as string | null,
  dryRun: false,
  verbose: false,
  limit: 0,
  faceBackend: 'auto' as FaceBackendName,
  /** Merge exposure brackets into group_NNNN/hdr_merged.jpg (folder runs). */
  enableHdr: false,
  /** The seed's tone-mapping gamma; 2.2 leaves the merge as fused, higher lifts the shadows. */
  hdrGamma: 2.2,
  // Immich (--source-type immich). The API key is deliberately not an option: it comes from
  // --immich-api-key or IMMICH_API_KEY and never reaches a stored run, report or settings file.
  immichUrl: null as string | null,
  immichAlbum: null as string | null,
  immichCacheDir: join(homedir(), '.cache', 'photo-organizer', 'immich'),
  /** MiB. */
  immichCacheSize: 5000,
  verifySsl: true,
  useFullResolution: false,
  /** A local copy of the Immich library: originals are read from it instead of downloaded (implies originals). */
  immichLibraryPath: null as string | null,
  tagOnly: false,
  createAlbums: false,
  albumPrefix: 'Organized-',
  markBestFavorite: false,
  archiveNonBest: false,
  stack: false,
  immichGroupByPerson: false,
  immichPerson: null as string | null,
  /** One grouping pass per exact combination of favourite people. */
  immichGroupByPeople: false,
  /** People never grouped by nor named in albums (pets, strangers). */
  excludedPeople: [] as string[],
  immichUseServerFaces: false,
  immichUseDuplicates: false,
  immichSmartSearch: null as string | null,
  undo: false,
};

/** Face backends: `auto` picks the built-in one when it loads; the seed's names are aliases. */
export const FACE_BACKENDS = ['auto', 'human', 'none', 'face_recognition', 'mediapipe'] as const;
export type FaceBackendName = (typeof FACE_BACKENDS)[number];

export type RunOptions = Readonly<typeof DEFAULT_OPTIONS>;

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
export function pictureKind(o: Pick<RunOptions, 'useFullResolution' | 'immichLibraryPath'>): 'original' | 'preview' {
  return o.useFullResolution || o.immichLibraryPath !== null ? 'original' : 'preview';
}

/** Flag names as the user types them, for messages. */
export const FLAG_NAMES: Readonly<Record<keyof RunOptions, string>> = {
  sourceType: '--source-type',
  source: '--source',
  output: '--output',
  threshold: '--threshold',
  timeWindow: '--time-window',
  minGroupSize: '--min-group-size',
  threads: '--threads',
  resume: '--resume',
  forceFresh: '--force-fresh',
  stateFile: '--state-file',
  dryRun: '--dry-run',
  verbose: '--verbose',
  limit: '--limit',
  faceBackend: '--face-backend',
  enableHdr: '--enable-hdr',
  hdrGamma: '--hdr-gamma',
  immichUrl: '--immich-url',
  immichAlbum: '--immich-album',
  immichCacheDir: '--immich-cache-dir',
  immichCacheSize: '--immich-cache-size',
  verifySsl: '--no-verify-ssl',
  useFullResolution: '--use-full-resolution',
  immichLibraryPath: '--immich-library-path',
  tagOnly: '--tag-only',
  createAlbums: '--create-albums',
  albumPrefix: '--album-prefix',
  markBestFavorite: '--mark-best-favorite',
  archiveNonBest: '--archive-non-best',
  stack: '--stack',
  immichGroupByPerson: '--immich-group-by-person',
  immichPerson: '--immich-person',
  immichGroupByPeople: '--immich-group-by-people',
  excludedPeople: '--excluded-people',
  immichUseServerFaces: '--immich-use-server-faces',
  immichUseDuplicates: '--immich-use-duplicates',
  immichSmartSearch: '--immich-smart-search',
  undo: '--undo',
};

const int = (flag: string, min: number, max: number) =>
  z.number({ error: (iss) => `Expected an integer between ${min} and ${max} for ${flag} but received ${describe(iss.input)}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: (iss) => `Expected an integer between ${min} and ${max} for ${flag} but received ${describe(iss.input)}`,
    });

const MAX_INT = 2 ** 31 - 1;

export const runOptionsSchema = z
  .object({
    sourceType: z.enum(['local', 'immich'], {
      error: (iss) => `Expected one of local, immich for --source-type but received ${describe(iss.input)}`,
    }),
    source: z.string().min(1).nullable(),
    output: z.string().min(1).nullable(),
    threshold: int('--threshold', 0, 64),
    timeWindow: int('--time-window', 0, MAX_INT),
    minGroupSize: int('--min-group-size', 2, MAX_INT),
    threads: int('--threads', 1, 1024),
    resume: z.boolean(),
    forceFresh: z.boolean(),
    stateFile: z.string().min(1).nullable(),
    dryRun: z.boolean(),
    verbose: z.boolean(),
    limit: int('--limit', 0, MAX_INT),
    faceBackend: z.enum(FACE_BACKENDS, {
      error: (iss) => `Expected one of ${FACE_BACKENDS.join(', ')} for --face-backend but received ${describe(iss.input)}`,
    }),
    enableHdr: z.boolean(),
    hdrGamma: z
      .number({ error: (iss) => `Expected a number between 0.5 and 5 for --hdr-gamma but received ${describe(iss.input)}` })
      .refine((n) => Number.isFinite(n) && n >= 0.5 && n <= 5, { error: (iss) => `Expected a number between 0.5 and 5 for --hdr-gamma but received ${describe(iss.input)}` }),
    immichUrl: z
      .string({ error: (iss) => `Expected an http(s) URL for --immich-url but received ${describe(iss.input)}` })
      .refine((v) => /^https?:\/\/[^/\s]+/i.test(v), { error: (iss) => `Expected an http(s) URL for --immich-url but received ${describe(iss.input)}` })
      .nullable(),
    immichAlbum: z.string().min(1, { error: 'Expected an album name for --immich-album but received ""' }).nullable(),
    immichCacheDir: z.string().min(1),
    immichCacheSize: int('--immich-cache-size', 1, 1024 * 1024),
    verifySsl: z.boolean(),
    useFullResolution: z.boolean(),
    immichLibraryPath: z.string().min(1, { error: 'Expected a folder for --immich-library-path but received ""' }).nullable(),
    tagOnly: z.boolean(),
    createAlbums: z.boolean(),
    albumPrefix: z.string(),
    markBestFavorite: z.boolean(),
    archiveNonBest: z.boolean(),
    stack: z.boolean(),
    immichGroupByPerson: z.boolean(),
    immichPerson: z.string().min(1, { error: 'Expected a person\'s name for --immich-person but received ""' }).nullable(),
    immichGroupByPeople: z.boolean(),
    excludedPeople: z.array(z.string().trim().min(1, { error: 'Expected names for --excluded-people but received ""' })),
    immichUseServerFaces: z.boolean(),
    immichUseDuplicates: z.boolean(),
    immichSmartSearch: z.string().min(1, { error: 'Expected a search query for --immich-smart-search but received ""' }).nullable(),
    undo: z.boolean(),
  })
  .strict();

function describe(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** Validates merged options; returns the first problem as one line, or the options. */
export function validateOptions(input: unknown): { ok: true; options: RunOptions } | { ok: false; message: string } {
  const parsed = runOptionsSchema.safeParse(input);
  if (parsed.success) return { ok: true, options: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path[0];
  const flag = typeof field === 'string' && field in FLAG_NAMES ? FLAG_NAMES[field as keyof RunOptions] : String(field ?? '');
  return { ok: false, message: issue.message.includes('--') ? issue.message : `${flag}: ${issue.message}` };
}
