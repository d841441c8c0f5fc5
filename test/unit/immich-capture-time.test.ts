/** The capture time read from an Immich asset: EXIF's, never the file time the server falls back to. */
import { describe, expect, it } from 'vitest';
import { AssetSchema } from '../../src/immich/schemas.js';
import { captureTime } from '../../src/sources/immich.js';

const asset = (times: { dateTimeOriginal: string | null; localDateTime: string; timeZone: string | null; fileModifiedAt: string }) =>
  AssetSchema.parse({
    id: 'a1',
    type: 'IMAGE',
    ownerId: 'u1',
    originalFileName: 'IMG_0042.JPG',
    checksum: 'x',
    fileCreatedAt: times.dateTimeOriginal ?? times.localDateTime,
    fileModifiedAt: times.fileModifiedAt,
    localDateTime: times.localDateTime,
    isFavorite: false,
    isTrashed: false,
    visibility: 'timeline',
    thumbhash: null,
    exifInfo: { dateTimeOriginal: times.dateTimeOriginal, timeZone: times.timeZone },
  });

describe('captureTime of an Immich asset', () => {
  it('reads the wall clock and the offset of an EXIF date with a zone', () => {
    const t = captureTime(
      asset({
        dateTimeOriginal: '2024-04-21T16:52:37.510Z',
        localDateTime: '2024-04-21T18:52:37.510Z',
        timeZone: 'UTC+2',
        fileModifiedAt: '2024-04-21T16:52:37.510Z',
      }),
    );
    expect(t).toEqual({ wallClockMs: Date.parse('2024-04-21T18:52:37.510Z'), offsetMinutes: 120, source: 'DateTimeOriginal' });
  });

  it('reads an EXIF date without a zone as a wall clock with no offset', () => {
    const t = captureTime(
      asset({
        dateTimeOriginal: '2024-05-18T07:12:03.350Z',
        localDateTime: '2024-05-18T07:12:03.350Z',
        timeZone: null,
        fileModifiedAt: '2024-06-01T10:00:00.000Z',
      }),
    );
    expect(t).toEqual({ wallClockMs: Date.parse('2024-05-18T07:12:03.350Z'), offsetMinutes: null, source: 'DateTimeOriginal' });
  });

  it('has none when the server fell back on the file time (no EXIF date), or gave no date at all', () => {
    const fallback = { dateTimeOriginal: '2024-09-01T10:08:00.000Z', localDateTime: '2024-09-01T10:08:00.000Z', timeZone: null };
    expect(captureTime(asset({ ...fallback, fileModifiedAt: '2024-09-01T10:08:00.000Z' }))).toBeNull();
    expect(
      captureTime(
        asset({
          dateTimeOriginal: null,
          localDateTime: '2024-09-01T10:08:00.000Z',
          timeZone: null,
          fileModifiedAt: '2024-09-01T10:08:00.000Z',
        }),
      ),
    ).toBeNull();
  });
});
