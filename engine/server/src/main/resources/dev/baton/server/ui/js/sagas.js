// The saga list: filters, sort and the cursor live in the URL (#/sagas?status=PENDING&pendingState=...), so a view can
// be shared; live refresh re-reads the same page and keeps the focus where it was. Time ranges are typed in the
// browser's local time and kept in the URL as ISO-8601 instants (UTC), as the API takes them, so a shared link means
// the same instants in every time zone.

import {h, replace, badge, time, dur} from './dom.js';
import {get} from './api.js';
import {link, href} from './ui.js';

const STATUSES = ['RUNNING', 'PENDING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'];
const STUCK = [['', 'any time'], ['PT1M', '1 minute'], ['PT5M', '5 minutes'], ['PT15M', '15 minutes'], ['PT1H', '1 hour'],
  ['P1D', '1 day']];
const SORTS = [['', 'Newest first'], ['oldest', 'Oldest first']];
const RANGES = [['createdFrom', 'Created from'], ['createdTo', 'Created before'], ['updatedFrom', 'Updated from'],
  ['updatedTo', 'Updated before']];
const FILTERS = ['type', 'status', 'pendingState', 'businessKey', 'stuckFor', ...RANGES.map(([name]) => name), 'sort',
  'limit'];

/** An ISO-8601 instant as a datetime-local value in the browser's time zone, to the second; '' when not one. */
function localInput(iso) {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return '';
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${
    p(d.getSeconds())}`;
}

/** True when the URL asks for oldest first (the API reads sort case-insensitively; newest first is the default). */
function oldestFirst(params) {
  return (params.sort || '').toLowerCase() === 'oldest';
}

/** A datetime-local value (the browser's local time) as an ISO-8601 instant; '' when empty or not a time. */
function instant(local) {
  const d = local ? new Date(local) : null;
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}

export async function render(main, params) {
  const [defs, stats] = await Promise.all([get('/api/definitions'), get('/api/stats')]);
  const types = defs.items.map(d => d.type);
  const states = Object.keys(stats.pendingByState || {}).sort();
  for (const d of defs.items) for (const st of d.steps) if (st.park && !states.includes(st.park.state)) states.push(st.park.state);

  const field = (name, label, control) => h('label', {for: `f-${name}`}, label, control);
  const select = (name, options, value) => h('select', {id: `f-${name}`, name},
    options.map(([v, l]) => h('option', {value: v, selected: v === (value || '')}, l)));
  const form = h('form', {class: 'filters', id: 'saga-filters', role: 'search'},
    field('type', 'Type', select('type', [['', 'any'], ...types.map(t => [t, t])], params.type)),
    field('status', 'Status', select('status', [['', 'any'], ...STATUSES.map(t => [t, t])], params.status)),
    field('pendingState', 'Pending state', select('pendingState', [['', 'any'], ...states.map(t => [t, t])],
      params.pendingState)),
    field('businessKey', 'Business key', h('input', {id: 'f-businessKey', name: 'businessKey', value: params.businessKey || ''})),
    field('stuckFor', 'Unchanged for at least', select('stuckFor', STUCK, params.stuckFor)),
    RANGES.map(([name, label]) => field(name, label, h('input', {id: `f-${name}`, name, type: 'datetime-local', step: 1,
      value: localInput(params[name]), 'aria-describedby': 'f-zone'}))),
    field('sort', 'Sort', select('sort', SORTS, oldestFirst(params) ? 'oldest' : '')),
    field('limit', 'Per page', select('limit', [['', '50'], ['20', '20'], ['100', '100'], ['500', '500']], params.limit)),
    h('button', {type: 'submit', class: 'primary'}, 'Apply'),
    h('a', {href: '#/sagas', class: 'button'}, 'Clear'),
    h('p', {id: 'f-zone', class: 'muted zone'}, `Times are in this browser's time zone (${
      Intl.DateTimeFormat().resolvedOptions().timeZone || 'local'}).`));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    const q = {};
    for (const f of FILTERS) q[f] = form.elements[f].value.trim();
    for (const [name] of RANGES) {
      // a time left as shown keeps the URL's instant (which may be finer than the second the input shows)
      q[name] = q[name] && q[name] === localInput(params[name]) ? params[name] : instant(q[name]);
    }
    location.hash = href('/sagas', q);
  });

  const results = h('div', {id: 'saga-results'});
  replace(main, h('h1', {}, 'Sagas'), form, results);
  await fill(results, params, () => true);
  return still => fill(results, params, still);
}

async function fill(results, params, still) {
  const q = {};
  for (const f of [...FILTERS, 'cursor']) q[f] = params[f];
  const page = await get('/api/sagas', q);
  if (!still()) return;
  const focused = document.activeElement && results.contains(document.activeElement)
    ? document.activeElement.getAttribute('href') || document.activeElement.id : null;
  const now = Date.now();
  const rows = page.items.map(s => [
    link(`/sagas/${encodeURIComponent(s.id)}`, {}, h('code', {}, s.id)),
    s.type, badge(s.status), s.pendingState || '', s.currentStep || '', s.businessKey || '',
    s.reason ? h('span', {title: s.reason}, s.reason.length > 60 ? `${s.reason.slice(0, 60)}…` : s.reason) : '',
    time(s.createdAt), time(s.updatedAt), dur(now - Date.parse(s.updatedAt))]);
  const heads = [['Id'], ['Type'], ['Status'], ['Pending state'], ['Step'], ['Business key'], ['Reason'], ['Created'],
    ['Updated'], ['Unchanged for', true]];
  const order = oldestFirst(params) ? 'oldest first' : 'newest first';
  const pager = h('div', {class: 'pager'},
    h('span', {class: 'muted', id: 'saga-count'}, `${page.items.length} on this page`),
    params.cursor ? link('/sagas', {...params, cursor: ''}, 'First page') : '',
    page.nextCursor ? link('/sagas', {...params, cursor: page.nextCursor}, 'Next page') : '');
  const body = page.items.length
    ? h('table', {id: 'saga-table'},
      h('caption', {class: 'sr-only', id: 'saga-caption'}, `Sagas matching the filters, ${order}`),
      h('thead', {}, h('tr', {}, heads.map(([l, n]) => h('th', {scope: 'col', class: n ? 'num' : null}, l)))),
      h('tbody', {}, rows.map((r, i) => h('tr', {dataset: {id: page.items[i].id, status: page.items[i].status}},
        r.map((c, j) => h('td', {class: heads[j][1] ? 'num' : null}, c))))))
    : h('p', {id: 'saga-empty'}, 'No saga matches these filters.');
  replace(results, pager, body);
  if (focused) {
    const again = [...results.querySelectorAll('a')].find(a => a.getAttribute('href') === focused);
    if (again) again.focus();
  }
}
