// One saga: its facts, the operator actions its state allows (each confirmed with a reason), the step timeline, its
// data and its history. An action's answer is the saga afterwards, shown at once.

import {h, replace, badge, time, toast} from './dom.js';
import {get, post} from './api.js';
import {link, confirmWithReason} from './ui.js';
import {timeline} from './timeline.js';

const ACTIONS = [
  ['resume', 'Resume', 'Send the parked command now instead of waiting for the timer.'],
  ['retry', 'Retry', 'Send the failed command (or compensation) again.'],
  ['skip', 'Skip', 'Treat the current step (or compensation) as done and go on.'],
  ['abort', 'Abort', 'Compensate what was done; only before the pivot.'],
];

/** The actions the saga's state allows, as the engine decides them (it still checks each one). */
export function allowed(saga, pivot) {
  const pastPivot = pivot && saga.completedSteps.includes(pivot);
  switch (saga.status) {
    case 'PENDING': return ['resume', 'skip', ...(pastPivot ? [] : ['abort'])];
    case 'FAILED': return ['retry', 'skip', ...(pastPivot || saga.compensatedSteps.length ? [] : ['abort'])];
    case 'RUNNING': return pastPivot ? [] : ['abort'];
    default: return [];
  }
}

export async function render(main, params, id) {
  const view = {main, id, definition: null};
  await load(view, () => true);
  return still => load(view, still);
}

async function load(view, still) {
  const [saga, history] = await Promise.all([
    get(`/api/sagas/${encodeURIComponent(view.id)}`),
    get(`/api/sagas/${encodeURIComponent(view.id)}/history`, {limit: 1000})]);
  if (!view.definition || view.definition.type !== saga.type || view.definition.version !== saga.definitionVersion) {
    try {
      view.definition = await get(`/api/definitions/${encodeURIComponent(saga.type)}`, {version: saga.definitionVersion});
    } catch {
      view.definition = {type: saga.type, version: saga.definitionVersion, pivot: null};
    }
  }
  if (still()) show(view, saga, history);
}

function show(view, saga, history) {
  const facts = [
    ['Type', link(`/definitions/${encodeURIComponent(saga.type)}`, {saga: saga.id}, saga.type), ` v${saga.definitionVersion}`],
    ['Status', h('span', {id: 'saga-status', class: `badge s-${saga.status}`}, saga.status)],
    ['Pending state', h('span', {id: 'saga-pending-state'}, saga.pendingState || '—')],
    ['Reason', saga.reason || '—'],
    ['Current step', saga.currentStep ? h('code', {}, saga.currentStep) : '—'],
    ['Business key', saga.businessKey || '—'],
    ['Created', time(saga.createdAt)],
    ['Updated', time(saga.updatedAt)],
    ['Trace', saga.traceLink ? h('a', {href: saga.traceLink, rel: 'noreferrer'}, saga.traceId) : h('code', {}, saga.traceId)],
  ];
  const can = allowed(saga, view.definition.pivot);
  const buttons = ACTIONS.filter(([a]) => can.includes(a)).map(([a, label, help]) =>
    h('button', {type: 'button', id: `action-${a}`, class: a === 'abort' ? 'danger' : 'primary', title: help,
      onclick: () => act(view, saga, a, label, help)}, label));
  const history2 = history.items;
  const folded = history.folded.filter(f => f.count > 0);
  replace(view.main,
    h('p', {}, link('/sagas', {type: saga.type}, `← ${saga.type} sagas`)),
    h('h1', {}, 'Saga ', h('code', {}, saga.id), ' ', badge(saga.status)),
    h('dl', {class: 'facts'}, facts.map(([k, ...v]) => [h('dt', {}, k), h('dd', {}, ...v)])),
    h('div', {class: 'actions', id: 'actions'}, buttons.length ? buttons
      : h('span', {class: 'muted'}, `No operator action applies to a ${saga.status} saga.`)),
    h('h2', {}, 'Timeline'),
    timeline(saga, history2),
    h('h2', {}, 'Data'),
    h('pre', {id: 'saga-data'}, JSON.stringify(saga.data, null, 2)),
    h('h2', {}, 'History'),
    folded.length ? h('p', {class: 'muted'}, 'Folded away to keep the history bounded: ',
      folded.map(f => `${f.count}× ${f.kind}${f.step ? ` (${f.step})` : ''}`).join(', ')) : '',
    h('table', {id: 'history-table'},
      h('thead', {}, h('tr', {}, ['#', 'At', 'Kind', 'Step', 'Detail', 'Message'].map(l => h('th', {scope: 'col'}, l)))),
      h('tbody', {}, [...history2].reverse().map(e => h('tr', {},
        h('td', {class: 'num'}, e.seq), h('td', {}, time(e.at)), h('td', {}, h('code', {}, e.kind)),
        h('td', {}, e.step || ''), h('td', {}, e.detail || ''), h('td', {}, message(e)))))),
    history.nextBefore ? h('p', {class: 'muted'}, 'Older entries: GET ', h('code', {},
      `/api/sagas/${saga.id}/history?before=${history.nextBefore}`)) : '');
}

// the command sent or the reply received, as the API gives it (fields the server redacts read [redacted]):
// one line to glance at, the whole message on opening
function message(e) {
  if (e.payload === null || e.payload === undefined) {
    return '';
  }
  const line = JSON.stringify(e.payload);
  return h('details', {class: 'payload'},
    h('summary', {}, h('code', {}, line.length > 60 ? `${line.slice(0, 59)}…` : line)),
    h('pre', {}, JSON.stringify(e.payload, null, 2)));
}

async function act(view, saga, action, label, help) {
  const after = await confirmWithReason({
    title: `${label} saga ${saga.id}?`,
    message: h('p', {}, help, ' It is now ', badge(saga.status), saga.pendingState ? ` in ${saga.pendingState}` : '',
      saga.currentStep ? [' at step ', h('code', {}, saga.currentStep)] : '', '.'),
    confirmLabel: label,
    danger: action === 'abort',
    run: reason => post(`/api/sagas/${encodeURIComponent(saga.id)}/${action}`, {reason}),
  });
  if (after) {
    toast(`${label}: done. The saga is ${after.status}.`);
    const here = location.hash;
    const history = await get(`/api/sagas/${encodeURIComponent(saga.id)}/history`, {limit: 1000});
    if (location.hash !== here) return; // the operator went elsewhere meanwhile
    show(view, after, history);
    document.getElementById('saga-status').focus?.();
  }
}
