// @ts-check
// The grid of groups: cards loaded a page at a time as the list scrolls (the API pages them),
// pictures loaded only when a card comes near the screen, and a keyboard focus that arrows move.

import { get, imageUrl } from './api.js';
import { forgetLazy, h, lazyImage, mediaCount } from './ui.js';

/** @typedef {import('./api.js').Filter} Filter */
/** @typedef {import('../view.js').GroupCard} GroupCard */
/** @typedef {import('../view.js').GroupPage} GroupPage */

const PAGE = 60;

export class Grid {
  /**
   * @param {{ list: HTMLElement; status: HTMLElement; sentinel: HTMLElement; onOpen: (number: number) => void }} parts
   */
  constructor({ list, status, sentinel, onOpen }) {
    this.list = list;
    this.status = status;
    this.onOpen = onOpen;
    /** @type {Filter | null} */
    this.filter = null;
    /** @type {GroupCard[]} */
    this.cards = [];
    /** @type {number | null} */
    this.total = null;
    this.focus = 0;
    /** @type {Promise<void> | null} */
    this.loading = null;
    this.generation = 0;
    // More cards when the end of the list comes within a screen of view.
    new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) this.loadMore().catch(reportError);
      },
      { rootMargin: '100% 0px' },
    ).observe(sentinel);
  }

  get done() {
    return this.total !== null && this.cards.length >= this.total;
  }

  /**
   * Starts the list again with `filter`, loading at least `atLeast` cards (to come back to where
   * the user was) and focusing the card of group `focusNumber` when it is among them.
   * @param {Filter} filter
   * @param {{ atLeast?: number; focusNumber?: number | null }} [options]
   */
  async reset(filter, { atLeast = PAGE, focusNumber = null } = {}) {
    this.generation++;
    this.filter = filter;
    for (const img of this.list.querySelectorAll('img')) forgetLazy(img);
    this.list.replaceChildren();
    this.cards = [];
    this.total = null;
    this.loading = null;
    this.status.textContent = 'Loading groups…';
    while (!this.done && this.cards.length < atLeast) await this.loadMore();
    const at = focusNumber === null ? -1 : this.cards.findIndex((c) => c.number === focusNumber);
    this.setFocus(at >= 0 ? at : Math.min(this.focus, Math.max(0, this.cards.length - 1)), at >= 0);
  }

  /**
   * Loads the next page (one request at a time).
   * @returns {Promise<void>}
   */
  loadMore() {
    if (this.done || this.filter === null) return Promise.resolve();
    if (this.loading) return this.loading;
    const generation = this.generation;
    /** @type {Promise<GroupPage>} */
    const answer = get('groups', { ...this.filter, offset: this.cards.length, limit: PAGE });
    this.loading = answer
      .then((page) => {
        if (generation !== this.generation) return;
        this.total = page.total;
        for (const card of page.cards) this.append(card);
        this.showStatus();
      })
      .finally(() => {
        if (generation === this.generation) this.loading = null;
      });
    return this.loading;
  }

  showStatus() {
    const n = this.total ?? 0;
    this.status.textContent =
      n === 0
        ? 'No group matches these filters.'
        : `${n} ${n === 1 ? 'group' : 'groups'}${this.done ? '' : ` · showing ${this.cards.length}`}`;
  }

  /** @param {GroupCard} card */
  append(card) {
    const index = this.cards.length;
    this.cards.push(card);
    const img = lazyImage(
      h('img', {
        alt: `${card.folder}: best ${card.cover.length === null ? 'photo' : 'clip'} ${card.cover.name}`,
        'data-src': imageUrl(card.cover.id, 'grid', card.cover.version),
        decoding: 'async',
      }),
    );
    const li = h(
      'li',
      {
        class: 'card',
        tabindex: '-1',
        dataset: { number: card.number },
        'aria-label': `${card.folder}, ${card.kind}, ${mediaCount(card.count, card.clips)}${card.changed ? ', changed by you' : ''}${card.reviewed ? ', reviewed' : ''}`,
        onclick: () => {
          this.setFocus(index);
          this.onOpen(card.number);
        },
      },
      h(
        'div',
        { class: 'thumb' },
        img,
        card.cover.length === null ? null : h('span', { class: 'length', title: 'Length of the best clip' }, `▶ ${card.cover.length}`),
      ),
      h('span', { class: 'count', title: mediaCount(card.count, card.clips) }, `${card.count}`),
      h(
        'div',
        { class: 'flags' },
        card.changed ? h('span', { class: 'edited' }, 'edited') : null,
        card.reviewed ? h('span', { class: 'reviewed', title: 'Reviewed' }, '✓ reviewed') : null,
        card.closeCall ? h('span', { class: 'close-call', title: 'The best won by a small margin' }, 'close call') : null,
      ),
      h(
        'div',
        { class: 'info' },
        h('div', { class: 'line1' }, h('span', { class: 'folder' }, card.folder), h('span', { class: `kind ${card.kind}` }, card.kind)),
        h(
          'div',
          { class: 'when', title: card.span },
          h('span', {}, card.time ?? 'no capture time'),
          card.duration ? h('span', {}, card.duration) : null,
        ),
      ),
    );
    this.list.append(li);
  }

  /**
   * Moves the keyboard focus to card `wanted` (clamped to the cards shown).
   * @param {number} wanted
   */
  setFocus(wanted, scroll = true) {
    const items = this.list.children;
    if (items.length === 0) return;
    const index = Math.max(0, Math.min(wanted, items.length - 1));
    items[this.focus]?.classList.remove('focused');
    items[this.focus]?.setAttribute('tabindex', '-1');
    this.focus = index;
    const el = /** @type {HTMLElement} */ (items[index]);
    el.classList.add('focused');
    el.setAttribute('tabindex', '0');
    if (scroll) {
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: 'nearest' });
    }
    // Keep a page ahead of the focus, so holding an arrow key never runs into the end.
    if (index > this.cards.length - 12) this.loadMore().catch(reportError);
  }

  /**
   * Moves the focus by columns (dx) and rows (dy).
   * @param {number} dx
   * @param {number} dy
   */
  move(dx, dy) {
    this.setFocus(this.focus + dx + dy * this.columns());
  }

  columns() {
    const items = /** @type {HTMLElement[]} */ ([...this.list.children]);
    const first = items[0];
    if (first === undefined) return 1;
    const top = first.offsetTop;
    const n = items.findIndex((el) => el.offsetTop !== top);
    return n === -1 ? items.length : n;
  }

  openFocused() {
    const card = this.cards[this.focus];
    if (card) this.onOpen(card.number);
  }

  /** Group numbers in list order so far (for the group view's neighbours). */
  get focusedNumber() {
    return this.cards[this.focus]?.number ?? null;
  }
}
