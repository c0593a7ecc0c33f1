// Small DOM helpers: elements are built with h(), never from HTML strings, so data from the API is always text.

const SVG_NS = 'http://www.w3.org/2000/svg';

/** h('a', {href: '#/x', class: 'c'}, 'text', child, [more]) → an element; attributes that are null or false are left out. */
export function h(tag, attrs = {}, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** As h(), in the SVG namespace. */
export function s(tag, attrs = {}, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A status badge, coloured by status. */
export function badge(status) {
  return status ? h('span', {class: `badge s-${status}`}, status) : '';
}

/** A short local time "12:03:04", with the full instant as a tooltip. */
export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return h('time', {datetime: iso, title: iso}, d.toLocaleTimeString([], {hour12: false}));
}

/** "3 s", "4 min 5 s", "2 h 1 min" from milliseconds. */
export function dur(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10000) return `${(ms / 1000).toFixed(1)} s`;
  const sec = Math.round(ms / 1000);
  if (sec < 60) return `${sec} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${sec % 60} s`;
  if (sec < 86400) return `${Math.floor(sec / 3600)} h ${Math.floor(sec % 3600 / 60)} min`;
  return `${Math.floor(sec / 86400)} d ${Math.floor(sec % 86400 / 3600)} h`;
}

/** Milliseconds of an ISO-8601 duration as Java writes it (PT1H2M3.5S, P2D). */
export function isoMs(iso) {
  if (!iso) return null;
  const m = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!m) return null;
  const ms = (((+(m[2] || 0) * 24 + +(m[3] || 0)) * 60 + +(m[4] || 0)) * 60 + +(m[5] || 0)) * 1000;
  return m[1] ? -ms : ms;
}

/** A table: heads is a list of [label, numeric?]; rows a list of lists of cells. */
export function table(heads, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, heads.map(([label, num]) => h('th', {scope: 'col', class: num ? 'num' : null}, label)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map((c, i) => h('td', {class: heads[i] && heads[i][1] ? 'num' : null}, c))))));
}

/** Shows a short message in the corner for a few seconds. */
export function toast(message) {
  const t = document.getElementById('toast');
  replace(t, message);
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => replace(t), 6000);
}
