/**
 * The command as the user typed it, for every hint that tells them what to type next ("Resume
 * with: …", "-r", the examples in --help): a hint naming a command that is not on their PATH is
 * worse than none.
 */
import { basename, isAbsolute, relative } from 'node:path';

/** The installed command (package.json "bin") and the short alias kept for the seed's users. */
export const COMMAND = 'photo-album-organizer';
export const ALIAS = 'photo-organizer';

/**
 * From the script path node was started with (process.argv[1]) and the environment:
 * `photo-album-organizer` or `photo-organizer` through the PATH, `npx photo-organizer` through
 * npx, `node bin/photo-organizer.js` when the script itself was run (relative when under `cwd`).
 */
export function commandName(script: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  if (script === undefined) return ALIAS;
  const name = basename(script);
  if (name.endsWith('.js')) {
    const rel = isAbsolute(script) ? relative(cwd, script) : script;
    return `node ${rel.startsWith('..') || isAbsolute(rel) ? script : rel}`;
  }
  // npm exec / npx put the package's bin folder first on PATH and say so in npm_command.
  return env.npm_command === 'exec' ? `npx ${name}` : name;
}
