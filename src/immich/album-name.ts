/**
 * Album names for groups (SPEC §8.4): `<prefix><YYYY-MM-DD>[-<people>]-<NNNN>`, e.g.
 * `Organized-2024-03-15-Alice+Bob-0001`. Unlike the seed, the prefix is the one given with
 * --album-prefix and the date is the group's earliest, not its first. Pure.
 */

export interface AlbumPhoto {
  /** Capture wall-clock time in ms (camera time read as UTC), or null. */
  readonly takenAtMs: number | null;
  /** The server's file creation time (ISO), the fallback for the date; null when unknown. */
  readonly createdAt: string | null;
  /** Names of the people recognised in the photo (and the group's person, in person mode). */
  readonly people: readonly string[];
}

export interface AlbumNameInput {
  readonly prefix: string;
  /** 1-based group number. */
  readonly number: number;
  readonly photos: readonly AlbumPhoto[];
  /** Names of people marked favourite on the server: they come first. */
  readonly favorites?: ReadonlySet<string>;
  /** Names never shown (compared without case). */
  readonly excluded?: ReadonlySet<string>;
}

/** Most people named in one album name. */
export const MAX_ALBUM_PEOPLE = 6;

export function albumName(input: AlbumNameInput): string {
  const parts = [albumDate(input.photos)];
  const people = albumPeople(input);
  if (people.length > 0) parts.push(people.join('+'));
  parts.push(String(input.number).padStart(4, '0'));
  return input.prefix + parts.join('-');
}

/** `YYYY-MM-DD` of the earliest capture time, else of the earliest creation time, else `unknown`. */
export function albumDate(photos: readonly AlbumPhoto[]): string {
  const taken = photos.map((p) => p.takenAtMs).filter((t): t is number => t !== null);
  if (taken.length > 0) return new Date(Math.min(...taken)).toISOString().slice(0, 10);
  const created = photos
    .map((p) => p.createdAt)
    .filter((c): c is string => c !== null && /^\d{4}-\d{2}-\d{2}/.test(c))
    .sort();
  return created[0]?.slice(0, 10) ?? 'unknown';
}

/**
 * The people segment: each name counted once per photo, excluded names dropped, favourites first,
 * then by count (descending), then by name; at most MAX_ALBUM_PEOPLE; each name cleaned to
 * letters, digits, `_` and spaces (as the seed's `[^\w ]` did), empty results dropped.
 */
export function albumPeople(input: AlbumNameInput): string[] {
  const counts = new Map<string, number>();
  const excluded = new Set([...(input.excluded ?? [])].map((n) => n.toLowerCase()));
  for (const photo of input.photos) {
    for (const name of new Set(photo.people)) {
      if (name.trim() === '' || excluded.has(name.toLowerCase())) continue;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  const favorites = input.favorites ?? new Set<string>();
  return [...counts.entries()]
    .sort(
      ([a, ca], [b, cb]) =>
        Number(favorites.has(b)) - Number(favorites.has(a)) ||
        cb - ca ||
        compareText(a.toLowerCase(), b.toLowerCase()) ||
        compareText(a, b),
    )
    .map(([name]) => cleanName(name))
    .filter((name) => name !== '')
    .slice(0, MAX_ALBUM_PEOPLE);
}

/** Keeps letters, digits, `_` and spaces (any script), trimmed. */
export function cleanName(name: string): string {
  return name.replace(/[^\p{L}\p{N}\p{M}_ ]/gu, '').trim();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
