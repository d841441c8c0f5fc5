// @ts-check
// The viewer over the page: one picture (flipped through a group's frames with ←/→ at the same
// zoom and spot) or 2–4 side by side, zoom and pan shared by every pane (wheel, drag, keys), a
// click toggling 100 % at the clicked spot. Every pane shows the same fraction of its picture:
// the view state is a centre (fractions of the picture) and a displayed width (CSS pixels),
// the same for all panes, so frames of a burst line up pixel for pixel.

import { byId, h } from './ui.js';

/**
 * A picture the viewer can show.
 * @typedef {{
 *   key: string;
 *   name: string;
 *   caption: string;
 *   width: number;
 *   height: number;
 *   previewUrl: string;
 *   previewSide: number;
 *   fullUrl: string;
 *   best: boolean;
 * }} Shown
 */

/** @typedef {import('./ui.js').Point} Point */

/** Largest zoom: 8 screen pixels per picture pixel. */
const MAX_ZOOM = 8;
/** Pointer travel (px) below which a press is a click, not a drag. */
const CLICK_SLOP = 4;

export class Viewer {
  /**
   * @param {{ onActive: (index: number) => void }} hooks `index` in the list given to open()
   */
  constructor({ onActive }) {
    this.onActive = onActive;
    this.root = byId('viewer', HTMLElement);
    this.panesEl = byId('viewer-panes', HTMLElement);
    this.title = byId('viewer-title', HTMLElement);
    this.zoomLabel = byId('viewer-zoom', HTMLElement);
    /** @type {Shown[]} */
    this.items = [];
    /** Indices into items, one per pane. */
    /** @type {number[]} */
    this.shown = [];
    this.active = 0;
    /** Centre of the view, fractions of the picture. */
    this.center = { x: 0.5, y: 0.5 };
    /** Displayed width of the pictures in CSS pixels; null: fit the panes. */
    /** @type {number | null} */
    this.width = null;
    /** @type {{ x: number; y: number; moved: number; pane: number } | null} */
    this.drag = null;
    this.panesEl.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.panesEl.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.panesEl.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.panesEl.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.panesEl.addEventListener('pointercancel', () => (this.drag = null));
    byId('viewer-close', HTMLButtonElement).addEventListener('click', () => this.close());
    window.addEventListener('resize', () => this.isOpen && this.layout());
  }

  get isOpen() {
    return !this.root.hidden;
  }

  get compare() {
    return this.shown.length > 1;
  }

  /** The list index of the active pane's picture. */
  get activeIndex() {
    return this.shown[this.active] ?? 0;
  }

  /**
   * Shows items[shown…] side by side; `at` given: at 100 % centred there, else fitted.
   * @param {Shown[]} items
   * @param {number[]} shown indices into items, 1–4
   * @param {{ at?: Point | null }} [options]
   */
  open(items, shown, { at = null } = {}) {
    this.items = items;
    this.shown = shown.slice(0, 4);
    this.active = 0;
    this.center = at ?? { x: 0.5, y: 0.5 };
    this.width = at === null ? null : this.base.width;
    this.root.hidden = false;
    this.root.classList.toggle('compare', this.compare);
    this.panesEl.style.setProperty('--panes', String(this.shown.length));
    this.panesEl.replaceChildren(...this.shown.map((_, p) => this.pane(p)));
    this.fill();
    this.layout();
  }

  /**
   * New facts for the pictures shown (a new best after a pick), matched by key; the view stays.
   * @param {Shown[]} items
   */
  update(items) {
    if (!this.isOpen) return;
    const keys = this.shown.map((i) => this.items[i]?.key);
    const at = keys.map((k) => items.findIndex((x) => x.key === k));
    if (at.some((i) => i < 0)) {
      this.close();
      return;
    }
    this.items = items;
    this.shown = at;
    this.fill();
  }

  close() {
    if (!this.isOpen) return false;
    this.root.hidden = true;
    this.panesEl.replaceChildren();
    return true;
  }

  /** The first pane's picture: its width is the one the displayed width is measured against. */
  get base() {
    const item = this.items[this.shown[0] ?? 0];
    if (item === undefined) throw new Error('The viewer shows nothing');
    return item;
  }

  /** @param {number} p pane position */
  pane(p) {
    return h(
      'div',
      { class: 'pane', dataset: { pane: p } },
      h('img', { alt: '', draggable: 'false', decoding: 'async' }),
      h('div', { class: 'pane-label' }),
    );
  }

  /** Puts each pane's picture and label in (after open, a flip or an update). */
  fill() {
    const panes = [...this.panesEl.children];
    this.shown.forEach((index, p) => {
      const item = this.items[index];
      const pane = panes[p];
      if (item === undefined || !(pane instanceof HTMLElement)) return;
      const img = pane.querySelector('img');
      const label = pane.querySelector('.pane-label');
      if (img === null || label === null) return;
      if (pane.dataset.key !== item.key) {
        pane.dataset.key = item.key;
        img.dataset.full = '';
        img.src = item.previewUrl;
        img.alt = item.name;
      }
      label.replaceChildren(...(item.best ? [h('span', { class: 'badge' }, 'BEST')] : []), h('b', {}, item.name), ` ${item.caption}`);
      pane.classList.toggle('active', this.compare && p === this.active);
    });
    this.title.textContent = this.compare
      ? `Comparing ${this.shown.length} photos`
      : `${this.base.name} · ${this.base.width} × ${this.base.height} · ${this.activeIndex + 1}/${this.items.length}`;
  }

  /** Sizes and places every pane's picture for the current view state. */
  layout() {
    const panes = /** @type {HTMLElement[]} */ ([...this.panesEl.children]);
    const first = panes[0];
    if (first === undefined) return;
    const box = { w: first.clientWidth, h: first.clientHeight };
    const fit = this.fitWidth(box);
    const width = Math.max(this.minWidth(box), Math.min(this.width ?? fit, this.base.width * MAX_ZOOM));
    if (this.width !== null) this.width = width;
    this.center = this.clamp(this.center, width, box);
    panes.forEach((pane, p) => {
      const item = this.items[this.shown[p] ?? -1];
      const img = pane.querySelector('img');
      if (item === undefined || img === null) return;
      const height = (width * item.height) / item.width;
      img.style.width = `${width}px`;
      img.style.height = `${height}px`;
      img.style.transform = `translate(${box.w / 2 - this.center.x * width}px, ${box.h / 2 - this.center.y * height}px)`;
      // From the preview's own size on (a re-encoded copy), the original is loaded and shown once in.
      if (width * devicePixelRatio > item.previewSide * 0.98 && img.dataset.full !== item.fullUrl) {
        img.dataset.full = item.fullUrl;
        const full = new Image();
        full.onload = () => {
          if (pane.dataset.key === item.key) img.src = item.fullUrl;
        };
        full.src = item.fullUrl;
      }
    });
    const percent = Math.round((width / this.base.width) * 100);
    this.zoomLabel.textContent = this.width === null ? `fit (${percent} %)` : `${percent} %`;
  }

  /**
   * The displayed width at which every shown picture fits its pane.
   * @param {{ w: number; h: number }} box
   */
  fitWidth(box) {
    let width = Number.POSITIVE_INFINITY;
    for (const index of this.shown) {
      const item = this.items[index];
      if (item !== undefined) width = Math.min(width, box.w, (box.h * item.width) / item.height);
    }
    return Number.isFinite(width) ? Math.max(1, width) : box.w;
  }

  /**
   * The smallest displayed width: fitted, or 100 % for a picture smaller than the panes.
   * @param {{ w: number; h: number }} box
   */
  minWidth(box) {
    return Math.min(this.fitWidth(box), this.base.width);
  }

  /**
   * Keeps the picture over the pane: centred when smaller than it, else no empty margin.
   * @param {Point} c
   * @param {number} width
   * @param {{ w: number; h: number }} box
   */
  clamp(c, width, box) {
    const height = (width * this.base.height) / this.base.width;
    const axis = (/** @type {number} */ v, /** @type {number} */ size, /** @type {number} */ view) =>
      size <= view ? 0.5 : Math.min(1 - view / 2 / size, Math.max(view / 2 / size, v));
    return { x: axis(c.x, width, box.w), y: axis(c.y, height, box.h) };
  }

  /** @returns {{ w: number; h: number }} */
  get box() {
    const first = /** @type {HTMLElement | undefined} */ (this.panesEl.children[0]);
    return { w: first?.clientWidth ?? 1, h: first?.clientHeight ?? 1 };
  }

  /** The displayed width now (fit resolved). */
  get shownWidth() {
    return this.width ?? this.fitWidth(this.box);
  }

  /**
   * Zooms by `factor` keeping the picture point under `anchor` (pane pixels; default its centre) in place.
   * @param {number} factor
   * @param {{ x: number; y: number } | null} [anchor]
   */
  zoomBy(factor, anchor = null) {
    const box = this.box;
    const old = this.shownWidth;
    const next = Math.max(this.minWidth(box), Math.min(old * factor, this.base.width * MAX_ZOOM));
    const a = anchor ?? { x: box.w / 2, y: box.h / 2 };
    const ratio = this.base.height / this.base.width;
    // The picture point under the anchor, before and after.
    const fx = this.center.x + (a.x - box.w / 2) / old;
    const fy = this.center.y + (a.y - box.h / 2) / (old * ratio);
    this.center = { x: fx - (a.x - box.w / 2) / next, y: fy - (a.y - box.h / 2) / (next * ratio) };
    this.width = next;
    this.layout();
  }

  /** Fit ↔ 100 % at `at` (fractions of the picture). @param {Point} at */
  toggleFull(at) {
    if (this.width === null || Math.abs(this.width - this.base.width) > 0.5) {
      this.center = at;
      this.width = this.base.width;
    } else {
      this.width = null;
    }
    this.layout();
  }

  /**
   * Pans by screen pixels (the picture moves the other way).
   * @param {number} dx
   * @param {number} dy
   */
  panBy(dx, dy) {
    const width = this.shownWidth;
    this.center = { x: this.center.x + dx / width, y: this.center.y + dy / ((width * this.base.height) / this.base.width) };
    if (this.width === null) this.width = width;
    this.layout();
  }

  /**
   * The single view's next or previous picture, at the same zoom and spot.
   * @param {number} delta
   */
  flip(delta) {
    if (this.compare) return;
    const next = Math.max(0, Math.min(this.items.length - 1, this.activeIndex + delta));
    if (next === this.activeIndex) return;
    this.shown = [next];
    this.fill();
    this.layout();
    this.onActive(next);
  }

  /** Compare view: the next pane becomes the active one (the one Space picks). */
  cycle() {
    if (!this.compare) return;
    this.active = (this.active + 1) % this.shown.length;
    this.fill();
    this.onActive(this.activeIndex);
  }

  /**
   * @param {KeyboardEvent} event
   * @returns {boolean} whether the viewer used the key
   */
  key(event) {
    const step = 0.1 * Math.min(this.box.w, this.box.h);
    const pan = this.compare || event.shiftKey;
    switch (event.key) {
      case 'ArrowLeft':
        if (pan) this.panBy(-step, 0);
        else this.flip(-1);
        return true;
      case 'ArrowRight':
        if (pan) this.panBy(step, 0);
        else this.flip(1);
        return true;
      case 'ArrowUp':
        this.panBy(0, -step);
        return true;
      case 'ArrowDown':
        this.panBy(0, step);
        return true;
      case '+':
      case '=':
        this.zoomBy(1.5);
        return true;
      case '-':
        this.zoomBy(1 / 1.5);
        return true;
      case '0':
        this.width = null;
        this.layout();
        return true;
      case 'Enter':
      case 'z':
        this.toggleFull(this.center);
        return true;
      case 'Tab':
        this.cycle();
        return this.compare;
      default:
        return false;
    }
  }

  /** @param {WheelEvent} event */
  onWheel(event) {
    event.preventDefault();
    const at = this.paneAt(event);
    if (at === null) return;
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    this.zoomBy(Math.exp(-delta * 0.002), at.point);
  }

  /** @param {PointerEvent} event */
  onPointerDown(event) {
    const at = this.paneAt(event);
    if (at === null || event.button !== 0) return;
    this.panesEl.setPointerCapture(event.pointerId);
    this.drag = { x: event.clientX, y: event.clientY, moved: 0, pane: at.pane };
  }

  /** @param {PointerEvent} event */
  onPointerMove(event) {
    const d = this.drag;
    if (d === null) return;
    const dx = event.clientX - d.x;
    const dy = event.clientY - d.y;
    d.moved += Math.abs(dx) + Math.abs(dy);
    d.x = event.clientX;
    d.y = event.clientY;
    if (d.moved > CLICK_SLOP) this.panBy(-dx, -dy);
  }

  /** @param {PointerEvent} event */
  onPointerUp(event) {
    const d = this.drag;
    this.drag = null;
    if (d === null || d.moved > CLICK_SLOP) return;
    const at = this.paneAt(event);
    if (at === null) return;
    if (this.compare && at.pane !== this.active) {
      this.active = at.pane;
      this.fill();
      this.onActive(this.activeIndex);
    }
    const box = this.box;
    const width = this.shownWidth;
    this.toggleFull({
      x: this.center.x + (at.point.x - box.w / 2) / width,
      y: this.center.y + (at.point.y - box.h / 2) / ((width * this.base.height) / this.base.width),
    });
  }

  /**
   * The pane under a pointer and the pointer's place in it (pane pixels).
   * @param {MouseEvent} event
   */
  paneAt(event) {
    const panes = /** @type {HTMLElement[]} */ ([...this.panesEl.children]);
    for (const [pane, el] of panes.entries()) {
      const r = el.getBoundingClientRect();
      if (event.clientX >= r.left && event.clientX < r.right && event.clientY >= r.top && event.clientY < r.bottom) {
        return { pane, point: { x: event.clientX - r.left, y: event.clientY - r.top } };
      }
    }
    return null;
  }
}
