// @ts-check
// What a frame of the group view shows: a photo with its face boxes, or a clip — its poster, its
// length, and a <video> that plays in place, fetched in byte ranges as the browser needs them
// (from the clip's file, or relayed from its Immich server).

import { h } from './ui.js';

/** @typedef {import('../view.js').FrameView} FrameView */

/**
 * @param {number} id
 * @param {string} version
 */
export function clipUrl(id, version) {
  return `/clip/${id}?v=${encodeURIComponent(version)}`;
}

/** @param {number} v a fraction, 0..1 */
export const pct = (v) => `${(v * 100).toFixed(3)}%`;

/**
 * The picture of a frame: the photo and its face boxes, or the clip (a clip's faces were found on
 * its key frames, not on its poster).
 * @param {FrameView} f
 * @param {string} view the large picture's address
 * @returns {HTMLElement[]}
 */
export function frameMedia(f, view) {
  if (f.clip) return clipMedia(f, view);
  return [
    h('img', { src: view, alt: f.name, loading: 'lazy', decoding: 'async' }),
    ...f.faces.map((face) =>
      h('span', {
        class: `facebox ${face.eyes}`,
        style: { left: pct(face.box.x), top: pct(face.box.y), width: pct(face.box.width), height: pct(face.box.height) },
      }),
    ),
  ];
}

/**
 * What a clip frame shows in place of a photo: a player with the poster.
 * @param {FrameView} f a frame with `clip` set
 * @param {string} poster the poster frame's address
 * @returns {HTMLElement[]}
 */
function clipMedia(f, poster) {
  const length = f.clip?.length ?? '';
  const badge = h('span', { class: 'length', title: 'Length of the clip' }, `▶ ${length}`);
  const video = h('video', {
    src: clipUrl(f.id, f.version),
    poster,
    controls: true,
    preload: 'metadata',
    playsinline: true,
    'aria-label': `${f.name}, ${length}`,
    // Its own controls take the click: the frame is not zoomed or picked by it.
    onclick: (event) => event.stopPropagation(),
  });
  return [video, badge];
}
