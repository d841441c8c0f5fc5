// Small DOM helpers shared by the views: element building, the toast, the 100 % zoom.

/**
 * h('div', { class: 'card', dataset: { n: 3 } }, 'text', child) → an element. `on*` attributes
 * become listeners; `style` takes an object of CSS properties (set through the CSSOM, which the
 * page's Content-Security-Policy allows).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') for (const [p, v] of Object.entries(value)) el.style.setProperty(p, v);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let toastTimer = 0;

/** A short message at the bottom; errors stay longer. */
export function toast(message, { error = false } = {}) {
  const el = document.getElementById('toast');
  el.textContent = message;
  el.classList.toggle('error', error);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), error ? 6000 : 3500);
}

/**
 * Shows `fullUrl` at 100 % over the page, scrolled so that the point clicked (fractions of the
 * picture, 0..1) is in the middle. The large view is shown scaled up until the full picture loads.
 */
export function openZoom({ name, fullUrl, previewUrl, width, height, at = { x: 0.5, y: 0.5 } }) {
  const zoom = document.getElementById('zoom');
  const scroll = document.getElementById('zoom-scroll');
  const img = document.getElementById('zoom-img');
  document.getElementById('zoom-name').textContent = `${name} · ${width} × ${height}`;
  img.width = width;
  img.height = height;
  img.src = previewUrl;
  const full = new Image();
  full.onload = () => {
    if (!zoom.hidden) img.src = fullUrl;
  };
  full.src = fullUrl;
  zoom.hidden = false;
  requestAnimationFrame(() => {
    scroll.scrollLeft = Math.max(0, at.x * width - scroll.clientWidth / 2);
    scroll.scrollTop = Math.max(0, at.y * height - scroll.clientHeight / 2);
  });
}

export function closeZoom() {
  const zoom = document.getElementById('zoom');
  if (zoom.hidden) return false;
  zoom.hidden = true;
  document.getElementById('zoom-img').removeAttribute('src');
  return true;
}

export function zoomOpen() {
  return !document.getElementById('zoom').hidden;
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
      if (el.dataset.src) el.src = el.dataset.src;
      if (el.dataset.background) el.style.setProperty('background-image', `url("${el.dataset.background}")`);
    }
  },
  { rootMargin: '400px 0px' },
);

export function lazyImage(img) {
  img.addEventListener('load', () => img.classList.add('loaded'), { once: true });
  lazy.observe(img);
  return img;
}

export function lazyBackground(el, url) {
  el.dataset.background = url;
  lazy.observe(el);
  return el;
}

export function forgetLazy(img) {
  lazy.unobserve(img);
}

/** "4.2 MB" */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
