// Stuck and failed queues: PENDING and FAILED sagas unchanged for a while, by type, status, step and pending state,
// with bulk actions by filter: a dry run says how many and which, then a confirmation with a reason acts on each.

import {h, replace, badge, time, dur, toast} from './dom.js';
import {get, post} from './api.js';
import {link, href, problemBox, confirmWithReason} from './ui.js';

const STUCK = [['', 'any time'], ['PT1M', '1 minute'], ['PT5M', '5 minutes'], ['PT15M', '15 minutes'], ['PT1H', '1 hour'],
  ['P1D', '1 day']];
const LABELS = {retry: 'Retry', skip: 'Skip', abort: 'Abort', resume: 'Resume'};

export async function render(main, params) {
  const stuckFor = params.stuckFor || '';
  const select = h('select', {id: 'q-stuckFor', name: 'stuckFor'},
    STUCK.map(([v, l]) => h('option', {value: v, selected: v === stuckFor}, l)));
  const form = h('form', {class: 'filters'},
    h('label', {for: 'q-stuckFor'}, 'Unchanged for at least', select),
    h('button', {type: 'submit', class: 'primary'}, 'Show'));
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    location.hash = href('/queues', {...params, stuckFor: select.value});
  });
  const result = h('div', {id: 'bulk-result', 'aria-live': 'polite'});
  const list = h('div', {id: 'queues'});
  replace(main, h('h1', {}, 'Stuck & failed'),
    h('p', {class: 'muted'}, 'Sagas PENDING or FAILED, grouped by type, status, step and pending state. A bulk action'
      + ' first runs dry (nothing changes), then asks for a reason and acts on each saga in turn; each action is'
      + ' recorded in that saga\'s history. Needs the API token.'),
    form, result, list);
  const ctx = {list, result, params, stuckFor};
  await fill(ctx, () => true);
  return still => fill(ctx, still);
}

async function fill(ctx, still) {
  const data = await get('/api/queues', {stuckFor: ctx.stuckFor, type: ctx.params.type});
  if (!still()) return;
  const now = Date.now();
  replace(ctx.list, data.queues.length ? h('table', {id: 'queues-table'},
    h('thead', {}, h('tr', {}, ['Type', 'Status', 'Step', 'Pending state', 'Sagas', 'Oldest unchanged', 'Act on all']
      .map((l, i) => h('th', {scope: 'col', class: i === 4 ? 'num' : null}, l)))),
    h('tbody', {}, data.queues.map(q => {
      const filter = {type: q.type, status: q.status, step: q.step || undefined, pendingState: q.pendingState || undefined,
        stuckFor: ctx.stuckFor || undefined};
      const actions = q.status === 'FAILED' ? ['retry', 'skip', 'abort'] : ['resume', 'skip', 'abort'];
      return h('tr', {dataset: {type: q.type, status: q.status, step: q.step || '', pendingState: q.pendingState || ''}},
        h('td', {}, q.type), h('td', {}, badge(q.status)), h('td', {}, q.step ? h('code', {}, q.step) : ''),
        h('td', {}, q.pendingState || ''),
        h('td', {class: 'num'}, link('/sagas', {type: q.type, status: q.status, pendingState: q.pendingState,
          stuckFor: ctx.stuckFor}, String(q.count))),
        h('td', {}, time(q.oldestUpdatedAt), ` (${dur(now - Date.parse(q.oldestUpdatedAt))})`),
        h('td', {}, h('div', {class: 'actions'}, actions.map(a => h('button', {type: 'button',
          class: a === 'abort' ? 'danger' : null, dataset: {action: a},
          onclick: () => bulk(ctx, a, filter)}, `${LABELS[a]}…`)))));
    }))) : h('p', {id: 'queues-empty'}, 'No saga is PENDING or FAILED for that long.'),
  data.truncated ? h('p', {class: 'notice'}, 'More sagas match than one call reads (1000 per status); the counts are of'
    + ' the newest.') : '');
}

async function bulk(ctx, action, filter) {
  const label = LABELS[action];
  let dry;
  try {
    dry = await post(`/api/bulk/${action}`, {filter, dryRun: true});
  } catch (e) {
    replace(ctx.result, problemBox(e));
    return;
  }
  if (dry.matched === 0) {
    replace(ctx.result, h('p', {class: 'notice'}, 'No saga matches any more.'));
    return;
  }
  const summary = h('div', {id: 'dry-run-result'},
    h('p', {}, h('strong', {id: 'dry-run-count'}, String(dry.matched)), ` saga(s) match${dry.truncated ? ' (and more: repeat after this run)' : ''}: `,
      `${filter.type}, ${filter.status}`, filter.pendingState ? ` in ${filter.pendingState}` : '',
      filter.step ? ` at ${filter.step}` : '', '. Nothing has changed yet.'),
    h('ul', {class: 'mono'}, dry.ids.slice(0, 10).map(id => h('li', {}, link(`/sagas/${encodeURIComponent(id)}`, {}, id))),
      dry.ids.length > 10 ? h('li', {}, `… and ${dry.matched - 10} more`) : ''),
    h('p', {}, `Each is checked against its own state; those the action does not apply to are left as they are.`));
  const done = await confirmWithReason({
    id: 'bulk-dialog',
    title: `${label} ${dry.matched} saga(s)?`,
    message: summary,
    confirmLabel: `${label} ${dry.matched} saga(s)`,
    danger: action === 'abort',
    run: reason => post(`/api/bulk/${action}`, {filter, reason}),
  });
  if (!done) return;
  const refused = done.results.filter(r => r.outcome !== 'DONE');
  replace(ctx.result, h('div', {class: 'notice', id: 'bulk-summary', role: 'status'},
    h('p', {}, `${label}: ${done.done} of ${done.matched} saga(s) done`, refused.length ? `, ${refused.length} left as they were:` : '.'),
    refused.length ? h('ul', {}, refused.slice(0, 20).map(r => h('li', {},
      link(`/sagas/${encodeURIComponent(r.id)}`, {}, r.id), ` ${r.outcome}: ${r.detail || ''}`))) : ''));
  toast(`${label}: ${done.done} done.`);
  await fill(ctx, () => true);
}
