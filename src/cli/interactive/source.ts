/**
 * Section 1, the source: a folder (its path, and where the organized copy goes) or an Immich
 * server (see server.ts). Paths are checked as they are typed, so a run never starts on a folder
 * that is not there.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { absolutePath, type Draft, type Section, type SetupContext, withSettings } from './context.js';
import { connectImmich } from './server.js';

export const sourceSection: Section = async (draft, ctx) => {
  const sourceType = await ctx.prompt.choose({
    message: 'Where are your photos?',
    choices: [
      {
        value: 'local' as const,
        name: 'In a folder on this computer',
        description: 'Groups are copied into an output folder; the originals are never changed.',
      },
      {
        value: 'immich' as const,
        name: 'On an Immich server',
        description: 'Groups are tagged, put in albums or stacks on the server (or downloaded into a folder).',
      },
    ],
    default: draft.settings.sourceType,
  });
  const next = withSettings(draft, { sourceType });
  return sourceType === 'local' ? askFolders(next, ctx) : connectImmich(next, ctx, 'walkthrough');
};

async function askFolders(draft: Draft, ctx: SetupContext): Promise<Draft> {
  const current = draft.settings.source;
  const typedSource = await ctx.prompt.text({
    message: 'Folder with your photos (searched with its subfolders):',
    pathsFrom: ctx.cwd,
    ...(current !== null ? { default: current } : {}),
    validate: (v) => (v.trim() === '' ? 'Type the path of a folder' : checkSourceFolder(absolutePath(ctx, v))),
  });
  const source = absolutePath(ctx, typedSource);
  let output: string | null = null;
  while (output === null) {
    const typed = await ctx.prompt.text({
      message: 'Folder for the organized copy (created if missing):',
      pathsFrom: ctx.cwd,
      default: draft.settings.output ?? join(dirname(source), 'Organized'),
      validate: (v) => (v.trim() === '' ? 'Type the path of a folder' : checkOutputFolder(absolutePath(ctx, v), source)),
    });
    const candidate = absolutePath(ctx, typed);
    // Nothing is made before "run": quitting the setup leaves the disk as it was.
    if (!exists(candidate)) {
      if (
        !(await ctx.prompt.confirm({
          message: `${candidate} does not exist yet. Use it (it is created when the run starts)?`,
          default: true,
        }))
      )
        continue;
      ctx.say(`  ${candidate} will be created when the run starts`);
    }
    output = candidate;
  }
  if (isInside(output, source)) {
    ctx.say(
      `  Note: the output folder lies inside the photo folder. It is skipped when photos are searched, but consider a folder outside ${source}.`,
    );
  }
  return withSettings(draft, { source, output });
}

/** True, or why this folder cannot be the source. */
export function checkSourceFolder(path: string): true | string {
  const st = statOrNull(path);
  if (!st) return `There is no folder ${path}`;
  if (!st.isDirectory()) return `${path} is a file, not a folder`;
  try {
    accessSync(path, constants.R_OK | constants.X_OK);
  } catch {
    return `${path} cannot be read (check its permissions)`;
  }
  return true;
}

/** True, or why this folder cannot take the output (it may not exist yet: its parent must allow creating it). */
export function checkOutputFolder(path: string, source: string | null): true | string {
  // Discovery skips the output folder inside the source: the same folder would leave nothing to scan.
  if (source !== null && path === source) return 'The output must be another folder than the photo folder';
  const st = statOrNull(path);
  if (st && !st.isDirectory()) return `${path} is a file, not a folder`;
  // The folder itself, or the nearest existing folder above it, must let us write.
  let existing = path;
  while (!exists(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statOrNull(existing)?.isDirectory()) return `${existing} is a file, not a folder`;
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    return `${existing} is not writable (check its permissions)`;
  }
  return true;
}

/** Whether `child` lies strictly inside `parent` (both absolute). */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function statOrNull(path: string): ReturnType<typeof statSync> | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  return statOrNull(path) !== null;
}
