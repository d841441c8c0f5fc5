// @ts-check
// The group view: every frame side by side with its score, reason and faces; one frame selected
// (arrows), the changes (pick, take out, split, merge) sent to the server as decisions.

import { ApiError, get, imageUrl, madeUrl, post } from './api.js';
import { byId, bytes, h, lazyBackground, openZoom, toast } from './ui.js';

/** @typedef {import('./api.js').Filter} Filter */
/** @typedef {import('./ui.js').Point} Point */
/** @typedef {import('../view.js').GroupDetail} GroupDetail */
/** @typedef {import('../view.js').FrameView} FrameView */
/** @typedef {import('../view.js').FaceMark} FaceMark */
/** @typedef {import('../view.js').MadeFileView} MadeFileView */
/** @typedef {import('../view.js').EyeState} EyeState */
/** @typedef {import('../session.js').ChangeRequest} ChangeRequest */
/** What POST changes and POST undo answer: the outcome and the new summary. */
/** @typedef {import('../session.js').ChangeOutcome & { readonly summary: import('../session.js').Summary }} Changed */
/** The frame to select after showing a group: its index, or the best one. */
/** @typedef {number | 'best'} Selection */

/** @type {Record<EyeState, string>} */
const EYES = { open: 'eyes open', narrowed: 'eyes half-closed', closed: 'eyes closed' };
/** @type {Record<EyeState, string>} */
const EYE_MARK = { open: 'open', narrowed: 'half', closed: 'closed' };

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
    this.el = {
      name: byId('group-name', HTMLElement),
      meta: byId('group-meta', HTMLElement),
      position: byId('group-position', HTMLElement),
      prev: byId('prev-group', HTMLButtonElement),
      next: byId('next-group', HTMLButtonElement),
      frames: byId('frames', HTMLElement),
      history: byId('history', HTMLElement),
      made: byId('made', HTMLElement),
      pick: byId('do-pick', HTMLButtonElement),
      exclude: byId('do-exclude', HTMLButtonElement),
      split: byId('do-split', HTMLButtonElement),
      merge: byId('do-merge', HTMLButtonElement),
    };
    this.el.prev.addEventListener('click', () => this.step(-1));
    this.el.next.addEventListener('click', () => this.step(1));
    this.el.pick.addEventListener('click', () => this.pick().catch(reportError));
    this.el.exclude.addEventListener('click', () => this.exclude().catch(reportError));
    this.el.split.addEventListener('click', () => this.split().catch(reportError));
    this.el.merge.addEventListener('click', () => this.merge().catch(reportError));
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
    this.detail = detail;
    const best = detail.frames.findIndex((f) => f.isBest);
    this.selected = select === 'best' ? Math.max(0, best) : Math.max(0, Math.min(select, detail.frames.length - 1));
    this.render();
    return true;
  }

  render() {
    const d = this.current;
    this.el.name.replaceChildren(d.folder, ' ', h('span', { class: `kind ${d.kind}` }, d.kind));
    this.el.meta.textContent = `${d.frames.length} photos · ${d.span}${d.changed ? ' · changed by you' : ''}`;
    this.el.position.textContent = d.index >= 0 ? `${d.index + 1} of ${d.total}` : '';
    this.el.prev.disabled = d.previous === null;
    this.el.next.disabled = d.next === null;
    this.el.merge.disabled = d.next === null;
    this.el.frames.style.setProperty('--n', String(Math.min(d.frames.length, 6)));
    this.el.frames.replaceChildren(...d.frames.map((f, i) => this.frame(f, i)));
    this.el.history.textContent = d.history.length > 0 ? `Your changes here: ${d.history.join('; ')}.` : '';
    this.el.made.replaceChildren(...d.made.map((m) => this.madeTile(m)));
    this.select(this.selected, false);
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
        title: 'Click to see it at 100 %',
        onclick: (event) => {
          const box = /** @type {HTMLElement} */ (event.currentTarget).getBoundingClientRect();
          this.select(i);
          this.zoom({ x: (event.clientX - box.left) / box.width, y: (event.clientY - box.top) / box.height });
        },
      },
      h('img', { src: view, alt: f.name, loading: 'lazy', decoding: 'async' }),
      f.isBest ? h('span', { class: 'badge' }, 'BEST') : null,
      h('span', { class: 'ordinal' }, `${i + 1}/${this.current.frames.length}`, f.offset ? h('small', {}, f.offset) : null),
      ...f.faces.map((face) =>
        h('span', {
          class: `facebox ${face.eyes}`,
          style: { left: pct(face.box.x), top: pct(face.box.y), width: pct(face.box.width), height: pct(face.box.height) },
        }),
      ),
    );
    const facts = [f.time, `${f.width} × ${f.height}`, bytes(f.size), f.format.toUpperCase()].filter(Boolean).join(' · ');
    return h(
      'li',
      {
        class: `frame${f.isBest ? ' best' : ''}`,
        tabindex: '-1',
        dataset: { id: f.id, index: i },
        'aria-label': `${f.name}${f.isBest ? ', best' : ''}, score ${f.score.toFixed(2)}`,
        onclick: () => this.select(i),
      },
      h('div', { class: 'picture-ground' }, picture),
      h(
        'div',
        { class: 'body' },
        h('div', { class: 'name', title: f.relativePath }, f.name),
        folderOf(f) ? h('div', { class: 'dir', title: f.relativePath }, h('bdi', {}, folderOf(f))) : null,
        h('div', { class: 'meta' }, facts),
        h(
          'div',
          { class: 'score', title: 'Score within this group (0–1)' },
          h('span', {}, `Score ${f.score.toFixed(2)}`),
          h('div', { class: 'bar' }, h('span', { style: { width: pct(f.score) } })),
        ),
        h('p', { class: 'reason' }, f.reason),
        f.faces.length > 0 ? h('div', { class: 'faces', 'aria-label': 'Faces' }, ...f.faces.map((face) => faceCrop(face, f, view))) : null,
      ),
    );
  }

  /**
   * A file made for the group (its HDR merge), as written in the output folder; click for 100 %.
   * @param {MadeFileView} m
   */
  madeTile(m) {
    const number = this.current.number;
    const open = () =>
      openZoom({
        name: m.name,
        width: m.width,
        height: m.height,
        previewUrl: madeUrl(number, 'view', m.version),
        fullUrl: madeUrl(number, 'full', m.version),
      });
    return h(
      'figure',
      { class: 'made-file' },
      h(
        'button',
        { type: 'button', class: 'made-picture', title: 'Click to see it at 100 %', onclick: open },
        h('img', { src: madeUrl(number, 'grid', m.version), alt: m.label, loading: 'lazy', decoding: 'async' }),
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
    const el = /** @type {HTMLElement} */ (items[this.selected]);
    if (focus) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    }
    this.el.pick.disabled = this.frameSelected.isBest;
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
   * Shows the selected frame at 100 %, centred on `at`.
   * @param {Point} at
   */
  zoom(at) {
    const f = this.frameSelected;
    openZoom({
      name: f.name,
      width: f.width,
      height: f.height,
      previewUrl: imageUrl(f.id, 'view', f.version),
      fullUrl: imageUrl(f.id, 'full', f.version),
      at,
    });
  }

  // The four changes below report their own failures (a toast), so callers need not await them.

  async pick() {
    const f = this.frameSelected;
    if (f.isBest) return toast(`${f.name} is already the best`);
    return this.change({ kind: 'pick', group: this.current.number, photo: f.id }, { select: this.selected });
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

/**
 * A square crop around the face, cut from the large view by CSS background geometry.
 * @param {FaceMark} face
 * @param {FrameView} f
 * @param {string} view the large view's address
 */
function faceCrop(face, f, view) {
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
  return h(
    'div',
    { class: `face ${face.eyes}` },
    lazyBackground(crop, view),
    h(
      'div',
      { class: 'marks' },
      h('span', { class: `mark ${face.eyes}`, title: EYES[face.eyes] }, EYE_MARK[face.eyes]),
      face.smiling ? h('span', { class: 'mark smile', title: `smiling (${Math.round(face.smile * 100)} %)` }, 'smile') : null,
    ),
  );
}

/** @param {number} v a fraction, 0..1 */
const pct = (v) => `${(v * 100).toFixed(3)}%`;

/**
 * "2024/Party/" of "2024/Party/IMG_1.JPG"; '' for a photo at the top of the source folder.
 * @param {FrameView} f
 */
function folderOf(f) {
  return f.relativePath.slice(0, f.relativePath.length - f.name.length);
}
