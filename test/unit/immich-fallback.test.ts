import { describe, expect, it } from 'vitest';
import type { DownloadKind, ImmichClient } from '../../src/immich/client.js';
import { ImmichHttpError } from '../../src/immich/errors.js';
import { downloadFirstAvailable, fallbackKinds } from '../../src/sources/immich-fallback.js';

/** A client whose downloads answer `status` per kind (200 gives bytes). */
function client(status: Partial<Record<DownloadKind, number>>, asked: DownloadKind[]): ImmichClient {
  return {
    download: async (_id: string, kind: DownloadKind) => {
      asked.push(kind);
      const s = status[kind] ?? 200;
      if (s !== 200) throw new ImmichHttpError(s, 'GET', `/api/assets/x/${kind}`, ['Asset media not found'], null);
      return { bytes: Buffer.from(kind), contentType: null };
    },
  } as unknown as ImmichClient;
}

describe('pictures the server cannot preview', () => {
  it('tries the preview, then the thumbnail, then the original', () => {
    expect(fallbackKinds('preview')).toEqual(['preview', 'thumbnail', 'original']);
    expect(fallbackKinds('original')).toEqual(['original']);
  });

  it('moves on after a 404 only', async () => {
    const asked: DownloadKind[] = [];
    const got = await downloadFirstAvailable(client({ preview: 404, thumbnail: 404 }, asked), 'x', fallbackKinds('preview'));
    expect(got.kind).toBe('original');
    expect(asked).toEqual(['preview', 'thumbnail', 'original']);
    const refused: DownloadKind[] = [];
    await expect(downloadFirstAvailable(client({ preview: 400 }, refused), 'x', fallbackKinds('preview'))).rejects.toThrow(ImmichHttpError);
    expect(refused).toEqual(['preview']);
  });

  it('throws the last 404 when no kind is there', async () => {
    await expect(downloadFirstAvailable(client({ original: 404 }, []), 'x', fallbackKinds('original'))).rejects.toMatchObject({
      status: 404,
    });
  });
});
