/**
 * The Immich rows of the option table (options.ts), in the order settings files list them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { flag, httpUrl, int, type OptionRow, text } from './option-row.js';

export const IMMICH_OPTIONS = {
  // Immich. The API key is deliberately not an option: it comes from --immich-api-key or
  // IMMICH_API_KEY and never reaches a stored run, report or settings file.
  immichUrl: {
    flags: '--immich-url <url>',
    default: null as string | null,
    schema: httpUrl.nullable(),
    help: 'Immich server address, e.g. https://photos.example.com',
    section: 'immich',
    scope: 'run',
    seed: 'immich_url',
  } satisfies OptionRow<string | null>,
  immichAlbum: {
    flags: '--immich-album <name>',
    default: null as string | null,
    schema: text('--immich-album', 'an album name').nullable(),
    help: 'only the photos of this Immich album (exact name)',
    section: 'immich',
    scope: 'run',
    seed: 'immich_album',
  } satisfies OptionRow<string | null>,
  immichCacheDir: {
    flags: '--immich-cache-dir <dir>',
    default: join(homedir(), '.cache', 'photo-organizer', 'immich'),
    defaultText: '~/.cache/photo-organizer/immich',
    schema: text('--immich-cache-dir', 'a folder'),
    help: 'cache of downloaded pictures (and the catalog when there is no -o)',
    section: 'immich',
    scope: 'run',
    seed: 'immich_cache_dir',
  } satisfies OptionRow<string>,
  /** MiB. */
  immichCacheSize: {
    flags: '--immich-cache-size <mb>',
    default: 5000,
    schema: int('--immich-cache-size', 1, 1024 * 1024),
    parse: 'integer',
    help: 'size cap of the cache in MB (least recently used pictures go first)',
    section: 'immich',
    scope: 'run',
    seed: 'immich_cache_size',
  } satisfies OptionRow<number>,
  // The seed's no_verify_ssl is the inverse: cli/settings.ts flips it when converting.
  verifySsl: {
    ...flag('immich', 'run', '--no-verify-ssl', "do not verify the Immich server's TLS certificate (self-signed servers)", 'no_verify_ssl'),
    default: true,
  },
  useFullResolution: flag(
    'immich',
    'run',
    '--use-full-resolution',
    'download original files instead of the server previews',
    'use_full_resolution',
  ),
  /** A local copy of the Immich library: originals are read from it instead of downloaded (implies originals). */
  immichLibraryPath: {
    flags: '--immich-library-path <dir>',
    default: null as string | null,
    schema: text('--immich-library-path', 'a folder').nullable(),
    help: 'a local copy of the Immich library: originals are read from it, not downloaded (hybrid default: /mnt/photos/immich-app/library)',
    section: 'immich',
    scope: 'run',
    seed: 'immich_library_path',
  } satisfies OptionRow<string | null>,
  tagOnly: flag('immich', 'run', '--tag-only', 'tag the groups in Immich (photo-organizer/...) and write no group folders', 'tag_only'),
  createAlbums: flag('immich', 'run', '--create-albums', 'make an Immich album per group (and tag the groups)', 'create_albums'),
  albumPrefix: {
    flags: '--album-prefix <prefix>',
    default: 'Organized-',
    schema: z.string(),
    help: 'start of album names',
    section: 'immich',
    scope: 'run',
    seed: 'album_prefix',
  } satisfies OptionRow<string>,
  markBestFavorite: flag(
    'immich',
    'run',
    '--mark-best-favorite',
    'mark the best photo of each group as favorite in Immich',
    'mark_best_favorite',
  ),
  archiveNonBest: flag('immich', 'run', '--archive-non-best', 'archive the other photos of each group in Immich', 'archive_non_best'),
  stack: flag('immich', 'run', '--stack', 'make an Immich stack of each group, the best photo as its cover', null),
  immichGroupByPerson: flag(
    'immich',
    'run',
    '--immich-group-by-person',
    "group each named person's photos separately",
    'immich_group_by_person',
  ),
  immichPerson: {
    flags: '--immich-person <name>',
    default: null as string | null,
    schema: text('--immich-person', "a person's name").nullable(),
    help: "only this person's photos (implies --immich-group-by-person)",
    section: 'immich',
    scope: 'run',
    seed: 'immich_person',
  } satisfies OptionRow<string | null>,
  /** One grouping pass per exact combination of favourite people. */
  immichGroupByPeople: flag(
    'immich',
    'run',
    '--immich-group-by-people',
    'group the photos of each combination of favourite people apart ("Anna, Ben" apart from "Anna")',
    'immich_group_by_people',
  ),
  /** People never grouped by nor named in albums (pets, strangers). */
  excludedPeople: {
    flags: '--excluded-people <names...>',
    default: [] as string[],
    schema: z.array(z.string().trim().min(1, { error: 'Expected names for --excluded-people but received ""' })),
    help: 'people never grouped by nor named in album names (pets, strangers); also read from ./excluded_people.txt',
    section: 'immich',
    scope: 'run',
    seed: 'excluded_people',
  } satisfies OptionRow<string[]>,
  immichUseServerFaces: flag(
    'immich',
    'run',
    '--immich-use-server-faces',
    'pick the best photo with the faces Immich found (no download for faces)',
    'immich_use_server_faces',
  ),
  immichUseDuplicates: flag(
    'immich',
    'run',
    '--immich-use-duplicates',
    "use Immich's duplicate groups instead of finding groups",
    'immich_use_duplicates',
  ),
  immichSmartSearch: {
    flags: '--immich-smart-search <query>',
    default: null as string | null,
    schema: text('--immich-smart-search', 'a search query').nullable(),
    help: 'only the photos a smart (CLIP) search finds, e.g. "beach sunset"',
    section: 'immich',
    scope: 'run',
    seed: 'immich_smart_search',
  } satisfies OptionRow<string | null>,
};
