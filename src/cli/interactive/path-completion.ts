/**
 * Tab completion of a typed path, as a shell does it: the longest name prefix shared by the
 * entries that match, a `/` after a folder that is the only match. The directory listing is
 * passed in, so the rule itself is pure.
 */

export interface DirEntry {
  readonly name: string;
  readonly isDirectory: boolean;
}

/** Lists a folder (absolute path), or null when it cannot be read. */
export type ListDir = (dir: string) => readonly DirEntry[] | null;

/**
 * The completed text for `typed`, or `typed` itself when nothing (or nothing more) matches.
 * `resolveDir` turns the typed folder part (`~/Pho`, `Photos/2024/`) into an absolute path.
 * Hidden entries are offered only once a `.` is typed.
 */
export function completePath(typed: string, resolveDir: (dirPart: string) => string, list: ListDir): string {
  const slash = typed.lastIndexOf('/');
  const dirPart = slash < 0 ? '' : typed.slice(0, slash + 1);
  const stem = typed.slice(slash + 1);
  const entries = list(resolveDir(dirPart === '' ? '.' : dirPart));
  if (entries === null) return typed;
  const matches = entries.filter((e) => e.name.startsWith(stem) && (stem.startsWith('.') || !e.name.startsWith('.')));
  if (matches.length === 0) return typed;
  if (matches.length === 1) {
    const only = matches[0]!;
    return `${dirPart}${only.name}${only.isDirectory ? '/' : ''}`;
  }
  return `${dirPart}${commonPrefix(matches.map((m) => m.name))}`;
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
