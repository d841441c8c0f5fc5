// @ts-check
// The group view: every frame side by side with its score, reason and faces; one frame selected
// (arrows), the changes (pick, take out, split, merge) sent to the server as decisions.

import { ApiError, get, imageUrl, madeUrl, post } from './api.js';
import { breakdown } from './breakdown.js';
import { conflictBanner } from './conflicts.js';
import { frameMedia, pct } from './frame-media.js';
import { peopleRows } from './people.js';
import { byId, bytes, h, mediaCount, toast } from './ui.js';
import { Viewer } from './viewer.js';

/** @typedef {import('./api.js').Filter} Filter */
/** @typedef {import('./ui.js').Point} Point */
/** @typedef {import('../view.js').GroupDetail} GroupDetail */
/** @typedef {import('../view.js').FrameView} FrameView */
/** @typedef {import('../view.js').FaceMark} FaceMark */
/** @typedef {import('../view.js').MadeFileView} MadeFileView */
/** @typedef {import('../view.js').EyeState} EyeState */
/** @typedef {import('./viewer.js').Shown} Shown */
/** @typedef {import('../session.js').ChangeRequest} ChangeRequest */
/** What POST changes and POST undo answer: the outcome and the new summary. */
/** @typedef {import('../session.js').ChangeOutcome & { readonly summary: import('../session.js').Summary }} Changed */
/** The frame to select after showing a group: its index, or the best one. */
/** @typedef {number | 'best'} Selection */

export class GroupView {
  /**
   * @param {{ onChanged: (outcome: Changed, options: { select: Selection }) => Promise<void> }} hooks
   */
  constructor({ onChanged }) {
    this.onChanged = onChanged;
    /** @type {GroupDetail | null} */
    this.detail = null;
    this.selected = 0;
    this.busy = false;
    /** Ids of the frames marked for the compare view, in the order marked. */
    /** @type {number[]} */
    this.marked = [];
    this.viewer = new Viewer({ onActive: (i) => this.select(i, false) });
    this.el = {
      name: byId('group-name', HTMLElement),
      meta: byId('group-meta', HTMLElement),
      position: byId('group-position', HTMLElement),
      prev: byId('prev-group', HTMLButtonElement),
      next: byId('next-group', HTMLButtonElement),
      frames: byId('frames', HTMLElement),
      people: byId('people', HTMLElement),
      history: byId('history', HTMLElement),
      made: byId('made', HTMLElement),
      conflicts: byId('conflicts', HTMLElement),
      pick: byId('do-pick', HTMLButtonElement),
      exclude: byId('do-exclude', HTMLButtonElement),
      keep: byId('do-keep', HTMLButtonElement),
      split: byId('do-split', HTMLButtonElement),
      merge: byId('do-merge', HTMLButtonElement),
      view: byId('do-view', HTMLButtonElement),
      viewLabel: byId('do-view-label', HTMLElement),
    };
    this.el.prev.addEventListener('click', () => this.step(-1));
    this.el.next.addEventListener('click', () => this.step(1));
    this.el.pick.addEventListener('click', () => this.pick().catch(reportError));
    this.el.exclude.addEventListener('click', () => this.exclude().catch(reportError));
    this.el.keep.addEventListener('click', () => this.keep().catch(reportError));
    this.el.split.addEventListener('click', () => this.split().catch(reportError));
    this.el.merge.addEventListener('click', () => this.merge().catch(reportError));
    this.el.view.addEventListener('click', () => this.look());
  }

  /** The group shown: the actions below are only reachable while there is one. */
  get current() {
    if (this.detail === null) throw new Error('No group is shown');
    return this.detail;
  }

  /** The selected frame of the group shown. */
  get frameSelected() {
    const f = this.current.frames[this.selected];
    if (f === undefined) throw new Error(`The group has no frame ${this.selected}`);
    return f;
  }

  get number() {
    return this.detail?.number ?? null;
  }

  /**
   * Loads and shows group `number`; `select` is the frame to select (index, or 'best').
   * @param {number} number
   * @param {Filter} filter
   * @param {{ select?: Selection }} [options]
   * @returns {Promise<boolean>} false when there is no such group (any more)
   */
  async show(number, filter, { select = 'best' } = {}) {
    /** @type {GroupDetail} */
    let detail;
    try {
      detail = await get(`groups/${number}`, filter);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return false;
      throw error;
    }
    if (this.detail?.number !== detail.number) this.marked = [];
    this.detail = detail;
    this.marked = this.marked.filter((id) => detail.frames.some((f) => f.id === id));
    const best = detail.frames.findIndex((f) => f.isBest);
    this.selected = select === 'best' ? Math.max(0, best) : Math.max(0, Math.min(select, detail.frames.length - 1));
    this.render();
    return true;
  }

  render() {
    const d = this.current;
    this.el.name.replaceChildren(d.folder, ' ', h('span', { class: `kind ${d.kind}` }, d.kind));
    this.el.meta.textContent = `${mediaCount(d.frames.length, d.frames.filter((f) => f.clip !== null).length)} · ${d.span}${d.changed ? ' · changed by you' : ''}${d.reviewed ? ' · reviewed' : ''}`;
    this.el.position.textContent = d.index >= 0 ? `${d.index + 1} of ${d.total}` : '';
    this.el.prev.disabled = d.previous === null;
    this.el.next.disabled = d.next === null;
    this.el.merge.disabled = d.next === null;
    this.el.frames.style.setProperty('--n', String(Math.min(d.frames.length, 6)));
    this.el.frames.replaceChildren(...d.frames.map((f, i) => this.frame(f, i)));
    const people = peopleRows(d, {
      onFrame: (i) => this.select(i),
      onFace: (i, at) => {
        this.select(i, false);
        this.zoom(at);
      },
    });
    this.el.people.replaceChildren(...(people === null ? [] : [people]));
    this.el.history.textContent = d.history.length > 0 ? `Your changes here: ${d.history.join('; ')}.` : '';
    this.el.made.replaceChildren(...d.made.map((m) => this.madeTile(m)));
    const banner = conflictBanner(d, (outcome) => this.onChanged(outcome, { select: this.selected }));
    this.el.conflicts.replaceChildren(...(banner === null ? [] : [banner]));
    this.select(this.selected, false);
    this.showMarks();
    this.viewer.update(this.shownItems());
  }

  /**
   * @param {FrameView} f
   * @param {number} i its index in the group
   */
  frame(f, i) {
    const view = imageUrl(f.id, 'view', f.version);
    const ratio = Math.min(2, Math.max(0.6, f.width / Math.max(1, f.height)));
    const picture = h(
      'div',
      {
        class: 'picture',
        style: { '--ratio': ratio.toFixed(4) },
        title: f.clip ? f.name : 'Click to see it at 100 %',
        onclick: (event) => {
          if (f.clip) return this.select(i);
          const box = /** @type {HTMLElement} */ (event.currentTarget).getBoundingClientRect();
          this.select(i);
          this.zoom({ x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height });
        },
      },
      ...frameMedia(f, view),
      f.isBest ? h('span', { class: 'badge' }, 'BEST') : null,
      f.keep ? h('span', { class: 'badge keep' }, 'KEEP') : null,
      h('span', { class: 'ordinal' }, `${i + 1}/${this.current.frames.length}`, f.offset ? h('small', {}, f.offset) : null),
    );
    const facts = [f.time, `${f.width} × ${f.height}`, bytes(f.size), f.format.toUpperCase()].filter(Boolean).join(' · ');
    return h(
      'li',
      {
        class: `frame${f.isBest ? ' best' : ''}${f.keep ? ' keep' : ''}`,
        tabindex: '-1',
        dataset: { id: f.id, index: i },
        'aria-label': `${f.name}${f.isBest ? ', best' : ''}${f.keep ? ', kept' : ''}, score ${f.score.toFixed(2)}`,
        onclick: () => this.select(i),
      },
      h('div', { class: 'picture-ground' }, picture),
      h(
        'div',
        { class: 'body' },
        h(
          'div',
          { class: 'name-row' },
          h('div', { class: 'name', title: f.relativePath }, f.name),
          h(
            'button',
            {
              type: 'button',
              class: 'mark-compare',
              'aria-pressed': 'false',
              title: 'Mark for the side-by-side compare (c)',
              onclick: (/** @type {MouseEvent} */ event) => {
                event.stopPropagation();
                this.toggleMark(i);
              },
            },
            'Compare',
          ),
        ),
        folderOf(f) ? h('div', { class: 'dir', title: f.relativePath }, h('bdi', {}, folderOf(f))) : null,
        h('div', { class: 'meta' }, facts),
        f.exif.length > 0 ? h('div', { class: 'exif', 'aria-label': 'Camera settings' }, ...f.exif.map((x) => h('span', {}, x))) : null,
        h(
          'div',
          { class: 'score', tabindex: '0', 'aria-describedby': `breakdown-${f.id}` },
          h('span', {}, `Score ${f.score.toFixed(2)}`),
          h('div', { class: 'bar' }, h('span', { style: { width: pct(f.score) } })),
          breakdown(f),
        ),
        h('p', { class: 'reason' }, f.reason),
      ),
    );
  }

  /**
   * A file made for the group (its HDR merge or face swap), as written in the output folder; click for 100 %.
   * @param {MadeFileView} m
   */
  madeTile(m) {
    const number = this.current.number;
    /** @type {Shown} */
    const shown = {
      key: `made-${m.name}`,
      name: m.name,
      caption: m.label,
      width: m.width,
      height: m.height,
      previewUrl: madeUrl(number, m.kind, 'view', m.version),
      previewSide: previewSide(m),
      fullUrl: madeUrl(number, m.kind, 'full', m.version),
      best: false,
    };
    const open = () => this.viewer.open([shown], [0]);
    return h(
      'figure',
      { class: 'made-file' },
      h(
        'button',
        { type: 'button', class: 'made-picture', title: 'Click to see it at 100 %', onclick: open },
        h('img', { src: madeUrl(number, m.kind, 'grid', m.version), alt: m.label, loading: 'lazy', decoding: 'async' }),
      ),
      h('figcaption', {}, h('b', {}, m.name), ` · ${m.label} · ${m.width} × ${m.height}`),
    );
  }

  /**
   * Selects frame `i` (clamped) and moves the keyboard focus to it.
   * @param {number} i
   */
  select(i, focus = true) {
    const items = this.el.frames.children;
    if (items.length === 0) return;
    this.selected = Math.max(0, Math.min(i, items.length - 1));
    for (const [k, el] of [...items].entries()) el.classList.toggle('selected', k === this.selected);
    for (const el of this.el.people.querySelectorAll('.col-head, .face-cell'))
      el.classList.toggle('selected', el.classList.contains(`col-${this.selected}`));
    const el = /** @type {HTMLElement} */ (items[this.selected]);
    if (focus) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    this.el.pick.disabled = this.frameSelected.isBest;
    this.el.keep.disabled = this.frameSelected.isBest;
    this.el.keep.lastChild?.replaceWith(this.frameSelected.keep ? ' Don’t keep' : ' Keep too');
    this.el.split.disabled = this.selected === 0;
  }

  /** @param {number} delta frames to the right (negative: left) */
  move(delta) {
    this.select(this.selected + delta);
  }

  /**
   * Goes to the next group (delta > 0) or the previous one, through the address.
   * @param {number} delta
   */
  step(delta) {
    const target = delta < 0 ? this.detail?.previous : this.detail?.next;
    if (target !== null && target !== undefined) location.hash = `#/group/${target}`;
  }

  /**
   * Shows the selected frame at 100 %, centred on `at` (fractions of the picture).
   * @param {Point} at
   */
  zoom(at) {
    this.viewer.open(this.shownItems(), [this.selected], { at });
  }

  /** Enter: the marked frames side by side when two or more are marked, else the selected one at 100 %. */
  look() {
    const ids = this.marked;
    if (ids.length >= 2) {
      const frames = this.current.frames;
      const shown = ids.map((id) => frames.findIndex((f) => f.id === id)).filter((i) => i >= 0);
      this.viewer.open(this.shownItems(), shown);
      this.select(shown[0] ?? this.selected, false);
    } else {
      this.zoom({ x: 0.5, y: 0.5 });
    }
  }

  /**
   * Marks or unmarks frame `i` for the compare view (four at most: the oldest mark gives way).
   * @param {number} i
   */
  toggleMark(i) {
    const f = this.current.frames[i];
    if (f === undefined) return;
    this.marked = this.marked.includes(f.id) ? this.marked.filter((id) => id !== f.id) : [...this.marked, f.id].slice(-4);
    this.showMarks();
  }

  showMarks() {
    for (const el of this.el.frames.children) {
      if (!(el instanceof HTMLElement)) continue;
      const on = this.marked.includes(Number(el.dataset.id));
      el.classList.toggle('marked', on);
      el.querySelector('.mark-compare')?.setAttribute('aria-pressed', String(on));
    }
    const n = this.marked.length;
    this.el.viewLabel.textContent = n >= 2 ? `Compare ${n}` : 'View 100 %';
  }

  /** The group's frames as the viewer shows them. @returns {Shown[]} */
  shownItems() {
    return this.current.frames.map((f) => ({
      key: String(f.id),
      name: f.name,
      caption: [f.offset ?? f.time, `score ${f.score.toFixed(2)}`].filter(Boolean).join(' · '),
      width: f.width,
      height: f.height,
      previewUrl: imageUrl(f.id, 'view', f.version),
      previewSide: previewSide(f),
      fullUrl: imageUrl(f.id, 'full', f.version),
      best: f.isBest,
    }));
  }

  // The four changes below report their own failures (a toast), so callers need not await them.

  async pick() {
    const f = this.frameSelected;
    if (f.isBest) return toast(`${f.name} is already the best`);
    return this.change({ kind: 'pick', group: this.current.number, photo: f.id }, { select: this.selected });
  }

  /** k: keeps the selected photo besides the best, or no longer. */
  async keep() {
    const f = this.frameSelected;
    if (f.isBest) return toast(`${f.name} is the best: it is kept anyway`);
    return this.change({ kind: 'keep', group: this.current.number, photo: f.id, keep: !f.keep }, { select: this.selected });
  }

  async exclude() {
    const f = this.frameSelected;
    return this.change({ kind: 'exclude', group: this.current.number, photo: f.id }, { select: this.selected });
  }

  async split() {
    if (this.selected === 0) return toast('Select a later photo: it and the ones after it become a new group');
    const f = this.frameSelected;
    return this.change({ kind: 'split', group: this.current.number, photo: f.id }, { select: 0 });
  }

  async merge() {
    const { number, next } = this.current;
    if (next === null) return toast('There is no next group to merge with');
    return this.change({ kind: 'merge', group: number, with: next }, { select: this.selected });
  }

  /**
   * Sends a change; a failure is shown, never thrown.
   * @param {ChangeRequest} request
   * @param {{ select: Selection }} options the frame to select once the group is shown again
   */
  async change(request, { select }) {
    if (this.busy) return;
    this.busy = true;
    try {
      /** @type {Changed} */
      const outcome = await post('changes', request);
      toast(`${outcome.message} · u to undo`);
      await this.onChanged(outcome, { select });
    } catch (error) {
      toast(error instanceof Error ? error.message : String(error), { error: true });
    } finally {
      this.busy = false;
    }
  }
}

/** Long side of the large view the server makes (review/images.ts). */
const VIEW_SIDE = 1600;

/**
 * Width in pixels of a picture's large view.
 * @param {{ width: number; height: number }} size
 */
function previewSide({ width, height }) {
  return Math.min(width, (VIEW_SIDE * width) / Math.max(width, height, 1));
}

/**
 * "2024/Party/" of "2024/Party/IMG_1.JPG"; '' for a photo at the top of the source folder.
 * @param {FrameView} f
 */
function folderOf(f) {
  return f.relativePath.slice(0, f.relativePath.length - f.name.length);
}
