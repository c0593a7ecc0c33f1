// Definitions: the list, and one definition drawn as a diagram (steps top to bottom, the branches of a parallel group
// side by side) with live counts of sagas at each step and in each pending state, and one saga's current step
// highlighted. The Mermaid text the API gives is shown too, for pasting elsewhere.

import {h, s, replace, dur, isoMs} from './dom.js';
import {get} from './api.js';
import {link, href} from './ui.js';

const W = 230, H = 84, GAP_X = 28, GAP_Y = 34, TOP = 50;
const LIVE = ['RUNNING', 'PENDING', 'FAILED', 'COMPENSATING'];

export async function render(main, params, type) {
  if (!type) return list(main);
  const view = {main, params, type, definition: null};
  await load(view, () => true);
  return still => load(view, still);
}

async function list(main) {
  const defs = await get('/api/definitions');
  replace(main, h('h1', {}, 'Definitions'), h('table', {id: 'definitions-table'},
    h('thead', {}, h('tr', {}, ['Type', 'Version', 'Versions', 'Steps', 'Pivot', 'SLA'].map(l => h('th', {scope: 'col'}, l)))),
    h('tbody', {}, defs.items.map(d => h('tr', {},
      h('th', {scope: 'row'}, link(`/definitions/${encodeURIComponent(d.type)}`, {}, d.type)),
      h('td', {}, String(d.version)), h('td', {}, d.versions.join(', ')), h('td', {}, String(d.steps.length)),
      h('td', {}, d.pivot || '—'), h('td', {}, d.sla ? dur(isoMs(d.sla)) : '—'))))));
}

async function load(view, still) {
  const {type, params} = view;
  const [definition, stats, saga, ...lists] = await Promise.all([
    get(`/api/definitions/${encodeURIComponent(type)}`, {version: params.version}),
    get('/api/stats'),
    params.saga ? get(`/api/sagas/${encodeURIComponent(params.saga)}`).catch(() => null) : null,
    ...LIVE.map(status => get('/api/sagas', {type, status, limit: 1000}))]);
  if (!still()) return;
  const atStep = {};
  LIVE.forEach((status, i) => {
    for (const x of lists[i].items) {
      if (x.definitionVersion !== definition.version || !x.currentStep) continue;
      ((atStep[x.currentStep] ||= {})[status] = ((atStep[x.currentStep] || {})[status] || 0) + 1);
    }
  });
  const typeStats = stats.byType[type] || {byStatus: {}, pendingByState: {}};
  const pick = h('form', {class: 'filters'},
    h('label', {for: 'd-saga'}, 'Highlight a saga\'s current step',
      h('input', {id: 'd-saga', name: 'saga', value: params.saga || '', placeholder: 'saga id'})),
    h('button', {type: 'submit'}, 'Show'));
  pick.addEventListener('submit', ev => {
    ev.preventDefault();
    location.hash = href(`/definitions/${encodeURIComponent(type)}`, {...params, saga: pick.elements.saga.value.trim()});
  });
  replace(view.main,
    h('p', {}, link('/definitions', {}, '← Definitions')),
    h('h1', {}, `Definition ${definition.type}`, h('span', {class: 'muted'}, ` v${definition.version}`)),
    h('p', {}, 'Versions: ', definition.versions.map(v => [v === definition.version ? h('strong', {}, `v${v}`)
      : link(`/definitions/${encodeURIComponent(type)}`, {version: v, saga: params.saga}, `v${v}`), ' ']),
    ' · ', link('/sagas', {type}, `${Object.values(typeStats.byStatus).reduce((a, b) => a + b, 0)} saga(s)`),
    Object.entries(typeStats.pendingByState).map(([st, n]) => [' · ',
      link('/sagas', {type, status: 'PENDING', pendingState: st}, `${n} in ${st}`)])),
    pick,
    saga ? h('p', {id: 'highlighted'}, 'Saga ', link(`/sagas/${encodeURIComponent(saga.id)}`, {}, saga.id), ' is ',
      h('span', {class: `badge s-${saga.status}`}, saga.status),
      saga.currentStep ? [' at ', h('code', {}, saga.currentStep), ' (outlined)'] : ' (no current step)') : '',
    diagram(definition, atStep, typeStats.pendingByState, saga && saga.currentStep),
    h('p', {class: 'muted'}, 'Counts are of this version\'s RUNNING, PENDING, FAILED and COMPENSATING sagas at each step'
      + ' (up to 1000 of each status), refreshed every 5 s.'),
    h('details', {}, h('summary', {}, 'Mermaid text'), h('pre', {}, definition.mermaid)));
}

/** Rows of the diagram: a step, or a parallel group as columns (one per branch) of steps. */
function rows(steps) {
  const out = [];
  for (const st of steps) {
    const last = out[out.length - 1];
    if (st.group && last && last.group === st.group) {
      const branch = st.branch || st.key;
      let col = last.columns.find(c => c.branch === branch);
      if (!col) last.columns.push(col = {branch, steps: []});
      col.steps.push(st);
    } else {
      out.push({group: st.group, columns: [{branch: st.branch || st.key, steps: [st]}]});
    }
  }
  return out;
}

function diagram(def, atStep, pendingByState, current) {
  const layout = rows(def.steps);
  const maxCols = Math.max(1, ...layout.map(r => r.columns.length));
  const width = Math.max(maxCols * (W + GAP_X) + GAP_X, 420);
  const nodes = [];
  const edges = [];
  let y = TOP;
  let prevBottoms = [[width / 2, 30]];
  for (const row of layout) {
    const rowW = row.columns.length * (W + GAP_X) - GAP_X;
    const x0 = (width - rowW) / 2;
    const heights = row.columns.map(c => c.steps.length);
    const bottoms = [];
    row.columns.forEach((col, ci) => {
      const x = x0 + ci * (W + GAP_X);
      col.steps.forEach((st, si) => {
        const top = y + si * (H + GAP_Y);
        const from = si === 0 ? prevBottoms : [[x + W / 2, top - GAP_Y]];
        for (const [fx, fy] of from) edges.push(s('path', {class: 'edge', d: `M${fx},${fy} L${x + W / 2},${top - 2}`}));
        nodes.push(node(st, x, top, def.pivot === st.key, atStep[st.key] || {}, pendingByState, current === st.key));
      });
      bottoms.push([x + W / 2, y + col.steps.length * (H + GAP_Y) - GAP_Y]);
    });
    if (row.group) {
      nodes.unshift(s('rect', {x: x0 - 10, y: y - 18, width: rowW + 20, height: Math.max(...heights) * (H + GAP_Y) - GAP_Y + 26,
        fill: 'none', stroke: '#9aa0a6', 'stroke-dasharray': '6 4', rx: 8}),
      s('text', {class: 'tick', x: x0 - 4, y: y - 6}, `parallel group ${row.group}`));
    }
    prevBottoms = bottoms;
    y += Math.max(...heights) * (H + GAP_Y) + (row.group ? 10 : 0);
  }
  for (const [fx, fy] of prevBottoms) edges.push(s('path', {class: 'edge', d: `M${fx},${fy} L${width / 2},${y - 2}`}));
  const height = y + 40;
  return s('svg', {id: 'definition-diagram', viewBox: `0 0 ${width} ${height}`, width: Math.min(width, 1100), role: 'img',
    'aria-label': `Diagram of ${def.type}: ${def.steps.map(x => x.key).join(', ')}`},
  s('defs', {}, s('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse'}, s('path', {d: 'M0,0 L10,5 L0,10 z', fill: '#5f6368'}))),
  s('circle', {cx: width / 2, cy: 22, r: 8, fill: '#202124'}), s('text', {class: 'tick', x: width / 2 + 14, y: 26}, 'start'),
  ...edges, ...nodes,
  s('rect', {x: width / 2 - 50, y, width: 100, height: 26, rx: 13, fill: '#e6f4ea', stroke: '#1e7a34'}),
  s('text', {class: 'lbl', x: width / 2, y: y + 17, 'text-anchor': 'middle'}, 'completed'));
}

function node(st, x, y, pivot, counts, pendingByState, current) {
  const busy = (counts.PENDING || 0) > 0;
  const failed = (counts.FAILED || 0) > 0;
  const cls = ['node', busy ? 'busy' : '', failed ? 'failed' : '', current ? 'current' : ''].filter(Boolean).join(' ');
  const parts = [];
  if (counts.RUNNING) parts.push(`${counts.RUNNING} running`);
  if (counts.PENDING) parts.push(`${counts.PENDING} pending`);
  if (counts.FAILED) parts.push(`${counts.FAILED} failed`);
  if (counts.COMPENSATING) parts.push(`${counts.COMPENSATING} compensating`);
  const park = st.park ? `parks in ${st.park.state}: ${pendingByState[st.park.state] || 0} now` : null;
  return s('g', {class: cls, dataset: {step: st.key, running: String(counts.RUNNING || 0),
    pending: String(counts.PENDING || 0), failed: String(counts.FAILED || 0)}},
  s('rect', {x, y, width: W, height: H}),
  s('text', {class: 'lbl', x: x + 8, y: y + 17, 'font-weight': 700}, st.key + (pivot ? ' (pivot)' : '')),
  s('text', {class: 'tick', x: x + 8, y: y + 33}, `${st.participant} · ${st.kind.toLowerCase()}`),
  park ? s('text', {class: 'tick park-state', x: x + 8, y: y + 49, dataset: {state: st.park.state}}, park)
    : st.compensation ? s('text', {class: 'tick', x: x + 8, y: y + 49}, `undone by ${st.compensation.participant}`) : null,
  s('text', {class: 'count', x: x + 8, y: y + 72, fill: failed ? '#b3261e' : busy ? '#8a5300' : '#1a1a1a'},
    parts.length ? parts.join(' · ') : 'none here'),
  s('title', {}, `${st.key}: ${parts.join(', ') || 'no saga here now'}`));
}
