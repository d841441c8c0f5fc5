// @ts-check
// The banner of a group where the user changed something on the server that this tool set
// (--watch --conflict-strategy manual): what they did, and two ways to decide — keep their change
// (recorded as review decisions) or this tool's choice (put back by the watch's next poll).

import { post } from './api.js';
import { h, toast } from './ui.js';

/** @typedef {import('../view.js').GroupDetail} GroupDetail */
/** @typedef {import('../session.js').ChangeOutcome & { readonly summary: import('../session.js').Summary }} Changed */

/**
 * The banner, or null when nothing waits in the group.
 * @param {GroupDetail} d
 * @param {(outcome: Changed) => Promise<void>} onDecided
 * @returns {HTMLElement | null}
 */
export function conflictBanner(d, onDecided) {
  if (d.conflicts.length === 0) return null;
  /** @param {'server' | 'tool'} keep */
  const decide = async (keep) => {
    try {
      /** @type {Changed} */
      const outcome = await post('conflicts', { group: d.number, keep });
      toast(outcome.message);
      await onDecided(outcome);
    } catch (error) {
      toast(error instanceof Error ? error.message : String(error), { error: true });
    }
  };
  return h(
    'div',
    { class: 'conflicts', role: 'alert' },
    h('ul', {}, ...d.conflicts.map((c) => h('li', {}, `${c.text}.`))),
    h(
      'div',
      { class: 'conflict-actions' },
      h('button', { type: 'button', class: 'button', onclick: () => decide('server') }, 'Keep your change'),
      h('button', { type: 'button', class: 'button ghost', onclick: () => decide('tool') }, 'Put this tool’s choice back'),
    ),
  );
}
