// @ts-check
// A clip in the group view: its poster, its length, and (when the server has its file) a
// <video> that plays in place, fetched in byte ranges as the browser needs them.

import { h } from './ui.js';

/** @typedef {import('../view.js').FrameView} FrameView */

/**
 * @param {number} id
 * @param {string} version
 */
export function clipUrl(id, version) {
  return `/clip/${id}?v=${encodeURIComponent(version)}`;
}

/**
 * What a clip frame shows in place of a photo: a player with the poster, or the poster alone.
 * @param {FrameView} f a frame with `clip` set
 * @param {string} poster the poster frame's address
 * @returns {HTMLElement[]}
 */
export function clipMedia(f, poster) {
  const length = f.clip?.length ?? '';
  const badge = h('span', { class: 'length', title: 'Length of the clip' }, `▶ ${length}`);
  if (f.clip?.playable !== true) return [h('img', { src: poster, alt: f.name, loading: 'lazy', decoding: 'async' }), badge];
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
