/**
 * Section 4, what is done with the groups. A folder run copies them into its output folder
 * (chosen with the source); an Immich run offers the server actions, the grouping modes, the
 * download options and, when no action is chosen, the folder to download into.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { hasServerActions } from '../../immich/actions/groups.js';
import { absolutePath, askInteger, askOptional, type Draft, type Section, type SetupContext, withSettings } from './context.js';
import { askEnhancements } from './best-photo.js';
import { checkOutputFolder } from './source.js';

export const actionsSection: Section = async (draft, ctx) => {
  if (draft.settings.sourceType === 'local') {
    ctx.say(`  A folder run copies each group into ${draft.settings.output ?? 'the output folder'}; there is nothing else to choose.`);
    return draft;
  }
  return immichActions(draft, ctx);
};

async function immichActions(draft: Draft, ctx: SetupContext): Promise<Draft> {
  const s = draft.settings;
  const ask = (message: string, current: boolean): Promise<boolean> => ctx.prompt.confirm({ message, default: current });
  ctx.say('  What should happen on the Immich server? (Nothing is ever deleted; --undo takes it all back.)');
  const tagOnly = await ask('Tag-only: tag the groups (photo-organizer/group-0001, …/best) and write no folders?', s.tagOnly);
  const createAlbums = await ask('Create an album per group?', s.createAlbums);
  const albumPrefix = createAlbums ? await ctx.prompt.text({ message: 'Album names start with:', default: s.albumPrefix }) : s.albumPrefix;
  const markBestFavorite = await ask('Mark the best photo of each group as a favorite?', s.markBestFavorite);
  const archiveNonBest = await ask('Archive the other photos of each group (hidden from the timeline, not deleted)?', s.archiveNonBest);
  const stack = await ask('Stack each group, the best photo on top?', s.stack);
  const immichGroupByPerson = await ask("Group each named person's photos separately?", s.immichGroupByPerson || s.immichPerson !== null);
  const immichPerson = immichGroupByPerson ? await askOptional(ctx, 'Only this person (name as in Immich)', s.immichPerson) : null;
  const immichGroupByPeople = immichGroupByPerson
    ? false
    : await ask('Group by each combination of favourite people instead ("Anna, Ben" apart from "Anna")?', s.immichGroupByPeople);
  const excluded =
    immichGroupByPerson || immichGroupByPeople || createAlbums
      ? await askOptional(
          ctx,
          'People to leave out of groups and album names (comma-separated: pets, strangers)',
          s.excludedPeople.length > 0 ? s.excludedPeople.join(', ') : null,
        )
      : s.excludedPeople.join(', ');
  const excludedPeople = (excluded ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const immichUseServerFaces = await ask(
    'Choose the best photo by the faces Immich found (no download for faces)?',
    s.immichUseServerFaces,
  );
  const immichUseDuplicates = await ask("Use Immich's own duplicate groups instead of finding groups?", s.immichUseDuplicates);
  const immichSmartSearch = await askOptional(
    ctx,
    'Smart search: only photos matching a description, e.g. "beach sunset"',
    s.immichSmartSearch,
  );
  const useFullResolution = await ask('Download original files instead of the server previews (slower)?', s.useFullResolution);
  const library = await askOptional(
    ctx,
    'Folder with a local copy of the Immich library, to read originals from instead of downloading',
    s.immichLibraryPath,
    (v) => (existsSync(absolutePath(ctx, v)) ? true : `There is no folder ${absolutePath(ctx, v)}`),
  );
  const immichLibraryPath = library === null ? null : absolutePath(ctx, library);
  let d = withSettings(draft, {
    tagOnly,
    createAlbums,
    albumPrefix,
    markBestFavorite,
    archiveNonBest,
    stack,
    immichGroupByPerson,
    immichPerson,
    immichGroupByPeople,
    excludedPeople,
    immichUseServerFaces,
    immichUseDuplicates,
    immichSmartSearch,
    useFullResolution,
    immichLibraryPath,
  });
  d = withSettings(d, { output: await askDownloadFolder(d, ctx) });
  // Brackets are merged into the local tree: only a run that writes one can have them.
  d =
    d.settings.output !== null && !d.settings.tagOnly
      ? await askEnhancements(d, ctx)
      : withSettings(d, { enableHdr: false, enableFaceSwap: false });
  const cacheDir = await ctx.prompt.text({ message: 'Cache folder for downloaded pictures:', default: s.immichCacheDir });
  const immichCacheSize = await askInteger(ctx, 'immichCacheSize', 'Cache size in MB:', s.immichCacheSize);
  const verifySsl = await ask("Check the server's TLS certificate? (No only for a self-signed server you trust)", s.verifySsl);
  return withSettings(d, { immichCacheDir: absolutePath(ctx, cacheDir), immichCacheSize, verifySsl });
}

/** Tag-only writes no folders; without any server action a folder is the only result, so it is required. */
async function askDownloadFolder(d: Draft, ctx: SetupContext): Promise<string | null> {
  const s = d.settings;
  if (s.tagOnly) return null;
  const validate = (v: string): true | string => checkOutputFolder(absolutePath(ctx, v), null);
  let typed: string | null;
  if (hasServerActions(s)) {
    typed = await askOptional(ctx, 'Also download the groups into a folder, organized like a folder run', s.output, validate);
  } else {
    ctx.say('  No server action chosen: the groups are downloaded into a folder.');
    typed = await ctx.prompt.text({
      message: 'Folder for the organized copy (created if missing):',
      ...(s.output !== null ? { default: s.output } : {}),
      validate: (v) => (v.trim() === '' ? 'Type a folder, or go back and choose a server action' : validate(v)),
    });
  }
  if (typed === null) return null;
  const folder = absolutePath(ctx, typed);
  if (!existsSync(folder)) {
    mkdirSync(folder, { recursive: true });
    ctx.say(`  Created ${folder}`);
  }
  return folder;
}
