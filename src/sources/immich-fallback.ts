/**
 * Pictures the server cannot preview. Immich renders previews with its own image library; a
 * server without an HEVC decoder (sharp's prebuilt libvips, as in the test server) has no
 * preview, thumbnail or thumbhash of a phone's HEIC and answers 404 "Asset media not found".
 * Such a photo is read another way instead of being dropped: preview → thumbnail → original
 * (an HEIC original is decoded here, media/heic.ts).
 */
import type { DownloadKind, Downloaded, ImmichClient, PictureKind } from '../immich/client.js';
import { ImmichHttpError } from '../immich/errors.js';

/** The kinds to try, in order, for a run that reads `kind`. */
export function fallbackKinds(kind: PictureKind): readonly DownloadKind[] {
  return kind === 'preview' ? ['preview', 'thumbnail', 'original'] : ['original'];
}

/**
 * The first of `kinds` the server has. Only 404 moves on to the next kind (any other failure is
 * thrown as it is); the last kind's 404 is thrown too.
 */
export async function downloadFirstAvailable(
  client: ImmichClient,
  assetId: string,
  kinds: readonly DownloadKind[],
): Promise<{ kind: DownloadKind; got: Downloaded }> {
  for (const [i, kind] of kinds.entries()) {
    try {
      return { kind, got: await client.download(assetId, kind) };
    } catch (error) {
      if (!(error instanceof ImmichHttpError && error.status === 404) || i === kinds.length - 1) throw error;
    }
  }
  throw new RangeError('Expected at least one picture kind to download');
}

/** Pictures read per kind: what the run summary reports. */
export type KindCounts = Readonly<Record<DownloadKind, number>>;

export const NO_KINDS: KindCounts = { preview: 0, thumbnail: 0, original: 0 };
