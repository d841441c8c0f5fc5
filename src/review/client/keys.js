// @ts-check
// The keys of each view: the footer line of the view shown, and the ? overlay listing them all.

import { byId, h } from './ui.js';

/** @typedef {'grid' | 'group' | 'viewer'} View */

/** What each key does, by view: the footer shows the current view's, the ? overlay all of them. */
/** @type {Record<View, [string, string][]>} */
const KEYS = {
  grid: [
    ['←↑→↓', 'move'],
    ['Enter', 'open group'],
    ['n', 'next not reviewed'],
    ['u', 'undo'],
    ['?', 'keys'],
  ],
  group: [
    ['← →', 'photo'],
    ['↑ ↓', 'group'],
    ['n', 'next not reviewed'],
    ['Space', 'pick best'],
    ['k', 'keep too / not'],
    ['c', 'mark to compare'],
    ['Enter', '100 % / compare marked'],
    ['x', 'take out'],
    ['s', 'split here'],
    ['m', 'merge with next'],
    ['u', 'undo'],
    ['Esc', 'back'],
  ],
  viewer: [
    ['← →', 'flip photo'],
    ['Shift+arrows', 'pan (arrows in compare)'],
    ['+ −', 'zoom'],
    ['Enter', 'fit ↔ 100 %'],
    ['click', '100 % there'],
    ['0', 'fit'],
    ['Tab', 'next pane'],
    ['Space', 'pick it (active pane)'],
    ['k', 'keep it too'],
    ['Esc', 'back'],
  ],
};

/** @type {Record<View, string>} */
const KEY_TITLES = { grid: 'Groups', group: 'A group', viewer: '100 % and compare' };

/**
 * The footer's key hints for a view.
 * @param {View} view
 */
export function keyFooter(view) {
  return KEYS[view].map(([key, what]) => h('span', {}, h('kbd', {}, key), ' ', what));
}

/**
 * Opens the ? overlay with every view's keys, `current`'s first (closes it when open).
 * @param {View} current
 */
export function toggleKeys(current) {
  const dialog = byId('help', HTMLDialogElement);
  if (dialog.open) return dialog.close();
  /** @type {View[]} */
  const order = [current, .../** @type {View[]} */ (['grid', 'group', 'viewer']).filter((v) => v !== current)];
  byId('help-body', HTMLElement).replaceChildren(
    ...order.map((k) =>
      h(
        'section',
        {},
        h('h3', {}, KEY_TITLES[k]),
        h('dl', {}, ...KEYS[k].flatMap(([key, what]) => [h('dt', {}, h('kbd', {}, key)), h('dd', {}, what)])),
      ),
    ),
  );
  dialog.showModal();
  dialog.querySelector('button')?.focus();
}
