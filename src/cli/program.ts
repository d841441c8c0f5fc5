/**
 * The command line: seed-compatible flags with the same names and defaults. Values are parsed
 * leniently here and validated in one place (pipeline/options.ts) so every bad value gets the
 * same kind of one-line message.
 */
import { Command, Option } from 'commander';
import { DEFAULT_OPTIONS, SEED_LIBRARY_PATH } from '../pipeline/options.js';
import { reviewCommand } from './review.js';
import { SETTINGS_FILE } from './settings.js';

const EXAMPLES = `
Examples:
  Organize a folder (bursts, duplicates, similar shots) into ~/Organized:
    $ photo-organizer -s ~/Photos -o ~/Organized

  See what would happen, changing nothing:
    $ photo-organizer -s ~/Photos -o ~/Organized --dry-run

  Find duplicates across the whole library, whatever their dates:
    $ photo-organizer -s ~/Photos -o ~/Organized -t 3 --time-window 0

  Looser grouping of similar compositions within 30 minutes:
    $ photo-organizer -s ~/Photos -o ~/Organized -t 8 --time-window 1800

  Continue a run that was interrupted:
    $ photo-organizer -o ~/Organized --resume

  Review the groups in your browser, fix the picks, apply (see photo-organizer review --help):
    $ photo-organizer review -o ~/Organized --open

  Tag bursts and duplicates in an Immich library (key from the environment), then take it back:
    $ export IMMICH_API_KEY=...
    $ photo-organizer --source-type immich --immich-url https://photos.example.com --tag-only --dry-run
    $ photo-organizer --source-type immich --immich-url https://photos.example.com --tag-only --stack
    $ photo-organizer --source-type immich --immich-url https://photos.example.com --undo

  Set up step by step (and save the settings), then run them again later without questions:
    $ photo-organizer -i
    $ photo-organizer -r

Threshold guide (-t): 0-3 duplicates only, 4-6 bursts (default 5), 7-10 similar scenes, 11+ very loose.
`;

/** Integers as typed; anything else becomes NaN and is reported by validation with the flag's name. */
const integer = (value: string): number => (/^\s*-?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : Number.NaN);
const decimal = (value: string): number => (/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number.parseFloat(value) : Number.NaN);

export function buildProgram(): Command {
  const program = new Command('photo-organizer')
    .description('Find bursts, duplicates and similar shots in a photo library, pick the best of each group, and organize them.')
    .addOption(
      new Option('--source-type <type>', 'photo source: local or immich (hybrid: immich, reading originals from --immich-library-path)').default(DEFAULT_OPTIONS.sourceType),
    )
    .option('-s, --source <dir>', 'folder containing the photos (local source)')
    .option('-o, --output <dir>', 'folder for the organized groups and reports')
    .addOption(
      new Option('-t, --threshold <n>', 'similarity threshold 0-64: lower is stricter (see the guide below)')
        .argParser(integer)
        .default(DEFAULT_OPTIONS.threshold),
    )
    .addOption(
      new Option('--time-window <seconds>', 'only group photos taken within this many seconds of each other; 0 ignores time')
        .argParser(integer)
        .default(DEFAULT_OPTIONS.timeWindow),
    )
    .addOption(
      new Option('--min-group-size <n>', 'smallest group kept (at least 2)').argParser(integer).default(DEFAULT_OPTIONS.minGroupSize),
    )
    .addOption(
      new Option('--threads <n>', 'worker threads for decoding and fingerprinting')
        .argParser(integer)
        .default(DEFAULT_OPTIONS.threads, 'number of cores'),
    )
    .option('--resume', 'continue an interrupted run, with its options')
    .option('--force-fresh', 'forget the catalog (cached fingerprints, earlier runs) and start over')
    .option('--state-file <path>', 'catalog file (default: OUTPUT/.photo-organizer/catalog.db)')
    .option('--dry-run', 'change nothing at all; print the plan')
    .option('--verbose', 'more detail: per-stage timings, grouping statistics, every skipped file')
    .addOption(new Option('--limit <n>', 'process only the first N photos (0 = all)').argParser(integer).default(DEFAULT_OPTIONS.limit))
    .addOption(
      new Option('--face-backend <name>', 'face analysis for the best-photo choice: auto, human or none (face_recognition and mediapipe are aliases of human)').default(
        DEFAULT_OPTIONS.faceBackend,
      ),
    )
    .option('--enable-hdr', 'merge each exposure bracket (frames of one scene at different exposures) into group_NNNN/hdr_merged.jpg')
    .addOption(
      new Option('--hdr-gamma <value>', 'tone of the HDR merge: 2.2 keeps it as fused, higher lifts the shadows, lower deepens them (0.5-5)')
        .argParser(decimal)
        .default(DEFAULT_OPTIONS.hdrGamma),
    )
    .option('--immich-url <url>', 'Immich server address, e.g. https://photos.example.com')
    .addOption(
      new Option('--immich-api-key <key>', 'Immich API key; better set IMMICH_API_KEY, which stays out of shell history').env('IMMICH_API_KEY'),
    )
    .option('--immich-album <name>', 'only the photos of this Immich album (exact name)')
    .addOption(
      new Option('--immich-cache-dir <dir>', 'cache of downloaded pictures (and the catalog when there is no -o)').default(
        DEFAULT_OPTIONS.immichCacheDir,
        '~/.cache/photo-organizer/immich',
      ),
    )
    .addOption(
      new Option('--immich-cache-size <mb>', 'size cap of the cache in MB (least recently used pictures go first)')
        .argParser(integer)
        .default(DEFAULT_OPTIONS.immichCacheSize),
    )
    .option('--no-verify-ssl', "do not verify the Immich server's TLS certificate (self-signed servers)")
    .option('--use-full-resolution', 'download original files instead of the server previews')
    .option('--immich-library-path <dir>', `a local copy of the Immich library: originals are read from it, not downloaded (hybrid default: ${SEED_LIBRARY_PATH})`)
    .option('--tag-only', 'tag the groups in Immich (photo-organizer/...) and write no group folders')
    .option('--create-albums', 'make an Immich album per group (and tag the groups)')
    .addOption(new Option('--album-prefix <prefix>', 'start of album names').default(DEFAULT_OPTIONS.albumPrefix))
    .option('--mark-best-favorite', 'mark the best photo of each group as favorite in Immich')
    .option('--archive-non-best', 'archive the other photos of each group in Immich')
    .option('--stack', 'make an Immich stack of each group, the best photo as its cover')
    .option('--immich-group-by-person', "group each named person's photos separately")
    .option('--immich-person <name>', "only this person's photos (implies --immich-group-by-person)")
    .option('--immich-group-by-people', 'group the photos of each combination of favourite people apart ("Anna, Ben" apart from "Anna")')
    .option('--excluded-people <names...>', 'people never grouped by nor named in album names (pets, strangers); also read from ./excluded_people.txt')
    .option('--immich-use-server-faces', "pick the best photo with the faces Immich found (no download for faces)")
    .option('--immich-use-duplicates', "use Immich's duplicate groups instead of finding groups")
    .option('--immich-smart-search <query>', 'only the photos a smart (CLIP) search finds, e.g. "beach sunset"')
    .option('--undo', 'remove what earlier runs changed on the Immich server: tags, albums, stacks, favorites, archive')
    .option('-i, --interactive', 'guided setup: questions with defaults (Enter keeps them), a summary, save, run')
    .option('-r, --run-settings [file]', `run saved settings without questions (default file: ${SETTINGS_FILE}); flags given too override them`)
    .addHelpText('after', EXAMPLES)
    .showSuggestionAfterError(true)
    .allowExcessArguments(false)
    // `review` takes its own -o and --state-file: options after a subcommand's name are its own.
    .enablePositionalOptions()
    .addCommand(reviewCommand())
    // A run needs no subcommand (main() runs it); without an action commander would print help.
    .action(() => undefined);
  return program;
}

/** The options the user typed (not defaults), as RunOptions keys. */
export function explicitKeys(program: Command): Set<string> {
  const keys = new Set<string>();
  for (const key of Object.keys(program.opts())) {
    const origin = program.getOptionValueSource(key);
    if (origin === 'cli' || origin === 'env') keys.add(key);
  }
  return keys;
}
