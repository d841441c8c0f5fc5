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
 * From the script path node was started with (process.argv[1], a link's own path, not its
 * target): `photo-album-organizer` or `photo-organizer` through the PATH, `npx photo-organizer`
 * through a node_modules/.bin link (npx, npm scripts), `node bin/photo-organizer.js` when the
 * script itself was run (relative when under `cwd`).
 */
export function commandName(script: string | undefined, cwd: string): string {
  if (script === undefined) return ALIAS;
  const name = basename(script);
  if (name.endsWith('.js')) {
    const rel = isAbsolute(script) ? relative(cwd, script) : script;
    return `node ${rel.startsWith('..') || isAbsolute(rel) ? script : rel}`;
  }
  // npx runs the link in node_modules/.bin (the project's, or its cache's under ~/.npm/_npx).
  return script.includes('/node_modules/.bin/') ? `npx ${name}` : name;
}
