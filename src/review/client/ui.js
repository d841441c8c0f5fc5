// @ts-check
// Small DOM helpers shared by the views: element building, the toast, lazy pictures.

/**
 * The page's element with this id, checked to be a `type` (index.html and the scripts ship
 * together, so a missing one is a broken page: it throws rather than carrying a null around).
 * @template {HTMLElement} E
 * @param {string} id
 * @param {{ new (): E; readonly prototype: E }} type
 * @returns {E}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`The page has no ${type.name} with id "${id}"`);
  return el;
}

/**
 * Attributes for h(): `class`, `dataset` and `style` are special, `on<event>` become listeners, any
 * other is set as an attribute (true: present; false, null or undefined: absent).
 * @typedef {{
 *   class?: string;
 *   dataset?: Record<string, string | number>;
 *   style?: Record<string, string>;
 *   onclick?: (event: MouseEvent) => void;
 *   [attribute: string]: unknown;
 * }} Attrs
 */

/** @typedef {Node | string | number | null | undefined | false} Child */

/**
 * h('div', { class: 'card', dataset: { n: 3 } }, 'text', child) → an element. `on*` attributes
 * become listeners; `style` takes an object of CSS properties (set through the CSSOM, which the
 * page's Content-Security-Policy allows).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | readonly Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style')
      for (const [p, v] of Object.entries(/** @type {Record<string, string>} */ (value))) el.style.setProperty(p, v);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** @typedef {{ readonly x: number; readonly y: number }} Point */

let toastTimer = 0;

/**
 * A short message at the bottom; errors stay longer.
 * @param {string} message
 * @param {{ error?: boolean }} [options]
 */
export function toast(message, { error = false } = {}) {
  const el = byId('toast', HTMLElement);
  el.textContent = message;
  el.classList.toggle('error', error);
  el.hidden = false;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(
    () => {
      el.hidden = true;
    },
    error ? 6000 : 3500,
  );
}

/**
 * Loads an image once its element comes near the viewport (one observer for the whole page): an
 * <img>'s data-src, or an element's data-background (a CSS background, which browsers otherwise
 * load at once however far down the page it is).
 */
const lazy = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const el = entry.target;
      lazy.unobserve(el);
      if (!(el instanceof HTMLElement)) continue;
      if (el.dataset.src && el instanceof HTMLImageElement) el.src = el.dataset.src;
      if (el.dataset.background) el.style.setProperty('background-image', `url("${el.dataset.background}")`);
    }
  },
  { rootMargin: '400px 0px' },
);

/**
 * @param {HTMLImageElement} img with its address in data-src
 * @returns {HTMLImageElement}
 */
export function lazyImage(img) {
  img.addEventListener('load', () => img.classList.add('loaded'), { once: true });
  lazy.observe(img);
  return img;
}

/**
 * @template {HTMLElement} E
 * @param {E} el
 * @param {string} url
 * @returns {E}
 */
export function lazyBackground(el, url) {
  el.dataset.background = url;
  lazy.observe(el);
  return el;
}

/** @param {Element} img */
export function forgetLazy(img) {
  lazy.unobserve(img);
}

/**
 * "4.2 MB"
 * @param {number} n bytes
 */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * "3 photos", "1 clip", "3 photos and 2 clips" (core/clips.ts's mediaCount, for the page).
 * @param {number} total items, clips included
 * @param {number} clips
 */
export function mediaCount(total, clips) {
  /** @param {number} n @param {string} one */
  const words = (n, one) => `${n} ${one}${n === 1 ? '' : 's'}`;
  const photos = total - clips;
  if (clips === 0) return words(photos, 'photo');
  return photos === 0 ? words(clips, 'clip') : `${words(photos, 'photo')} and ${words(clips, 'clip')}`;
}
