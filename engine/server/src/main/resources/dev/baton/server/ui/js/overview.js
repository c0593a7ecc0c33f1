// The overview: counts by type, status and pending state; started and ended per second and latency over the last
// minutes (a series kept in this tab from GET /api/stats and /api/slas, polled while the page is open); the outbox,
// due timers, breakers and flow control; and what needs attention.

import {h, replace, badge, dur, time} from './dom.js';
import {get} from './api.js';
import {link, href} from './ui.js';
import {lineChart} from './chart.js';

// the charts span the samples kept: at least 2 minutes, at most 10
const MIN_WINDOW_MS = 2 * 60 * 1000;
const WINDOW_MS = 10 * 60 * 1000;
const ATTENTION = 'PT5M';
const STATUSES = ['RUNNING', 'PENDING', 'COMPENSATING', 'COMPLETED', 'COMPENSATED', 'FAILED'];

// kept across visits of the page in this tab, so the charts do not start empty each time
const samples = [];

const THRESHOLDS = [['PT1M', '1 minute'], ['PT5M', '5 minutes'], ['PT15M', '15 minutes'], ['PT1H', '1 hour']];

export async function render(main, params) {
  const threshold = THRESHOLDS.find(([v]) => v === params.attention) || THRESHOLDS.find(([v]) => v === ATTENTION);
  const view = h('div', {id: 'overview'});
  const select = h('select', {id: 'attention-threshold'}, THRESHOLDS.map(([v, l]) =>
    h('option', {value: v, selected: v === threshold[0]}, l)));
  select.addEventListener('change', () => { location.hash = href('/overview', {attention: select.value}); });
  replace(main, h('h1', {}, 'Overview'),
    h('p', {class: 'filters'}, h('label', {for: 'attention-threshold'}, 'Pending needs attention after', select)), view);
  await load(view, threshold, () => true);
  return still => load(view, threshold, still);
}

async function load(view, threshold, still) {
  const [stats, slas, queues] = await Promise.all([get('/api/stats'), get('/api/slas', {window: '1m'}),
    get('/api/queues', {stuckFor: threshold[0]})]);
  if (!still()) return;
  record(stats, slas);
  replace(view, attention(stats, queues, threshold), counts(stats), charts(), operations(stats));
}

function record(stats, slas) {
  const t = Date.now();
  const ended = (stats.byStatus.COMPLETED || 0) + (stats.byStatus.COMPENSATED || 0);
  const latency = {};
  for (const ty of slas.types) {
    const f = ty.windows['1m'];
    if (f && f.p50Ms !== null) latency[ty.type] = {p50: f.p50Ms, p95: f.p95Ms, p99: f.p99Ms};
  }
  samples.push({t, total: stats.total, ended, latency, pending: stats.byStatus.PENDING || 0});
  while (samples.length && samples[0].t < t - WINDOW_MS - 60000) samples.shift();
}

function rate(key) {
  const out = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1], b = samples[i];
    const dt = (b.t - a.t) / 1000;
    if (dt > 0) out.push([b.t, Math.max(0, (b[key] - a[key]) / dt)]);
  }
  return out;
}

function attention(stats, queues, [stuckFor, label]) {
  const failed = stats.byStatus.FAILED || 0;
  const stuck = queues.queues.filter(q => q.status === 'PENDING');
  const stuckCount = stuck.reduce((a, q) => a + q.count, 0);
  const items = [];
  if (failed) items.push(h('li', {}, link('/sagas', {status: 'FAILED'}, `${failed} FAILED saga(s)`), ' need an operator.'));
  for (const q of stuck) {
    items.push(h('li', {}, link('/sagas', {type: q.type, status: 'PENDING', pendingState: q.pendingState, stuckFor},
      `${q.count} ${q.type} saga(s) pending in ${q.pendingState || 'a pending state'}`),
    ` at step ${q.step || '?'} for more than ${label} (oldest unchanged since `, time(q.oldestUpdatedAt), ').'));
  }
  for (const [name, b] of Object.entries(stats.breakers)) {
    if (b.state !== 'CLOSED') items.push(h('li', {}, `Breaker of ${name} is `, badge(b.state), '.'));
  }
  return h('section', {id: 'attention', 'aria-labelledby': 'attention-h'},
    h('h2', {id: 'attention-h'}, 'Needs attention'),
    items.length ? h('ul', {}, items) : h('p', {class: 'muted'}, `Nothing: no FAILED saga, none pending for more than`
      + ` ${label}, every breaker closed.`),
    stuckCount || failed ? h('p', {}, link('/queues', {stuckFor}, 'Open the stuck & failed queues')) : '');
}

function counts(stats) {
  const card = (label, value, params, id) => h('div', {class: 'card', id},
    h('div', {class: 'muted'}, label),
    h('div', {class: 'value'}, params ? link('/sagas', params, String(value)) : String(value)));
  const byState = Object.entries(stats.pendingByState);
  const types = Object.entries(stats.byType);
  return h('section', {'aria-labelledby': 'counts-h'},
    h('h2', {id: 'counts-h'}, 'Sagas'),
    h('div', {class: 'cards'}, card('All', stats.total, {}, 'count-total'),
      STATUSES.map(st => card(st, stats.byStatus[st] || 0, {status: st}, `count-${st}`))),
    byState.length ? [h('h2', {}, 'Pending by state'), h('div', {class: 'cards', id: 'pending-states'},
      byState.map(([state, n]) => card(state, n, {status: 'PENDING', pendingState: state}, `pending-${state}`)))] : '',
    h('h2', {}, 'By type'),
    h('table', {id: 'types-table'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Type'), STATUSES.map(st => h('th', {scope: 'col', class: 'num'}, st)),
        h('th', {scope: 'col'}, 'Pending states'))),
      h('tbody', {}, types.map(([type, t]) => h('tr', {},
        h('th', {scope: 'row'}, link(`/definitions/${encodeURIComponent(type)}`, {}, type)),
        STATUSES.map(st => h('td', {class: 'num'}, t.byStatus[st] ? link('/sagas', {type, status: st}, String(t.byStatus[st])) : '0')),
        h('td', {}, Object.entries(t.pendingByState).map(([state, n]) =>
          h('div', {}, link('/sagas', {type, status: 'PENDING', pendingState: state}, `${state}: ${n}`)))))))));
}

function charts() {
  const types = [...new Set(samples.flatMap(x => Object.keys(x.latency)))];
  const latency = types.flatMap(type => ['p50', 'p95'].map(p => ({
    name: `${type} ${p}`, points: samples.map(x => [x.t, x.latency[type] ? x.latency[type][p] / 1000 : null])})));
  const span = samples.length > 1 ? dur(samples[samples.length - 1].t - samples[0].t) : 'no time yet';
  const windowMs = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, samples.length ? Date.now() - samples[0].t : 0));
  return h('section', {'aria-labelledby': 'charts-h'},
    h('h2', {id: 'charts-h'}, 'Throughput and latency'),
    h('p', {class: 'muted'}, `Sampled every 5 s while this page is open (${span} so far, the last 10 minutes kept);`
      + ' latency is each saga type\'s start-to-end time over the last minute.'),
    h('div', {class: 'grid2'},
      lineChart([{name: 'started', points: rate('total')}, {name: 'ended', points: rate('ended')}],
        {id: 'chart-rates', label: 'Sagas started and ended per second', unit: '/s', windowMs}),
      lineChart([{name: 'pending', points: samples.map(x => [x.t, x.pending])}],
        {id: 'chart-pending', label: 'Sagas PENDING', unit: '', windowMs}),
      lineChart(latency, {id: 'chart-latency', label: 'Saga latency (s)', unit: 's', windowMs})));
}

// a consumer's lag is read from the brokers every 10 s; until the first reading (or while they do not answer) it is unknown
function lagCard(id, label, n) {
  return h('div', {class: 'card', id},
    h('div', {class: 'muted'}, label),
    h('div', {class: 'value', title: 'records in the topic not yet consumed by the engine'},
      n === undefined || n === null ? 'not known yet' : String(n)));
}

function operations(stats) {
  const participants = [...new Set([...Object.keys(stats.breakers), ...Object.keys(stats.participants)])].sort();
  return h('section', {'aria-labelledby': 'ops-h'},
    h('h2', {id: 'ops-h'}, 'Engine'),
    h('div', {class: 'cards'},
      h('div', {class: 'card', id: 'outbox'}, h('div', {class: 'muted'}, 'Outbox backlog'), h('div', {class: 'value'}, String(stats.outboxBacklog))),
      h('div', {class: 'card', id: 'timers'}, h('div', {class: 'muted'}, 'Timers due'), h('div', {class: 'value'}, String(stats.timersDue))),
      lagCard('reply-lag', 'Reply consumer lag', (stats.consumerLag || {}).replies),
      lagCard('start-lag', 'Start consumer lag', (stats.consumerLag || {}).starts)),
    h('h2', {}, 'Breakers and flow control'),
    participants.length ? h('table', {id: 'breakers-table'},
      h('thead', {}, h('tr', {}, ['Participant', 'Breaker', 'Failure rate', 'Held back', 'Limit', 'In flight', 'Waiting',
        'Oldest wait'].map((l, i) => h('th', {scope: 'col', class: i > 1 ? 'num' : null}, l)))),
      h('tbody', {}, participants.map(name => {
        const b = stats.breakers[name];
        const f = stats.participants[name];
        return h('tr', {}, h('th', {scope: 'row'}, link('/participants', {}, name)),
          h('td', {}, b ? badge(b.state) : '—'),
          h('td', {class: 'num'}, b && b.failureRate >= 0 ? `${b.failureRate.toFixed(1)} %` : '—'),
          h('td', {class: 'num'}, b ? String(b.notPermittedCalls) : '—'),
          h('td', {class: 'num'}, f ? String(f.limit) : '—'), h('td', {class: 'num'}, f ? String(f.inFlight) : '—'),
          h('td', {class: 'num'}, f ? String(f.waiting) : '—'),
          h('td', {class: 'num'}, f && f.oldestWaitSeconds ? dur(f.oldestWaitSeconds * 1000) : '—'));
      }))) : h('p', {class: 'muted'}, 'No participant has a breaker or flow control yet.'),
    h('p', {class: 'muted'}, 'As of ', time(stats.asOf), '.'));
}
