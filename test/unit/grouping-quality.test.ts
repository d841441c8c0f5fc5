/**
 * Grouping quality on a library with a known truth (test/support/quality-library.ts): bursts with
 * and without capture time, moving subjects, re-framings, copies and look-alikes. The figures are
 * the acceptance budgets; `BENCH=quality npm run bench` prints them (QUALITY_REPORT=1).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFromPixels } from '../../src/core/fingerprint.js';
import { groupPhotos, type GroupingOptions, type GroupingResult } from '../../src/core/grouping.js';
import { type PreparedSketch, prepareSketch } from '../../src/core/similarity.js';
import { decodeEncoded } from '../../src/media/decode.js';
import { FINGERPRINT_SIDE } from '../../src/pipeline/inspect-worker.js';
import { buildQualityLibrary, type QualityPhoto } from '../support/quality-library.js';
import { formatScore, type QualityScore, scoreGrouping } from '../support/quality-score.js';

let photos: QualityPhoto[] = [];
let items: { dhash: bigint; takenAtMs: number | null }[] = [];
let sketches: PreparedSketch[] = [];

beforeAll(async () => {
  photos = await buildQualityLibrary();
  const prints = await Promise.all(
    photos.map(async (p) => {
      const { image, width, height } = await decodeEncoded(p.bytes, { maxSide: FINGERPRINT_SIDE, orientation: 'auto', label: p.name });
      return fingerprintFromPixels(image, (width * height) / 1e6);
    }),
  );
  items = photos.map((p, i) => ({ dhash: prints[i]!.dhash, takenAtMs: p.takenAtMs }));
  sketches = prints.map((f) => prepareSketch(f.sketch, f.color));
}, 300_000);

function run(options: GroupingOptions): { result: GroupingResult; score: QualityScore } {
  const cpu = process.cpuUsage();
  const result = groupPhotos(items, options, (i) => sketches[i] ?? null);
  const spent = process.cpuUsage(cpu);
  const score = scoreGrouping(photos, result.groups);
  if (process.env.QUALITY_REPORT) {
    const ms = (spent.user + spent.system) / 1000;
    console.log(
      `\n-t ${options.threshold} --time-window ${options.timeWindowS} --min-group-size ${options.minGroupSize} (${photos.length} photos; grouping CPU ${ms.toFixed(0)} ms, ${(ms / photos.length).toFixed(1)} ms per photo)`,
    );
    for (const line of formatScore(score)) console.log(`  ${line}`);
    for (const pair of score.falsePairs) console.log(`  wrongly paired: ${pair}`);
    for (const pair of score.falseDuplicatePairs) console.log(`  called copies: ${pair}`);
    // At -t 3 every burst is meant to stay apart: only looser runs list what they split.
    if (options.threshold > 3) for (const split of score.splits) console.log(`  split: ${split}`);
  }
  return { result, score };
}

const recallOf = (s: QualityScore, c: string): number => s.perCategory.find((x) => x.category === c)!.recall;

describe('grouping quality on the truth library', () => {
  it('finds bursts with and without capture time, moving subjects and re-framings at the defaults, and pairs nothing else', () => {
    const { score } = run({ threshold: 5, timeWindowS: 300, minGroupSize: 2 });
    expect(score.falsePairs).toEqual([]);
    expect(score.all.precision).toBeGreaterThanOrEqual(0.99);
    expect(recallOf(score, 'burst-timed')).toBeGreaterThanOrEqual(0.95);
    expect(recallOf(score, 'burst-untimed')).toBeGreaterThanOrEqual(0.95);
    expect(recallOf(score, 'moving')).toBeGreaterThanOrEqual(0.95);
    expect(recallOf(score, 'similar')).toBeGreaterThanOrEqual(0.9);
    expect(recallOf(score, 'duplicate')).toBe(1);
    expect(score.falseDuplicates).toBe(0);
  });

  it('keeps look-alike scenes apart even at a looser -t 8 without a time window (ridges, flowers, a recoloured twin)', () => {
    const { score } = run({ threshold: 8, timeWindowS: 0, minGroupSize: 2 });
    expect(score.falsePairs).toEqual([]);
    expect(score.perCategory.find((c) => c.category === 'lookalike')!.foundPairs).toBe(0);
  });

  it('keeps only copies at -t 3 --time-window 0, and never calls two frames of a burst copies', () => {
    const { result, score } = run({ threshold: 3, timeWindowS: 0, minGroupSize: 2 });
    expect(score.falseDuplicates).toBe(0);
    expect(score.falsePairs).toEqual([]);
    expect(recallOf(score, 'duplicate')).toBe(1);
    expect(result.groups.every((g) => g.kind === 'duplicate')).toBe(true);
  });
});
