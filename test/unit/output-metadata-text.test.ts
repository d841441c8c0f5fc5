import { describe, expect, it } from 'vitest';
import { formatCaptureTime, formatLocalIso, renderMetadataText } from '../../src/output/metadata-text.js';
import type { OutputPhoto } from '../../src/output/metadata-text.js';
import { photoMetadata } from '../support/records.js';

const meta = photoMetadata;

const plusTwoHours = (): number => 120;

describe('renderMetadataText', () => {
  it('renders the seed layout with our keys in the documented order', () => {
    const photos: OutputPhoto[] = [
      {
        photo: {
          path: '/lib/2024/IMG_0001.JPG',
          relativePath: '2024/IMG_0001.JPG',
          size: 123456,
          mtimeMs: Date.UTC(2024, 4, 1, 12, 3, 7),
          meta: meta({
            takenAt: { wallClockMs: Date.UTC(2024, 4, 1, 14, 3, 7), offsetMinutes: 120, source: 'DateTimeOriginal' },
            exif: [
              ['Make', 'Canon'],
              ['Model', 'EOS R6'],
            ],
            gps: { latitude: 48.8583701, longitude: 2.2944813, altitude: 35.25 },
          }),
        },
        decision: { score: 0.8734, reason: 'sharpest, well exposed', isBest: true },
      },
      {
        photo: {
          path: Buffer.from([0x2f, 0x6c, 0x69, 0x62, 0x2f, 0x63, 0x61, 0x66, 0xe9, 0x2e, 0x70, 0x6e, 0x67]),
          relativePath: 'caf\\xe9.png',
          size: 42,
          mtimeMs: Date.UTC(2023, 11, 31, 22, 59, 59) + 123.456,
          meta: meta({
            format: 'png',
            width: 640,
            height: 480,
            takenAt: { wallClockMs: Date.UTC(2023, 0, 2, 3, 4, 5) + 60, offsetMinutes: null, source: 'CreateDate' },
            exif: [['UserComment', 'line one\nline two']],
          }),
        },
        decision: { score: 0.5, reason: 'blurred', isBest: false },
      },
    ];
    const expected = [
      'Photo Group - 2 images',
      '='.repeat(80),
      '',
      'best: IMG_0001.JPG (score 0.873, ahead of the next by 0.373)',
      'why: sharpest, well exposed',
      'time_span: 2023-01-02T03:04:05.060 to 2024-05-01T14:03:07+02:00 (485 days 10 h)',
      '',
      'Photo 1: IMG_0001.JPG',
      '-'.repeat(80),
      'filename: IMG_0001.JPG',
      'filepath: /lib/2024/IMG_0001.JPG',
      'filesize: 123456',
      'modified_time: 2024-05-01T14:03:07',
      'dimensions: 4000x3000',
      'format: JPEG',
      'taken_at: 2024-05-01T14:03:07+02:00',
      'exif_Make: Canon',
      'exif_Model: EOS R6',
      'gps: 48.858370, 2.294481, 35.3 m',
      'score: 0.873',
      'best: yes',
      'reason: sharpest, well exposed',
      '',
      'Photo 2: caf\\xe9.png',
      '-'.repeat(80),
      'filename: caf\\xe9.png',
      'filepath: /lib/caf\\xe9.png',
      'filesize: 42',
      'modified_time: 2024-01-01T00:59:59.123456',
      'dimensions: 640x480',
      'format: PNG',
      'taken_at: 2023-01-02T03:04:05.060',
      'exif_UserComment: line one\\nline two',
      'score: 0.500',
      'best: no',
      'reason: blurred',
      '',
      '',
    ].join('\n');
    expect(renderMetadataText(photos, { localOffset: plusTwoHours })).toBe(expected);
  });

  it('opens with the group: its kind, the best photo and its lead, why, and the time span', () => {
    const shot = (name: string, seconds: number | null, score: number, isBest = false): OutputPhoto => ({
      photo: {
        path: `/lib/${name}`,
        relativePath: name,
        size: 1,
        mtimeMs: 0,
        meta: meta({
          takenAt:
            seconds === null
              ? null
              : { wallClockMs: Date.UTC(2024, 4, 1, 14, 3, seconds), offsetMinutes: null, source: 'DateTimeOriginal' },
        }),
      },
      decision: { score, reason: isBest ? 'sharpest, eyes open' : 'blurred', isBest },
    });
    const text = renderMetadataText(
      [shot('a.jpg', 7, 0.61), shot('b.jpg', 9, 0.8, true), shot('c.jpg', 11, 0.79), shot('d.jpg', null, 0.2)],
      {
        localOffset: () => 0,
        kind: 'burst',
      },
    );
    expect(text.split('\n').slice(0, 9)).toEqual([
      'Photo Group - 4 images',
      '='.repeat(80),
      '',
      'kind: burst (frames shot in quick succession)',
      'best: b.jpg (score 0.800, ahead of the next by 0.010)',
      'why: sharpest, eyes open',
      'time_span: 2024-05-01T14:03:07 to 2024-05-01T14:03:11 (4 s)',
      'undated: 1',
      '',
    ]);
  });

  it('leaves out taken_at and gps when unknown', () => {
    const text = renderMetadataText(
      [
        {
          photo: { path: '/a/x.jpg', relativePath: 'x.jpg', size: 1, mtimeMs: 0, meta: meta() },
          decision: { score: 1, reason: 'only one', isBest: true },
        },
      ],
      { localOffset: () => 0 },
    );
    expect(text).not.toContain('taken_at');
    expect(text).not.toContain('gps');
    expect(text).toContain('modified_time: 1970-01-01T00:00:00\n');
  });
});

describe('formatLocalIso', () => {
  it('shifts by the local offset and never rounds a fraction up into a 60th second', () => {
    expect(formatLocalIso(Date.UTC(2024, 0, 1, 0, 0, 0), () => -300)).toBe('2023-12-31T19:00:00');
    expect(formatLocalIso(Date.UTC(2024, 0, 1, 0, 0, 59) + 999.9999, () => 0)).toBe('2024-01-01T00:01:00');
  });
});

describe('formatCaptureTime', () => {
  it('writes negative offsets with a minus sign and half-hour offsets in full', () => {
    const at = Date.UTC(2024, 6, 4, 9, 30, 0);
    expect(formatCaptureTime({ wallClockMs: at, offsetMinutes: -210, source: 'DateTimeOriginal' })).toBe('2024-07-04T09:30:00-03:30');
    expect(formatCaptureTime({ wallClockMs: at, offsetMinutes: 0, source: 'DateTimeOriginal' })).toBe('2024-07-04T09:30:00+00:00');
  });

  it('counts clips as clips in the header and names each member a clip or a photo', () => {
    const member = (name: string, video: boolean): OutputPhoto => ({
      photo: {
        path: `/a/${name}`,
        relativePath: name,
        size: 1,
        mtimeMs: 0,
        meta: meta(
          video
            ? {
                format: 'video',
                video: {
                  durationS: 2,
                  codec: 'h264',
                  fps: 30,
                  bitrate: 1e6,
                  rotation: 0,
                  contentId: null,
                  choice: 'iframe/10',
                  frames: [],
                },
              }
            : {},
        ),
      },
      decision: { score: 1, reason: 'r', isBest: name.startsWith('a') },
    });
    const clips = renderMetadataText([member('a.mp4', true), member('b.mov', true)], { localOffset: () => 0 });
    expect(clips.split('\n')[0]).toBe('Clip Group - 2 clips');
    expect(clips).toContain('\nClip 1: a.mp4\n');
    expect(clips).toContain('\nClip 2: b.mov\n');
    const mixed = renderMetadataText([member('a.jpg', false), member('b.mp4', true)], { localOffset: () => 0 });
    expect(mixed.split('\n')[0]).toBe('Photo Group - 1 photo and 1 clip');
    expect(mixed).toContain('\nPhoto 1: a.jpg\n');
    expect(mixed).toContain('\nClip 2: b.mp4\n');
  });
});
