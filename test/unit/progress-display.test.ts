import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressDisplay } from '../../src/cli/progress-display.js';
import { mixedCount } from '../../src/pipeline/progress.js';

/** A plain (non-terminal) display on a fake clock; returns it, the clock and what it printed. */
function display() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const clock = { now: 0 };
  const transcript: string[] = [];
  const shown = new ProgressDisplay(stream as unknown as NodeJS.WriteStream, false, false, {
    now: () => clock.now,
    transcript: (l) => transcript.push(l),
  });
  return { shown, clock, output: () => text, transcript };
}

function etaSeconds(line: string): number | null {
  const m = /ETA (?:(\d+)m(\d+)s|(\d+(?:\.\d+)?)s)/.exec(line);
  if (m === null) return null;
  return m[3] !== undefined ? Number(m[3]) : Number(m[1]) * 60 + Number(m[2]);
}

describe('the progress display', () => {
  it('shows no ETA before enough photos and seconds to judge by', () => {
    const { shown, clock, output } = display();
    shown.start('inspect', 357);
    // Two photos at once, then a long first-photo pause: the old display said "ETA 5m53s" here.
    clock.now = 100;
    shown.update(1);
    clock.now = 5100;
    shown.update(2);
    expect(output()).toContain('Fingerprinting: 2/357 (0%)');
    expect(output()).not.toContain('ETA');
  });

  it('keeps the ETA steady when one photo is slow', () => {
    const { shown, clock, output } = display();
    shown.start('inspect', 1000);
    // Ten photos a second for a minute, then one photo takes 4 seconds.
    for (let i = 1; i <= 600; i++) {
      clock.now = i * 100;
      shown.update(i);
    }
    clock.now = 64_000;
    shown.update(601);
    const etas = output()
      .split('\n')
      .map(etaSeconds)
      .filter((e): e is number => e !== null);
    expect(etas.length).toBeGreaterThan(5);
    const [before, after] = etas.slice(-2) as [number, number];
    expect(before).toBeGreaterThan(35);
    expect(before).toBeLessThan(50);
    // A plain average over the run would jump too; the smoothed rate moves by a fraction.
    expect(after / before).toBeLessThan(1.5);
  });

  it('keeps a plain transcript of what it showed, for the run log', () => {
    const { shown, clock, transcript } = display();
    shown.start('inspect', 3);
    clock.now = 2000;
    shown.update(3);
    shown.note('problem', '/p/notes.jpg: not an image');
    shown.finish();
    expect(transcript).toEqual([
      'Fingerprinting: 3 photos',
      'warning: /p/notes.jpg: not an image',
      'Fingerprinting: 3 photos in 2.0s, 1.5/s',
    ]);
  });

  it('counts photos and clips apart when a run fingerprints both, and clips alone as clips', () => {
    const { shown, clock, transcript } = display();
    shown.start('inspect', 5, mixedCount(3, 2));
    clock.now = 1000;
    shown.update(5);
    shown.finish();
    shown.start('inspect', 2, mixedCount(0, 2));
    shown.update(2);
    shown.finish();
    expect(transcript).toEqual([
      'Fingerprinting: 3 photos and 2 clips',
      'Fingerprinting: 5 photos and clips in 1.0s, 5.0/s',
      'Fingerprinting: 2 clips',
      'Fingerprinting: 2 clips in 0.0s',
    ]);
    expect(mixedCount(4, 0)).toBeUndefined();
  });
});
