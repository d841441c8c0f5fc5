import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hamming } from '../../src/core/dhash.js';
import { loadClip } from '../../src/media/clip.js';
import { MediaError } from '../../src/media/contract.js';
import { sniffVideo } from '../../src/media/sniff.js';
import { captureTime, clipContentId, keyFrames, posterFrame, probeClip } from '../../src/media/video.js';
import { photoImage } from '../../src/review/images.js';
import { ThumbnailCache } from '../../src/review/thumbs.js';
import { ffmpegPath, panClip } from '../support/clips.js';

let dir: string;
let pan: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clips-'));
  pan = panClip(join(dir, 'pan.mp4'), { photo: 'boats-lake', seconds: 3, creationTime: '2024-05-01T10:00:00Z' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeClip', () => {
  it('reads duration, size, codec, frame rate, bitrate and creation_time', async () => {
    const p = await probeClip(pan);
    expect(p.durationS).toBeCloseTo(3, 0);
    expect([p.width, p.height, p.codec, p.fps]).toEqual([320, 240, 'h264', 15]);
    expect(p.bitrate).toBeGreaterThan(10_000);
    expect(p.takenAt).toEqual({ wallClockMs: Date.UTC(2024, 4, 1, 10), offsetMinutes: 0, source: 'CreationTime' });
  });

  it("reads a Live Photo MOV's QuickTime creation date and content identifier", async () => {
    const mov = panClip(join(dir, 'live.mov'), {
      photo: 'dandelions',
      seconds: 2,
      appleDate: '2024-05-01T12:00:03+0200',
      contentId: 'ABCD-1234',
    });
    const p = await probeClip(mov);
    expect(p.contentId).toBe('ABCD-1234');
    // The identifier alone, as Live Photo pairing asks for it; none in a clip without one or a file that is no clip.
    expect(await clipContentId(mov)).toBe('ABCD-1234');
    expect(await clipContentId(pan)).toBeNull();
    writeFileSync(join(dir, 'notes.mov'), 'not a clip\n');
    expect(await clipContentId(join(dir, 'notes.mov'))).toBeNull();
    expect(p.takenAt).toEqual({ wallClockMs: Date.UTC(2024, 4, 1, 12, 0, 3), offsetMinutes: 120, source: 'QuickTimeCreationDate' });
  });

  it("turns the size of a clip shot upright (a phone's rotation) and decodes its frames turned", async () => {
    const turned = join(dir, 'upright.mp4');
    execFileSync(ffmpegPath(), ['-v', 'error', '-y', '-i', pan, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', turned]);
    const p = await probeClip(turned);
    expect([p.width, p.height]).toEqual([240, 320]);
    expect([90, 270]).toContain(p.rotation);
    const { meta } = await loadClip(turned, { strategy: 'iframe', maxFrames: 3 });
    expect([meta.width, meta.height, meta.video?.frames.length]).toEqual([240, 320, 3]);
  });

  it('says a text file named .mp4 is not a readable video', async () => {
    const fake = join(dir, 'notes.mp4');
    writeFileSync(fake, 'shopping list\n');
    await expect(probeClip(fake)).rejects.toThrow(/^not a readable video: /);
  });

  it('says a clip cut in half is not a readable video, in one line', async () => {
    const cut = join(dir, 'cut.mp4');
    writeFileSync(cut, readFileSync(pan));
    truncateSync(cut, Math.floor(statSync(pan).size / 2));
    const error = await probeClip(cut).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).message).not.toContain('\n');
  });

  it('names a missing file like any unreadable file', async () => {
    await expect(probeClip(join(dir, 'gone.mp4'))).rejects.toBeInstanceOf(MediaError);
  });
});

describe('keyFrames', () => {
  it('decodes only the key frames, in time order, and a pan changes their hashes', async () => {
    const frames = await keyFrames(pan, await probeClip(pan));
    // 45 frames with a key frame every 8: 6 key frames, never the 45.
    expect(frames.map((f) => f.t)).toEqual([0, 8, 16, 24, 32, 40].map((n) => expect.closeTo(n / 15, 2)));
    expect(hamming(frames[0]!.fingerprint.dhash, frames.at(-1)!.fingerprint.dhash)).toBeGreaterThan(5);
  });
});

describe('keyFrames of a WebM (VP9)', () => {
  it('keeps at most two frames a second where the decoder hands over every frame', async () => {
    const webm = panClip(join(dir, 'pan.webm'), { photo: 'lake-dusk', seconds: 3 });
    const frames = await keyFrames(webm, await probeClip(webm));
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames.length).toBeLessThanOrEqual(6);
    for (let i = 1; i < frames.length; i++) expect(frames[i]!.t - frames[i - 1]!.t).toBeGreaterThanOrEqual(0.49);
  });
});

describe('loadClip', () => {
  it('keeps the chosen frames and the stream facts in the metadata', async () => {
    const { meta, fingerprint } = await loadClip(pan, { strategy: 'iframe', maxFrames: 4 });
    expect(meta.format).toBe('video');
    expect(meta.video?.frames.map((f) => f.t)).toEqual([0, 16, 24, 40].map((n) => expect.closeTo(n / 15, 2)));
    expect(meta.video?.codec).toBe('h264');
    expect(fingerprint.quality.megapixels).toBeCloseTo(0.0768, 4);
  });
});

describe('posterFrame', () => {
  it('decodes one frame a third of the way in, at the size asked', async () => {
    const poster = await posterFrame(pan, 100);
    expect([poster.width, poster.height, poster.data.length]).toEqual([100, 76, 100 * 76 * 3]);
    const first = poster.data[0]!;
    expect(poster.data.some((v) => Math.abs(v - first) > 40)).toBe(true);
  });

  it("is the review page's picture of a clip", async () => {
    const cache = await ThumbnailCache.open(join(dir, 'thumbs'));
    const source = { identity: 'pan', format: 'video', version: '1', open: async () => ({ file: pan, release: () => {} }) };
    const image = await photoImage(cache, source, 'grid');
    expect(image.type).toBe('image/jpeg');
    expect([...image.bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });
});

describe('captureTime', () => {
  it('ignores the 1904 and 1970 epochs cameras without a clock write', () => {
    expect(captureTime(undefined, '1904-01-01T00:00:00.000000Z')).toBeNull();
    expect(captureTime(undefined, '1970-01-01T00:00:00Z')).toBeNull();
  });
});

describe('sniffVideo', () => {
  const head = (text: string, size = 256): Uint8Array => {
    const b = new Uint8Array(size);
    b.set(Buffer.from(text, 'latin1'));
    return b;
  };
  it('recognises MP4, MOV, AVI, Matroska and transport streams by their bytes', () => {
    expect(sniffVideo(readFileSync(pan).subarray(0, 256))).toBe('mp4');
    expect(sniffVideo(head('\0\0\0\x14ftypqt  \0\0\0\0qt  '))).toBe('mov');
    expect(sniffVideo(head('\0\0\0\x08wide'))).toBe('mov');
    expect(sniffVideo(head('RIFF\0\0\0\0AVI LIST'))).toBe('avi');
    expect(sniffVideo(head('\x1a\x45\xdf\xa3'))).toBe('matroska');
    const ts = head('\x47');
    ts[188] = 0x47;
    expect(sniffVideo(ts)).toBe('mpeg-ts');
  });
  it('leaves HEIC photos and text alone', () => {
    expect(sniffVideo(head('\0\0\0\x18ftypheic\0\0\0\0mif1heic'))).toBeNull();
    expect(sniffVideo(head('shopping list'))).toBeNull();
  });
});
