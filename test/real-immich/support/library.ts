/**
 * The small generated library (test/support/library.ts: 4 copies of one picture, an HEIC among
 * them; a 5-frame burst; 2 look-alikes that must stay apart) uploaded to a real user, and the
 * wait for the server to have read each photo (EXIF, thumbhash) before a run lists them.
 */
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { buildLibrary, type Library } from '../../support/library.js';
import type { ImmichUser } from './server.js';

/** Library paths ↔ asset ids of one user's upload. */
export interface Uploaded {
  readonly library: Library;
  readonly ids: ReadonlyMap<string, string>;
  readonly paths: ReadonlyMap<string, string>;
}

let built: Promise<Library> | null = null;

function smallLibrary(): Promise<Library> {
  built ??= buildLibrary(join(mkdtempSync(join(tmpdir(), 'po-real-lib-')), 'Photos'), { variant: 'small' });
  return built;
}

interface AssetInfo {
  readonly id: string;
  readonly thumbhash: string | null;
  readonly originalMimeType?: string;
  readonly exifInfo?: { readonly fileSizeInByte?: number | null };
}

/**
 * Uploads the small library for `user` and waits (at most `timeoutMs`) until the server has
 * extracted every photo's metadata and made the thumbhashes it can (none for HEVC HEIC here).
 */
export async function uploadSmallLibrary(user: ImmichUser, timeoutMs = 120_000): Promise<Uploaded> {
  return uploadPhotos(user, () => true, timeoutMs);
}

/** Two uploads of the same library as one: what the server holds after both. */
export function bothUploads(first: Uploaded, second: Uploaded): Uploaded {
  return { library: first.library, ids: new Map([...first.ids, ...second.ids]), paths: new Map([...first.paths, ...second.paths]) };
}

/** Uploads the photos of the small library `wanted` picks for `user` (another part may come later), waiting as above. */
export async function uploadPhotos(user: ImmichUser, wanted: (path: string) => boolean, timeoutMs = 120_000): Promise<Uploaded> {
  const library = await smallLibrary();
  const ids = new Map<string, string>();
  for (const photo of library.photos.filter((p) => wanted(p.relativePath))) {
    const bytes = await readFile(join(library.root, photo.relativePath));
    ids.set(photo.relativePath, await user.upload(basename(photo.relativePath), bytes, new Date(photo.mtimeMs)));
  }
  const started = Date.now();
  for (;;) {
    const infos = await Promise.all([...ids.values()].map((id) => user.get<AssetInfo>(`/assets/${id}`)));
    const ready = infos.every(
      (a) => (a.exifInfo?.fileSizeInByte ?? null) !== null && (a.thumbhash !== null || a.originalMimeType === 'image/heic'),
    );
    if (ready) break;
    if (Date.now() - started > timeoutMs) throw new Error(`The server had not processed the uploaded photos after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { library, ids, paths: new Map([...ids].map(([path, id]) => [id, path])) };
}
