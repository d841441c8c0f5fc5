/**
 * The seed's excluded_people.txt: one name per line, `#` starts a comment, blank lines skipped.
 * Read from the folder the organizer is started in and added to --excluded-people.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXCLUDED_PEOPLE_FILE = 'excluded_people.txt';

/** The names in `dir`'s excluded_people.txt; null when there is no such file. Throws on one that cannot be read. */
export function readExcludedPeople(dir: string): { readonly file: string; readonly names: string[] } | null {
  const file = join(dir, EXCLUDED_PEOPLE_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const names = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '');
  return { file, names };
}
