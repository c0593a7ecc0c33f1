// A saga's step timeline as SVG: per step, the command's span (coloured by the step's outcome), each send as a tick,
// the periods it was parked (amber), and the compensation's span (purple, lower half).

import {s, h, time, dur, isoMs} from './dom.js';

const ENDED = ['COMPLETED', 'COMPENSATED'];
const LABEL_W = 150;
const ROW = 30;

// a step waits while parked after a busy answer (PARKED) or while its command waits in line for room at its
// participant (NOT_SENT, flow control or an open breaker); these entries, a resume and the operator's note keep it waiting
const WAITS = {PARKED: 'parked (busy answer)', NOT_SENT: 'waiting in line for the participant'};
const STILL_WAITING = ['PARKED', 'NOT_SENT', 'RESUMED', 'OPERATOR_ACTION'];

/**
 * The periods each step waited, from the history (oldest first): from a PARKED or NOT_SENT entry to the step's next
 * entry that is not one of STILL_WAITING (a send, a skip, a compensation...), or to `end` when it still waits.
 * Each period is [from, to, ongoing, why].
 */
export function parkedPeriods(history, end) {
  const open = {};
  const out = {};
  for (const e of history) {
    if (!e.step) continue;
    const at = Date.parse(e.at);
    if (WAITS[e.kind]) {
      if (open[e.step] === undefined) open[e.step] = [at, WAITS[e.kind]];
    } else if (open[e.step] !== undefined && !STILL_WAITING.includes(e.kind)) {
      (out[e.step] ||= []).push([open[e.step][0], at, false, open[e.step][1]]);
      delete open[e.step];
    }
  }
  for (const [step, [from, why]] of Object.entries(open)) (out[step] ||= []).push([from, end, true, why]);
  return out;
}

/** Sends per step: [time, 'command' | 'compensation']. */
function sends(history) {
  const out = {};
  for (const e of history) {
    if (e.step && (e.kind === 'COMMAND_SENT' || e.kind === 'COMPENSATION_SENT')) {
      (out[e.step] ||= []).push([Date.parse(e.at), e.kind === 'COMMAND_SENT' ? 'command' : 'compensation']);
    }
  }
  return out;
}

/** The timeline of saga (GET /api/sagas/{id}) with its history entries (oldest first): an SVG and a table. */
export function timeline(saga, history) {
  const now = Date.now();
  const start = Date.parse(saga.createdAt);
  const end = ENDED.includes(saga.status) ? Date.parse(saga.updatedAt) : Math.max(now, Date.parse(saga.updatedAt));
  const parked = parkedPeriods(history, end);
  const sent = sends(history);
  const span = Math.max(end - start, 1);
  const width = 900;
  const plotW = width - LABEL_W - 20;
  const x = t => LABEL_W + Math.max(0, Math.min(1, (t - start) / span)) * plotW;
  const height = 30 + saga.steps.length * ROW + 10;

  const ticks = [];
  for (let i = 0; i <= 4; i++) {
    const t = start + span * i / 4;
    ticks.push(s('line', {class: 'grid', x1: x(t), x2: x(t), y1: 18, y2: height - 6}),
      s('text', {class: 'tick', x: x(t), y: 12, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle'},
        i === 0 ? new Date(t).toLocaleTimeString([], {hour12: false}) : `+${dur(t - start)}`));
  }
  const rows = saga.steps.map((st, i) => {
    const y = 24 + i * ROW;
    const g = s('g', {class: 'step', dataset: {step: st.key, status: st.status}});
    g.append(s('text', {class: 'lbl', x: 4, y: y + 15}, st.key));
    const c = st.command;
    if (c && c.firstSentAt) {
      const from = Date.parse(c.firstSentAt);
      const to = c.doneAt ? Date.parse(c.doneAt)
        : ['RUNNING', 'PENDING'].includes(st.status) || st.compensation ? end
        : Date.parse(c.lastReplyAt || c.lastSentAt);
      const forward = ['COMPENSATED', 'COMPENSATING', 'COMPENSATION_FAILED'].includes(st.status) ? 'COMPLETED' : st.status;
      g.append(s('rect', {class: `bar bar-${forward}`, x: x(from), y: y + 2, width: Math.max(x(to) - x(from), 3),
        height: st.compensation ? 11 : 20}, s('title', {}, `${st.key}: ${st.status}, ${c.attempts} attempt(s)`)));
    }
    const comp = st.compensation;
    if (comp && comp.firstSentAt) {
      const from = Date.parse(comp.firstSentAt);
      const to = comp.doneAt ? Date.parse(comp.doneAt) : end;
      g.append(s('rect', {class: 'comp', x: x(from), y: y + 13, width: Math.max(x(to) - x(from), 3), height: 9},
        s('title', {}, `${st.key}: compensation, ${comp.attempts} attempt(s)`)));
    }
    for (const [from, to, ongoing, why] of parked[st.key] || []) {
      g.append(s('rect', {class: 'parked', x: x(from), y: y + 4, width: Math.max(x(to) - x(from), 3), height: 16,
        dataset: {from: new Date(from).toISOString(), ongoing: ongoing ? 'true' : 'false'}},
      s('title', {}, `${why} ${dur(to - from)}${ongoing ? ' (still waiting)' : ''}`)));
    }
    for (const [t, kind] of sent[st.key] || []) {
      g.append(s('line', {class: 'attempt', x1: x(t), x2: x(t), y1: kind === 'command' ? y : y + 12,
        y2: kind === 'command' ? y + 12 : y + 24}, s('title', {}, `${kind} sent ${new Date(t).toISOString()}`)));
    }
    return g;
  });
  const svg = s('svg', {id: 'timeline', viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img',
    'aria-label': 'Step timeline; the table below has the same figures'}, ...ticks, ...rows);

  const legend = h('div', {class: 'legend', 'aria-hidden': 'true'},
    h('span', {class: 's-COMPLETED'}, 'completed'), h('span', {class: 's-RUNNING'}, 'running'),
    h('span', {class: 's-PENDING'}, 'parked or waiting in line'), h('span', {class: 's-FAILED'}, 'failed'),
    h('span', {class: 's-COMPENSATED'}, 'compensation'), h('span', {class: 's-SKIPPED'}, 'skipped / not started'),
    h('span', {}, '| tick: a send'));

  const parkedText = st => {
    const ps = parked[st.key] || [];
    if (!ps.length) return '';
    const total = ps.reduce((a, [f, t]) => a + (t - f), 0);
    return h('span', {class: 'parked-periods', dataset: {count: String(ps.length)}},
      `${ps.length}× ${dur(total)}`, ps.some(p => p[2]) ? ' (waiting now)' : '');
  };
  const attempts = a => a ? `${a.attempts}${a.timeouts ? ` (${a.timeouts} timed out)` : ''}` : '';
  const took = a => a && a.duration ? dur(isoMs(a.duration)) : '';
  const tableEl = h('table', {id: 'steps-table'},
    h('caption', {class: 'sr-only'}, 'Steps'),
    h('thead', {}, h('tr', {}, ['Step', 'Status', 'Participant', 'Attempts', 'Last reply', 'Took', 'Parked or waiting',
      'Compensation', 'Operator actions'].map(l => h('th', {scope: 'col'}, l)))),
    h('tbody', {}, saga.steps.map(st => h('tr', {dataset: {step: st.key}},
      h('td', {}, h('code', {}, st.key), st.kind ? h('div', {class: 'muted'}, st.kind.toLowerCase()) : ''),
      h('td', {}, h('span', {class: `badge s-${st.status}`}, st.status),
        st.degraded ? h('div', {class: 'muted'}, st.degraded.detail) : ''),
      h('td', {}, st.participant || ''),
      h('td', {}, attempts(st.command)),
      h('td', {}, st.command && st.command.lastOutcome
        ? [h('span', {class: `badge s-${st.command.lastOutcome}`}, st.command.lastOutcome),
          st.command.lastReason ? ` ${st.command.lastReason}` : ''] : ''),
      h('td', {}, took(st.command)),
      h('td', {}, parkedText(st)),
      h('td', {}, st.compensation ? `${attempts(st.compensation)} sent${st.compensation.doneAt ? `, done in ${took(st.compensation)}` : ''}` : ''),
      h('td', {}, st.operatorActions.map(n => h('div', {}, time(n.at), ' ', n.detail)))))));
  return [legend, svg, tableEl];
}

