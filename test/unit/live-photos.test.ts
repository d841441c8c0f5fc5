import { describe, expect, it } from 'vitest';
import { pairLivePhotos } from '../../src/core/live-photos.js';

const file = (key: string, contentId: string | null = null) => ({ key, stem: key.slice(0, key.lastIndexOf('.')).toLowerCase(), contentId });

describe('Live Photo pairing', () => {
  it('pairs by content identifier whatever the names, and by name when an identifier is missing', () => {
    const stills = [file('IMG_0001.HEIC', 'A'), file('IMG_0002.JPG'), file('IMG_0003.JPG', 'C')];
    const motions = [file('IMG_0001(1).MOV', 'A'), file('img_0002.mov', 'B'), file('IMG_0003.MOV')];
    expect(pairLivePhotos(stills, motions)).toEqual(
      new Map([
        ['IMG_0001(1).MOV', 'IMG_0001.HEIC'],
        ['img_0002.mov', 'IMG_0002.JPG'],
        ['IMG_0003.MOV', 'IMG_0003.JPG'],
      ]),
    );
  });

  it('leaves apart a clip and a still that share a name but carry different identifiers', () => {
    expect(pairLivePhotos([file('IMG_0004.HEIC', 'D')], [file('IMG_0004.MOV', 'E')]).size).toBe(0);
  });

  it('gives a still one clip: the one with its identifier over the one with its name', () => {
    const pairs = pairLivePhotos([file('IMG_0005.HEIC', 'F')], [file('IMG_0005.MOV'), file('IMG_0005 (edited).MOV', 'F')]);
    expect(pairs).toEqual(new Map([['IMG_0005 (edited).MOV', 'IMG_0005.HEIC']]));
  });
});
