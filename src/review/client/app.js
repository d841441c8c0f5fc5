// @ts-check
// Review page entry: the two views (grid of groups, one group), routing by the address's hash
// (#/ and #/group/<n>), the filters, the keyboard, undo and apply.

import { ApiError, get, post } from './api.js';
import { Grid } from './grid.js';
import { keyFooter, toggleKeys } from './keys.js';
import { GroupView } from './group.js';
import { byId, h, mediaCount, toast } from './ui.js';

/** @typedef {import('./api.js').Filter} Filter */
/** @typedef {import('./group.js').Changed} Changed */
/** @typedef {import('./group.js').Selection} Selection */
/** @typedef {import('../session.js').Summary} Summary */
/** @typedef {import('../session.js').ApplyPreview} ApplyPreview */
/** @typedef {import('../session.js').ApplyOutcome} ApplyOutcome */

/** @param {string} id */
const $ = (id) => byId(id, HTMLElement);

const filtersForm = byId('filters', HTMLFormElement);
let filter = readFilter();
/** @type {Summary | null} */
let summary = null;
/** @type {'grid' | 'group'} */
let view = 'grid';
/** Set when a change happened since the grid was loaded: it reloads when shown again. */
let gridStale = false;

const grid = new Grid({
  list: $('grid'),
  status: $('grid-status'),
  sentinel: $('sentinel'),
  onOpen: (number) => (location.hash = `#/group/${number}`),
});

const group = new GroupView({
  onChanged: async (outcome, { select }) => {
    showSummary(outcome.summary);
    gridStale = true;
    if (outcome.focus === null) return go('#/');
    if (outcome.focus !== group.number) {
      history.replaceState(null, '', `#/group/${outcome.focus}`);
    }
    await showGroup(outcome.focus, { select });
  },
});

// The token came in the address; the cookie carries it from now on, so the address can drop it.
if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', `/${location.hash}`);

filtersForm.addEventListener('change', () => {
  filter = readFilter();
  gridStale = false;
  if (view !== 'grid') go('#/');
  grid.reset(filter).catch(showError);
});
filtersForm.addEventListener('submit', (event) => event.preventDefault());

$('back').addEventListener('click', () => go('#/'));
$('undo').addEventListener('click', () => undo().catch(showError));
$('apply').addEventListener('click', () => apply().catch(showError));
$('help-open').addEventListener('click', () => showKeys());
window.addEventListener('hashchange', () => route().catch(showError));
// Coming back to the page: a run that finished meanwhile replaces the groups shown.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') checkForNewRun().catch(showError);
});
document.addEventListener('keydown', onKey);

start().catch(showError);

async function start() {
  showSummary(await get('summary'));
  await grid.reset(filter);
  await route();
}

/** @returns {Filter} */
function readFilter() {
  const data = new FormData(filtersForm);
  /** @param {string} name */
  const flag = (name) => (data.get(name) ? '1' : '0');
  return {
    kind: String(data.get('kind') ?? 'all'),
    faces: String(data.get('faces') ?? 'any'),
    changed: flag('changed'),
    closeCalls: flag('closeCalls'),
    blinks: flag('blinks'),
    unreviewed: flag('unreviewed'),
  };
}

/** @param {string} hash */
function go(hash) {
  if (location.hash === hash || (hash === '#/' && location.hash === '')) route().catch(showError);
  else location.hash = hash;
}

async function route() {
  group.viewer.close();
  const m = /^#\/group\/(\d+)$/.exec(location.hash);
  if (m) return showGroup(Number(m[1]), { select: 'best' });
  const back = group.number;
  if (view === 'group') await leaveGroup();
  setView('grid');
  if (gridStale) {
    gridStale = false;
    await grid.reset(filter, { atLeast: grid.cards.length, focusNumber: back });
  } else if (back !== null) {
    const at = grid.cards.findIndex((c) => c.number === back);
    if (at >= 0) grid.setFocus(at);
  }
}

/**
 * @param {number} number
 * @param {{ select: Selection }} options
 */
async function showGroup(number, { select }) {
  if (view === 'group' && group.number !== number) await leaveGroup();
  const shown = await group.show(number, filter, { select });
  if (!shown) {
    toast(`Group ${number} no longer exists`, { error: true });
    return go('#/');
  }
  setView('group');
}

/** The group shown was looked at: it is marked reviewed as the user leaves it. */
async function leaveGroup() {
  const number = group.number;
  if (number === null || group.detail?.reviewed) return;
  try {
    /** @type {{ summary: Summary }} */
    const answer = await post('reviewed', { group: number });
    showSummary(answer.summary);
    gridStale = true;
  } catch (error) {
    // A group gone meanwhile (a newer run) has nothing to mark.
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
}

/** n: the next group not reviewed yet (after the one shown or focused), within the filters. */
async function nextUnreviewed() {
  const after = view === 'group' ? group.number : grid.focusedNumber;
  /** @type {{ number: number | null }} */
  const answer = await get('next', after === null ? filter : { ...filter, after });
  if (answer.number === null) return toast('Every group here is reviewed');
  go(`#/group/${answer.number}`);
}

/** @param {'grid' | 'group'} next */
function setView(next) {
  view = next;
  document.body.classList.toggle('in-group', next === 'group');
  $('grid-view').hidden = next !== 'grid';
  $('group-view').hidden = next !== 'group';
  $('keys').replaceChildren(...keyFooter(next));
  if (next === 'group') window.scrollTo({ top: 0 });
}

/** @param {Summary} s */
function showSummary(s) {
  summary = s;
  const when = s.run.finishedAt.slice(0, 16).replace('T', ' ');
  $('run-info').textContent =
    `Run of ${when} · ${mediaCount(s.photos, s.clips)} in ${s.groups} group${s.groups === 1 ? '' : 's'} · ${s.reviewed} reviewed${s.changed ? ` · ${s.changed} changed by you` : ''}`;
  // After the view has what it asked for: the count is a second request, not worth waiting on.
  window.clearTimeout(pendingTimer);
  pendingTimer = window.setTimeout(() => showPending(s).catch(showError), PENDING_DELAY_MS);
  for (const el of document.querySelectorAll('[data-count]')) {
    const kind = /** @type {HTMLElement} */ (el).dataset.count;
    el.textContent = String(kind === 'all' ? s.groups : s.byKind[/** @type {keyof Summary['byKind']} */ (kind)]);
  }
  $('run-info').title = s.run.output === null ? s.run.source : `${s.run.source} → ${s.run.output}`;
  const undoButton = byId('undo', HTMLButtonElement);
  undoButton.disabled = s.lastDecision === null;
  undoButton.title = s.lastDecision ? `Undo: ${s.lastDecision} (u)` : 'Nothing to undo';
}

/** Changes in quick succession ask for the pending count once. */
const PENDING_DELAY_MS = 400;
let pendingTimer = 0;

/**
 * The Apply button counts what applying would change (nothing to count before any decision).
 * @param {Summary} s
 */
async function showPending(s) {
  const button = byId('apply', HTMLButtonElement);
  if (s.decisions === 0) {
    button.textContent = 'Apply…';
    return;
  }
  /** @type {ApplyPreview} */
  const preview = await get('apply');
  const n = preview.sections.reduce((count, section) => count + section.items.length, 0);
  button.textContent = n === 0 ? 'Apply…' : `Apply ${n}…`;
  button.title = n === 0 ? 'Nothing to apply' : `${n} ${n === 1 ? 'change' : 'changes'} to apply`;
}

async function checkForNewRun() {
  const shownRun = summary?.run.id;
  /** @type {Summary} */
  const s = await get('summary');
  showSummary(s);
  if (s.run.id === shownRun) return;
  toast('A newer run has finished: showing its groups');
  gridStale = true;
  if (view === 'group' && group.number !== null) await showGroup(group.number, { select: 'best' });
  else await route();
}

/** Takes back the newest decision; a failure is shown, never thrown. */
async function undo() {
  if (!summary?.lastDecision) return toast('Nothing to undo');
  try {
    /** @type {Changed} */
    const outcome = await post('undo');
    showSummary(outcome.summary);
    toast(outcome.message);
    if (view === 'group' && outcome.focus !== null) {
      if (outcome.focus !== group.number) history.replaceState(null, '', `#/group/${outcome.focus}`);
      gridStale = true;
      await showGroup(outcome.focus, { select: group.selected });
    } else {
      await grid.reset(filter, { atLeast: grid.cards.length, focusNumber: outcome.focus });
    }
  } catch (error) {
    showError(error);
  }
}

async function apply() {
  const dialog = byId('apply-dialog', HTMLDialogElement);
  const body = $('apply-body');
  const confirm = byId('apply-confirm', HTMLButtonElement);
  /** @type {ApplyPreview} */
  let preview;
  try {
    preview = await get('apply');
  } catch (error) {
    return showError(error);
  }
  const n = preview.sections.reduce((count, section) => count + section.items.length, 0);
  confirm.hidden = n === 0;
  confirm.textContent = `Apply ${n} ${n === 1 ? 'change' : 'changes'}`;
  const where = summary === null ? 'the output' : (summary.run.output ?? summary.run.source);
  body.replaceChildren(
    ...(n === 0
      ? [h('p', {}, `Nothing to apply: ${where} already shows every decision.`)]
      : preview.sections
          .filter((section) => section.items.length > 0)
          .flatMap((section) => [
            h('p', {}, section.intro),
            h('ul', {}, ...section.items.map((item) => h('li', {}, item.label === null ? null : h('b', {}, item.label), item.text))),
          ])),
  );
  dialog.returnValue = '';
  dialog.showModal();
  confirm.focus();
  /** @type {string} */
  const answer = await new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue), { once: true }));
  restoreFocus();
  if (answer !== 'apply') return;
  try {
    /** @type {ApplyOutcome} */
    const result = await post('apply', { confirm: true });
    if (result.failed.length > 0) toast(`Applied with ${result.failed.length} problems: ${result.failed[0]}`, { error: true });
    else toast(result.message);
    showSummary(await get('summary'));
  } catch (error) {
    showError(error);
  }
}

/** Keyboard focus back on the selected photo or card (after a dialog took it). */
function restoreFocus() {
  if (view === 'group') group.select(group.selected);
  else grid.setFocus(grid.focus);
}

/** The ? overlay, listing the keys of the view shown first. */
function showKeys() {
  toggleKeys(group.viewer.isOpen ? 'viewer' : view);
}

/** @param {KeyboardEvent} event */
function onKey(event) {
  if (byId('apply-dialog', HTMLDialogElement).open || byId('help', HTMLDialogElement).open) return;
  if (event.altKey || event.metaKey) return;
  const key = event.key;
  if (event.ctrlKey) {
    if (key === 'z') {
      event.preventDefault();
      undo().catch(showError);
    }
    return;
  }
  if (key === '?') {
    event.preventDefault();
    return showKeys();
  }
  if (group.viewer.isOpen) {
    if (viewerKey(event)) event.preventDefault();
    return;
  }
  const field = event.target instanceof Element && event.target.closest('input, select, textarea');
  if (field && key !== 'Escape') return;
  const handled = view === 'grid' ? gridKey(key) : groupKey(key);
  if (handled) event.preventDefault();
}

/**
 * @param {string} key
 * @returns {boolean} whether the key did something
 */
function gridKey(key) {
  switch (key) {
    case 'ArrowRight':
      grid.move(1, 0);
      return true;
    case 'ArrowLeft':
      grid.move(-1, 0);
      return true;
    case 'ArrowDown':
      grid.move(0, 1);
      return true;
    case 'ArrowUp':
      grid.move(0, -1);
      return true;
    case 'Enter':
    case ' ':
      grid.openFocused();
      return true;
    case 'n':
      nextUnreviewed().catch(showError);
      return true;
    case 'u':
      undo().catch(showError);
      return true;
    default:
      return false;
  }
}

/**
 * @param {string} key
 * @returns {boolean} whether the key did something
 */
function groupKey(key) {
  switch (key) {
    case 'ArrowRight':
      group.move(1);
      return true;
    case 'ArrowLeft':
      group.move(-1);
      return true;
    case 'ArrowDown':
    case 'PageDown':
      group.step(1);
      return true;
    case 'ArrowUp':
    case 'PageUp':
      group.step(-1);
      return true;
    case ' ':
      group.pick().catch(showError);
      return true;
    case 'x':
      group.exclude().catch(showError);
      return true;
    case 'k':
      group.keep().catch(showError);
      return true;
    case 's':
      group.split().catch(showError);
      return true;
    case 'm':
      group.merge().catch(showError);
      return true;
    case 'u':
      undo().catch(showError);
      return true;
    case 'c':
      group.toggleMark(group.selected);
      return true;
    case 'n':
      nextUnreviewed().catch(showError);
      return true;
    case 'Enter':
    case 'z':
      group.look();
      return true;
    case 'Escape':
      go('#/');
      return true;
    default:
      return false;
  }
}

/**
 * @param {KeyboardEvent} event
 * @returns {boolean} whether the key did something
 */
function viewerKey(event) {
  switch (event.key) {
    case 'Escape':
      group.viewer.close();
      group.select(group.selected);
      return true;
    case ' ':
      group.pick().catch(showError);
      return true;
    case 'k':
      group.keep().catch(showError);
      return true;
    case 'u':
      undo().catch(showError);
      return true;
    default:
      return group.viewer.key(event);
  }
}

/** @param {unknown} error */
function showError(error) {
  console.error(error);
  toast(error instanceof Error ? error.message : String(error), { error: true });
}
