import { describe, expect, it } from 'vitest';
import { formatSummary } from '../../src/cli/summary.js';
import type { RunSummary } from '../../src/pipeline/run.js';

/** Fingerprint counts of a run that decoded `n` photos. */
const decoded = (n: number): RunSummary['pictures'] => ({
  fingerprinted: n,
  failed: 0,
  cached: 0,
  fromCache: 0,
  fromLibrary: 0,
  downloadedAs: { preview: 0, thumbnail: 0, original: 0 },
  wholeClips: 0,
});

/** A finished folder run's summary, with the given fields changed. */
function summary(changes: Partial<RunSummary> = {}): RunSummary {
  return {
    sourceType: 'local',
    source: '/home/me/Photos',
    output: '/home/me/Organized',
    catalog: '/home/me/Organized/.photo-organizer/catalog.db',
    dryRun: false,
    interrupted: false,
    undo: false,
    photos: 90,
    clips: 0,
    candidates: 90,
    ruledOut: 0,
    prefiltered: true,
    pictures: decoded(90),
    downloaded: null,
    actions: null,
    leftOut: new Map(),
    planLines: [],
    groups: 3,
    byKind: { burst: 2, duplicate: 1, similar: 0 },
    grouped: 9,
    groupedClips: 0,
    errors: [],
    applied: { applied: 15, skipped: 0, removed: 0, cleanedTemps: 0, failed: [], aborted: false },
    report: { file: '/home/me/Organized/reports/report_x.json', latest: '/home/me/Organized/reports/latest.json' },
    timings: {},
    hdr: null,
    swap: null,
    stoppedIn: null,
    closeCalls: [],
    faces: null,
    ...changes,
  };
}

const ctx = { verbose: false, command: 'photo-album-organizer', log: '/home/me/Organized/logs/run_2024-05-01_140307.log' };

describe('the summary of a run with video clips', () => {
  it('counts photos and clips apart, and the grouped photos and clips apart', () => {
    const lines = formatSummary(summary({ photos: 90, clips: 6, grouped: 11, groupedClips: 4 }), ctx);
    expect(lines[0]).toBe('Scanned 84 photos and 6 clips.');
    expect(lines[1]).toBe('Found 3 groups: 2 bursts, 1 duplicate (7 photos and 4 clips grouped, 79 alone).');
  });

  it('says clips alone when a run read only clips', () => {
    const lines = formatSummary(summary({ photos: 1, clips: 1, grouped: 0, groupedClips: 0, groups: 0 }), ctx);
    expect(lines[0]).toBe('Scanned 1 clip.');
  });
});

describe('the summary of a run', () => {
  it('ends with the next step, as a command in the name the user typed', () => {
    const lines = formatSummary(summary(), ctx);
    expect(lines.at(-1)).toBe(
      'Next: look through the groups, change a pick or split a group, and apply: photo-album-organizer review -o /home/me/Organized --open',
    );
    expect(lines).toContain('Log: /home/me/Organized/logs/run_2024-05-01_140307.log');
  });

  it('counts files that are not photos as skipped, not as scanned photos', () => {
    const errors = [
      { path: '/home/me/Photos/notes.jpg', stage: 'inspect' as const, message: 'not an image (looks like text)' },
      { path: '/home/me/Photos/empty.jpg', stage: 'inspect' as const, message: 'empty file (0 bytes)' },
    ];
    const lines = formatSummary(summary({ errors }), ctx);
    expect(lines[0]).toBe('Scanned 88 photos; skipped 2 files that could not be read as photos (listed in the report).');
    expect(lines[1]).toBe('Found 3 groups: 2 bursts, 1 duplicate (9 photos grouped, 79 alone).');
    expect(lines.join('\n')).not.toMatch(/could not be processed/);
  });

  it('names the close calls and the faces found', () => {
    const lines = formatSummary(summary({ closeCalls: [2, 7], faces: { photos: 4, faces: 6, clips: 0 } }), ctx);
    expect(lines).toContain('Close calls: in 2 groups the best photo won by a small margin (group_0002, group_0007); worth a look.');
    expect(lines).toContain('Faces: 6 found in 4 grouped photos; open eyes and smiles counted in the best pick.');
    const withClips = formatSummary(summary({ faces: { photos: 4, faces: 6, clips: 2 } }), ctx);
    expect(withClips).toContain(
      'Faces: 6 found in 4 grouped photos and seen in the key frames of 2 clips; open eyes and smiles counted in the best pick.',
    );
    const clipsOnly = formatSummary(summary({ faces: { photos: 0, faces: 0, clips: 1 } }), ctx);
    expect(clipsOnly).toContain('Faces: seen in the key frames of 1 clip; open eyes and smiles counted in the best pick.');
  });

  it('says what the face swap did, names the people it refused, and keeps HDR failures apart', () => {
    const swap = {
      blinking: 2,
      planned: 1,
      swapped: 1,
      made: 1,
      people: [
        { group: 1, label: 'the person', kept: true, reason: null, region: 'eyes' as const },
        {
          group: 3,
          label: 'the 2nd person from the left',
          kept: false,
          reason: 'no frame with open eyes at a similar angle',
          region: null,
        },
      ],
    };
    const errors = [{ path: '/home/me/Photos/a.jpg', stage: 'enhance' as const, message: 'face swap of group_0004 failed: broken' }];
    const lines = formatSummary(summary({ swap, errors, hdr: { brackets: 1, merged: 1 } }), ctx);
    expect(lines).toContain(
      'Face swap: closed eyes in the best photo of 2 groups; 1 face_swapped.jpg written (1 new), 1 person not swapped.',
    );
    expect(lines).toContain('  group_0003: the 2nd person from the left: no frame with open eyes at a similar angle');
    expect(lines).toContain('HDR: 1 exposure bracket merged into hdr_merged.jpg (1 new).');
    const dry = formatSummary(summary({ swap, dryRun: true, applied: null, report: null }), ctx);
    expect(dry).toContain('Face swap: closed eyes in the best photo of 2 groups; 1 swap planned (each is checked when made).');
    const none = formatSummary(summary({ swap: { blinking: 0, planned: 0, swapped: 0, made: 0, people: [] } }), ctx);
    expect(none).toContain('Face swap: no best photo has closed eyes.');
  });

  it('says truthfully where a stop landed, and how to resume', () => {
    const stopped = summary({ interrupted: true, stoppedIn: 'analyze', pictures: decoded(357) });
    expect(formatSummary(stopped, ctx)).toEqual([
      'Stopped while looking at faces; the fingerprints and the faces analyzed so far are saved; nothing is lost.',
      'Resume with: photo-album-organizer --resume -o /home/me/Organized',
    ]);
    const early = formatSummary(summary({ interrupted: true, stoppedIn: 'inspect', pictures: decoded(12) }), {
      ...ctx,
      command: 'npx photo-organizer',
    });
    expect(early[0]).toBe('Stopped while fingerprinting, after 12 new fingerprints; nothing is lost.');
    expect(early[1]).toBe('Resume with: npx photo-organizer --resume -o /home/me/Organized');
  });

  it('after a dry run, points at the real run and at --verbose', () => {
    const lines = formatSummary(summary({ dryRun: true, applied: null, report: null }), { ...ctx, log: null });
    expect(lines).toContain("Dry run: nothing was written. Each group's plan is listed above (--verbose lists every file).");
    expect(lines.at(-1)).toBe('Next: run the same command without --dry-run to write the groups.');
    expect(lines.join('\n')).not.toContain('Log:');
  });
});
