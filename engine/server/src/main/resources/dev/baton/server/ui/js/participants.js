// Participants: every participant with the sagas and steps that use it, its breaker and flow control, its command
// backlog, and its recent traffic (commands, outcomes, latency) over 1, 5 and 15 minutes.

import {h, replace, badge, time, dur} from './dom.js';
import {get} from './api.js';
import {link} from './ui.js';

export async function render(main) {
  const view = h('div', {id: 'participants'});
  replace(main, h('h1', {}, 'Participants'), view);
  await load(view, () => true);
  return still => load(view, still);
}

const pct = v => v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`;
const ms = v => v === null || v === undefined ? '—' : dur(v);

async function load(view, still) {
  const data = await get('/api/participants');
  if (!still()) return;
  const w = data.windows.includes('5m') ? '5m' : data.windows[0];
  replace(view,
    h('p', {class: 'muted'}, `Traffic over the last ${w} on this node, as of `, time(data.asOf), '.'),
    h('table', {id: 'participants-table'},
      h('thead', {}, h('tr', {}, ['Participant', 'Used by', 'Breaker', 'Flow (limit / in flight / waiting)', 'Command backlog',
        'Commands', 'Busy', 'Failed', 'Timed out', 'p50 / p95', 'Last reply'].map(l => h('th', {scope: 'col'}, l)))),
      h('tbody', {}, data.participants.map(p => {
        const t = p.windows[w] || {};
        return h('tr', {dataset: {name: p.name}},
          h('th', {scope: 'row'}, p.name, p.declared ? '' : h('div', {class: 'muted'}, 'seen in traffic only')),
          h('td', {}, p.usedBy.map(u => h('div', {}, link(`/definitions/${encodeURIComponent(u.type)}`, {}, u.type), ' ',
            h('code', {}, u.step), u.kind && u.kind !== 'COMMAND' ? ` (${u.kind.toLowerCase()})` : ''))),
          h('td', {}, p.breaker ? [badge(p.breaker.state), p.breaker.failureRate >= 0
            ? h('div', {class: 'muted'}, `${p.breaker.failureRate.toFixed(1)} % failing`) : ''] : '—'),
          h('td', {}, p.flow ? `${p.flow.limit} / ${p.flow.inFlight} / ${p.flow.waiting}` : '—'),
          h('td', {class: 'num'}, p.commandLag === null ? '—' : String(p.commandLag)),
          h('td', {class: 'num'}, String(t.commands ?? 0)),
          h('td', {class: 'num'}, pct(t.busyRate)), h('td', {class: 'num'}, pct(t.failureRate)),
          h('td', {class: 'num'}, pct(t.timeoutRate)),
          h('td', {class: 'num'}, `${ms(t.p50Ms)} / ${ms(t.p95Ms)}`),
          h('td', {}, time(p.lastReplyAt)));
      }))));
}
