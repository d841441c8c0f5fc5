import { describe, expect, it } from 'vitest';
import type { ServerFace } from '../../src/core/server-faces.js';
import type { PhotoId } from '../../src/core/types.js';
import { groupsForSwap } from '../../src/pipeline/stages/face-swap.js';
import { ids } from '../support/ids.js';

const face: ServerFace = { x1: 10, y1: 10, x2: 60, y2: 60, imageWidth: 400, imageHeight: 300 };

/** A burst of photos `members` whose best is `best`. */
const burst = (members: readonly PhotoId[], best: PhotoId) => ({
  kind: 'burst' as const,
  person: null,
  members: members.map((id) => ({ photo: { id }, decision: { isBest: id === best } })),
});

describe('groups analysed for a swap with server faces', () => {
  const [a, b, c, d, e, f] = ids(1, 2, 3, 4, 5, 6) as [PhotoId, PhotoId, PhotoId, PhotoId, PhotoId, PhotoId];

  it('takes only the groups whose best photo has a face the server found, with all their members', () => {
    const serverFaces = new Map<PhotoId, ServerFace[]>([
      [a, [face]],
      [b, [face, face]],
      // A face on a frame that is not the best one does not make the group need a swap.
      [d, [face]],
      [e, []],
    ]);
    const groups = [burst([a, b], b), burst([c, d], c), burst([e, f], e)];
    expect(groupsForSwap(groups, serverFaces)).toEqual([{ kind: 'burst', person: null, members: [{ id: a }, { id: b }] }]);
  });

  it('takes none when the server found no faces', () => {
    expect(groupsForSwap([burst([a, b], a)], new Map())).toEqual([]);
  });
});
