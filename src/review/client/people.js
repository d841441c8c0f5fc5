// @ts-check
// People rows of the group view: one row per person, one column per frame (headed by the
// frame's ordinal and time offset), each face large enough to judge the eyes, with its eye and
// smile marks and its sharpness against the same person's sharpest face. A click on a face shows
// that frame at 100 % there.

import { imageUrl } from './api.js';
import { h, lazyBackground } from './ui.js';

/** @typedef {import('../view.js').GroupDetail} GroupDetail */
/** @typedef {import('../view.js').FrameView} FrameView */
/** @typedef {import('../view.js').FaceMark} FaceMark */
/** @typedef {import('../view.js').EyeState} EyeState */
/** @typedef {import('./ui.js').Point} Point */

/** @type {Record<EyeState, string>} */
const EYES = { open: 'eyes open', narrowed: 'eyes half-closed', closed: 'eyes closed' };
/** @type {Record<EyeState, string>} */
const EYE_MARK = { open: 'open', narrowed: 'half', closed: 'closed' };

/**
 * The rows, or null when no frame has a face.
 * @param {GroupDetail} d
 * @param {{ onFace: (frame: number, at: Point) => void; onFrame: (frame: number) => void }} hooks
 * @returns {HTMLElement | null}
 */
export function peopleRows(d, { onFace, onFrame }) {
  if (d.people.length === 0) return null;
  const n = d.frames.length;
  const head = d.frames.map((f, i) =>
    h(
      'button',
      { type: 'button', class: `col-head col-${i}${f.isBest ? ' best' : ''}`, title: f.name, onclick: () => onFrame(i) },
      h('b', {}, `${i + 1}/${n}`),
      f.offset ? h('span', {}, f.offset) : null,
      f.isBest ? h('span', { class: 'best-tag' }, 'best') : null,
    ),
  );
  const rows = d.people.flatMap((person, p) => [
    h('div', { class: 'person' }, `Person ${p + 1}`),
    ...person.cells.map((cell, i) => {
      const f = /** @type {FrameView} */ (d.frames[i]);
      if (cell === null) return h('div', { class: `face-cell empty col-${i}` }, 'not found');
      const face = cell.face;
      const at = { x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 };
      return h(
        'div',
        { class: `face-cell ${face.eyes} col-${i}` },
        h(
          'button',
          { type: 'button', class: 'face-zoom', title: `${f.name}: see it at 100 % here`, onclick: () => onFace(i, at) },
          faceCrop(face, f),
        ),
        h(
          'div',
          { class: 'marks' },
          h('span', { class: `mark ${face.eyes}`, title: EYES[face.eyes] }, EYE_MARK[face.eyes]),
          face.smiling ? h('span', { class: 'mark smile', title: `smiling (${Math.round(face.smile * 100)} %)` }, 'smile') : null,
          h(
            'span',
            { class: `mark sharp${cell.sharpness < 0.6 ? ' soft' : ''}`, title: "sharpness against this person's sharpest face" },
            `${Math.round(cell.sharpness * 100)} %`,
          ),
        ),
      );
    }),
  ]);
  const table = h('div', { class: 'people-grid', style: { '--n': String(n) } }, h('div', { class: 'person' }), ...head, ...rows);
  return h('section', { class: 'people', 'aria-label': 'People in the frames' }, table);
}

/**
 * A square crop around the face, cut from the large view by CSS background geometry.
 * @param {FaceMark} face
 * @param {FrameView} f
 */
function faceCrop(face, f) {
  const side = Math.max(face.box.width * f.width, face.box.height * f.height) * 1.35;
  const w = Math.min(1, side / f.width);
  const hgt = Math.min(1, side / f.height);
  const cx = face.box.x + face.box.width / 2;
  const cy = face.box.y + face.box.height / 2;
  const x = Math.max(0, Math.min(1 - w, cx - w / 2));
  const y = Math.max(0, Math.min(1 - hgt, cy - hgt / 2));
  const crop = h('div', {
    class: 'crop',
    role: 'img',
    'aria-label': `face: ${EYES[face.eyes]}${face.smiling ? ', smiling' : ''}`,
    style: {
      'background-size': `${100 / w}% ${100 / hgt}%`,
      'background-position': `${w < 1 ? (x / (1 - w)) * 100 : 0}% ${hgt < 1 ? (y / (1 - hgt)) * 100 : 0}%`,
    },
  });
  return lazyBackground(crop, imageUrl(f.id, 'view', f.version));
}
