/**
 * A local copy of the Immich library (--immich-library-path: the server's upload folder mounted
 * or synced on this machine, the seed's "hybrid" source). An asset's original is looked for there
 * by its server path: that path minus leading folders, joined to the local folder, tried from the
 * longest to the file name alone, so `/usr/src/app/upload/library/ann/2024/a.jpg` is found as
 * `<folder>/library/ann/2024/a.jpg` or `<folder>/ann/2024/a.jpg` alike. A file counts only when its
 * size is the one the server records. A few stat calls per asset, never a walk of the folder.
 */
import { statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';

/** The local original of an asset, or null when the folder has no file of that path and size. */
export function localOriginal(library: string, originalPath: string | null | undefined, size: number): string | null {
  if (!originalPath) return null;
  const parts = originalPath.split(/[\\/]+/).filter((p) => p !== '');
  // A server path that climbs out (..) is not followed anywhere.
  if (parts.some((p) => p === '..' || p === '.')) return null;
  const root = resolve(library);
  for (let i = 0; i < parts.length; i++) {
    const candidate = join(root, ...parts.slice(i));
    if (!candidate.startsWith(root + sep)) continue;
    const st = statSync(candidate, { throwIfNoEntry: false });
    if (st?.isFile() === true && (size <= 0 || st.size === size)) return candidate;
  }
  return null;
}
