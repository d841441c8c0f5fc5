import { describe, expect, it } from 'vitest';
import { boxOverlap, descriptorSimilarity, type MatchableFace, matchPeople } from '../../src/core/face-matching.js';
import { CLOSED_ASPECT, eyeState, type FaceScoringInput, rankGroupWithFaces } from '../../src/core/face-scoring.js';
import type { FaceRecord } from '../../src/core/faces.js';
import { rankGroup } from '../../src/core/scoring.js';
import { FrameBuilder } from '../support/records.js';

/**
 * An identity descriptor for person `n`: a shared offset plus a bump of their own, so that
 * different people score 0.6 (as real descriptors do, ~0.35–0.6) and the same person 1.
 */
function identity(n: number, jitter = 0): Float32Array {
  const d = new Float32Array(16).fill(1);
  d[n % 16]! += 4;
  if (jitter) d[(n + 1) % 16]! += jitter;
  return d;
}

/** Builder for one face: person `n`, eyes open (0.33), not smiling, sharpness 1, a 200 px face at their own place. */
function face(person: number) {
  const f = {
    eyes: 0.33,
    smile: 0.1,
    sharpness: 1,
    box: { x: 0.1 * (person % 8), y: 0.2, width: 0.2, height: 0.25 },
    jitter: 0,
  };
  const b = {
    eyes: (aspect: number) => {
      f.eyes = aspect;
      return b;
    },
    smiling: (v = 0.9) => {
      f.smile = v;
      return b;
    },
    sharpness: (v: number) => {
      f.sharpness = v;
      return b;
    },
    tiny: () => {
      f.box = { x: 0.5, y: 0.5, width: 0.01, height: 0.012 };
      return b;
    },
    at: (x: number) => {
      f.box = { ...f.box, x };
      return b;
    },
    jitter: (v: number) => {
      f.jitter = v;
      return b;
    },
    build: (): FaceRecord => ({
      confidence: 0.9,
      box: f.box,
      yaw: 0,
      pitch: 0,
      leftEye: { aspect: f.eyes, irisShown: 0.9 },
      rightEye: { aspect: f.eyes, irisShown: 0.9 },
      happy: f.smile,
      smileShape: f.smile,
      smile: f.smile,
      sharpness: f.sharpness,
      descriptor: identity(person, f.jitter),
    }),
  };
  return b;
}

/** A photo of a group: IMG_<id>.JPG, well exposed 12 MP, whole-image sharpness 1, no face unless given. */
class Photo extends FrameBuilder {
  private records: FaceRecord[] | null = [];
  private note: string | null = null;
  faces(...fs: { build: () => FaceRecord }[]): this {
    this.records = fs.map((f) => f.build());
    return this;
  }
  notAnalyzed(): this {
    this.records = null;
    return this;
  }
  failed(message: string): this {
    this.note = message;
    this.records = [];
    return this;
  }
  build(): FaceScoringInput {
    const faces = this.records === null ? null : { analyzer: 'test', width: 1000, height: 800, faces: this.records, note: this.note };
    return { ...this.scoringInput(), name: `IMG_${this.id}.JPG`, faces };
  }
}
const photo = (id: number) => new Photo(id);

const rank = (...photos: { build: () => FaceScoringInput }[]) => rankGroupWithFaces(photos.map((p) => p.build()));
const bestOf = (...photos: { build: () => FaceScoringInput }[]) => rank(...photos).find((d) => d.isBest)!.photoId;
const reasons = (...photos: { build: () => FaceScoringInput }[]) => rank(...photos).map((d) => d.reason);

describe('rankGroupWithFaces', () => {
  it('picks the frame where both eyes are open, even when the blink is the sharpest frame', () => {
    const decisions = rank(photo(1).sharpness(0.9).faces(face(0).sharpness(0.9)), photo(2).sharpness(1).faces(face(0).eyes(0.04)));
    expect(decisions.find((d) => d.isBest)!.photoId).toBe(1);
    expect(decisions.map((d) => d.reason)).toEqual([
      '1 face, eyes open, not smiling, faces 90% as sharp — beats IMG_2.JPG: eyes closed there',
      '1 face, eyes closed, not smiling, sharpest',
    ]);
  });

  it('picks an open-eyed frame of a burst whose second frame blinks', () => {
    expect(
      bestOf(
        photo(1).sharpness(0.95).faces(face(0).sharpness(0.95)),
        photo(2).faces(face(0).eyes(0.06)),
        photo(3).sharpness(0.9).faces(face(0).sharpness(0.9)),
      ),
    ).toBe(1);
  });

  it('lets a group photo where one person blinks lose to one where nobody does', () => {
    const decisions = rank(
      photo(1).faces(face(0), face(1).eyes(0.05), face(2).smiling()),
      photo(2).sharpness(0.93).faces(face(0).sharpness(0.95), face(1).sharpness(0.95), face(2).sharpness(0.95).smiling()),
    );
    expect(decisions.find((d) => d.isBest)!.photoId).toBe(2);
    expect(decisions.map((d) => d.reason)).toEqual([
      '3 faces, 1 blinking, 1 smiling, sharpest',
      '3 faces, all eyes open, 1 smiling, faces 95% as sharp — beats IMG_1.JPG: 1 blinking there',
    ]);
  });

  it('judges each person against their own eyes: naturally narrow eyes are not a blink', () => {
    // Person 0's eyes are narrow in every frame; frames are listed with the faces in other orders.
    const all = reasons(
      photo(1).sharpness(0.8).faces(face(0).eyes(0.13), face(1)),
      photo(2).faces(face(1).eyes(0.34), face(0).eyes(0.12)),
      photo(3).sharpness(0.9).faces(face(0).eyes(0.14), face(1).eyes(0.31)),
    );
    for (const r of all) expect(r).toMatch(/all eyes open/);
    expect(all[1]).toMatch(/— beats IMG_3\.JPG: sharper overall$/);
  });

  it('matches people by descriptor, not by their place in the list or in the frame', () => {
    // The two changed places in frame 2: matched by place, person 1's shut eyes would be compared
    // with person 0's narrow ones and look open.
    const d = rank(
      photo(1).faces(face(0).eyes(0.12).at(0), face(1).eyes(0.36).at(0.5)),
      photo(2).faces(face(1).eyes(0.05).at(0), face(0).eyes(0.12).jitter(0.3).at(0.5)),
    );
    expect(d.map((x) => x.reason)).toEqual([
      '2 faces, all eyes open, nobody smiling, sharpest — beats IMG_2.JPG: 1 blinking there',
      '2 faces, 1 blinking, nobody smiling, sharpest',
    ]);
  });

  it('counts half-closed eyes less than closed ones', () => {
    expect(bestOf(photo(1).faces(face(0), face(1).eyes(0.05)), photo(2).faces(face(0), face(1).eyes(0.17)))).toBe(2);
    expect(reasons(photo(1).faces(face(0).eyes(0.17)), photo(2).faces(face(0)))[0]).toBe('1 face, eyes half-closed, not smiling, sharpest');
  });

  it('holds a missing face against the frame: someone in most frames was blurred or turned away there', () => {
    const d = rank(
      photo(1).faces(face(0), face(1)),
      photo(2).sharpness(1.1).faces(face(0)),
      photo(3).sharpness(0.95).faces(face(0), face(1)),
    );
    expect(d.find((x) => x.isBest)!.photoId).toBe(1);
    expect(d[1]!.reason).toBe('1 face, eyes open, 1 face not found, not smiling, sharpest');
  });

  it('prefers smiles when eyes are equal, then sharper faces', () => {
    expect(reasons(photo(1).faces(face(0), face(1)), photo(2).faces(face(0).smiling(), face(1).smiling()))[1]).toBe(
      '2 faces, all eyes open, 2 smiling, sharpest — beats IMG_1.JPG: more smiles',
    );
    expect(reasons(photo(1).faces(face(0).sharpness(0.4)), photo(2).faces(face(0)))[1]).toMatch(/beats IMG_1\.JPG: sharper faces$/);
  });

  it('ignores someone seen in one frame only: a passer-by, or a dog taken for a face once', () => {
    const passerBy = rank(photo(1).faces(face(0), face(1).eyes(0.02)), photo(2).faces(face(0)), photo(3).faces(face(0)).sharpness(0.9));
    expect(passerBy.find((d) => d.isBest)!.photoId).toBe(1);
    expect(passerBy[0]!.reason).toMatch(/^1 face, eyes open/);
    // Nobody seen twice: no cast, so the whole-image measures decide, as without faces.
    const dog = [photo(1), photo(2).faces(face(7).smiling()).sharpness(0.8), photo(3)];
    expect(rank(...dog)).toEqual(rankGroup(dog.map((p) => p.build())));
  });

  it('breaks ties by resolution, then file size, then path order', () => {
    expect(bestOf(photo(1).faces(face(0)), photo(2).faces(face(0)))).toBe(1);
    expect(bestOf(photo(1).faces(face(0)), photo(2).size(5_000_000).faces(face(0)))).toBe(2);
    expect(reasons(photo(1).faces(face(0)), photo(2).faces(face(0)))[0]).toMatch(
      /— beats IMG_2\.JPG: a tie \(kept the larger or first file\)$/,
    );
  });

  it('ranks on whole-image measures when no photo has a face, or faces were not analyzed', () => {
    const plain = [photo(1).sharpness(0.5), photo(2), photo(3).sharpness(0.7)];
    expect(rank(...plain)).toEqual(rankGroup(plain.map((p) => p.build())));
    expect(rank(...plain)[1]!.reason).toBe('sharpest, well exposed, 12.0 MP, beats IMG_3.JPG on sharpness');
    const notAnalyzed = [photo(1).notAnalyzed(), photo(2).notAnalyzed().sharpness(2)];
    expect(rank(...notAnalyzed).find((d) => d.isBest)!.photoId).toBe(2);
  });

  it('ignores faces too small to be a subject', () => {
    expect(rank(photo(1).faces(face(0).tiny().eyes(0.01)), photo(2).sharpness(0.5))[0]!.reason).toMatch(/^sharpest, well exposed/);
  });

  it('says when face analysis failed on a photo', () => {
    expect(reasons(photo(1).faces(face(0)), photo(2).failed('corrupt JPEG data'), photo(3).faces(face(0)))[1]).toBe(
      'face analysis failed, 1 face not found, sharpest',
    );
  });

  it('gives every photo a score in 0..1 and exactly one best', () => {
    const d = rank(photo(1).faces(face(0), face(1).eyes(0.02)), photo(2).faces(face(0).smiling(), face(1)), photo(3).faces());
    expect(d.filter((x) => x.isBest)).toHaveLength(1);
    for (const x of d) {
      expect(x.score).toBeGreaterThanOrEqual(0);
      expect(x.score).toBeLessThanOrEqual(1);
    }
    expect(rankGroupWithFaces([])).toEqual([]);
  });
});

describe('eyeState', () => {
  it('compares with the widest opening, falls back to an absolute floor, and keeps always-shut eyes shut', () => {
    expect(eyeState(0.3, 0.33, 3)).toBe('open');
    expect(eyeState(0.17, 0.33, 3)).toBe('narrowed');
    expect(eyeState(0.05, 0.33, 3)).toBe('closed');
    expect(eyeState(0.12, 0.13, 3)).toBe('open');
    expect(eyeState(0.12, 0.12, 1)).toBe('open');
    expect(eyeState(CLOSED_ASPECT / 2, CLOSED_ASPECT / 2, 1)).toBe('closed');
    expect(eyeState(0.05, 0.06, 3)).toBe('closed');
  });
});

describe('matchPeople', () => {
  /** Faces by descriptor, each in a place of its own (no two boxes overlap, even across frames). */
  let place = 0;
  const apart = (...ds: Float32Array[]): MatchableFace[] =>
    ds.map((descriptor) => ({ descriptor, box: { x: place++, y: 0, width: 0.1, height: 0.1 } }));
  const there = (descriptor: Float32Array, x: number): MatchableFace => ({ descriptor, box: { x, y: 0.2, width: 0.2, height: 0.25 } });

  it('numbers people by first appearance and never puts one person twice in a frame', () => {
    expect(matchPeople([apart(identity(3), identity(5)), apart(identity(5), identity(3)), apart(identity(7))])).toEqual([
      [0, 1],
      [1, 0],
      [2],
    ]);
    // Two look-alike faces in one frame: each matches the other frame's person at most once.
    expect(matchPeople([apart(identity(1), identity(1, 0.2)), apart(identity(1))])).toEqual([[0, 1], [0]]);
  });

  it('matches a face whose descriptor blur spoiled when it is still in the same place', () => {
    // Heavy blur: the descriptor is no closer to the person's own than to anyone else's (0.51).
    const spoiled = new Float32Array(16).fill(1);
    spoiled[9] = 7;
    expect(descriptorSimilarity(spoiled, identity(0))).toBeCloseTo(0.51, 2);
    expect(
      matchPeople([
        [there(identity(0), 0), there(identity(1), 0.5)],
        [there(spoiled, 0.02), there(identity(1), 0.5)],
      ]),
    ).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(
      matchPeople([
        [there(identity(0), 0), there(identity(1), 0.5)],
        [there(spoiled, 0.75), there(identity(1), 0.5)],
      ]),
    ).toEqual([
      [0, 1],
      [2, 1],
    ]);
    expect(boxOverlap(there(spoiled, 0).box, there(spoiled, 0.5).box)).toBe(0);
  });

  it('leaves faces without a descriptor unmatched when they are in different places', () => {
    expect(matchPeople([apart(new Float32Array(0)), apart(new Float32Array(0))])).toEqual([[0], [1]]);
    expect(descriptorSimilarity(identity(1), new Float32Array(3))).toBe(0);
    expect(descriptorSimilarity(identity(1), identity(2))).toBeCloseTo(0.6, 5);
  });
});
