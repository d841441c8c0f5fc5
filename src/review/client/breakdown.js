// @ts-check
// A frame's score breakdown, shown on hover or focus of its score: what sharpness, exposure and
// resolution contributed (review/frame-facts.ts), and whether faces weighed in on top.

import { h } from './ui.js';

/** @typedef {import('../view.js').FrameView} FrameView */

/** @type {Record<string, string>} */
const MEASURES = { sharpness: 'Sharpness', exposure: 'Exposure', resolution: 'Resolution' };

/**
 * What each measure contributed to the score, shown on hover or focus of the score.
 * @param {FrameView} f
 */
export function breakdown(f) {
  const b = f.breakdown;
  const faces = Math.abs(b.wholeImage - f.score) > 0.005;
  return h(
    'div',
    { class: 'breakdown', role: 'tooltip', id: `breakdown-${f.id}` },
    h(
      'table',
      {},
      ...b.parts.map((p) =>
        h(
          'tr',
          {},
          h('th', {}, MEASURES[p.measure]),
          h('td', {}, `${Math.round(p.value * 100)} % × ${p.weight}`),
          h('td', {}, `+${p.points.toFixed(2)}`),
        ),
      ),
      h('tr', { class: 'sum' }, h('th', {}, 'Whole image'), h('td', {}), h('td', {}, b.wholeImage.toFixed(2))),
    ),
    faces ? h('p', {}, `Score ${f.score.toFixed(2)}: faces weigh in (smiles, face sharpness; a blink halves it).`) : null,
  );
}
