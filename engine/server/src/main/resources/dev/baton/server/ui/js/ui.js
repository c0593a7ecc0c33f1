// Pieces several pages share: problem boxes, the confirmation dialog with a required reason, links.

import {h, replace} from './dom.js';
import {ApiError} from './api.js';

/** A box that shows what went wrong: the API's problem title and detail, with its status. */
export function problemBox(err) {
  const p = err instanceof ApiError ? err.problem : {title: 'Something went wrong', detail: String(err && err.message || err)};
  const hint = p.status === 401 ? ' Enter the API token at the top of the page, then try again.' : '';
  return h('div', {class: 'problem', role: 'alert', dataset: {status: String(p.status ?? '')}},
    h('strong', {}, p.status ? `${p.status} ${p.title}` : p.title), ': ', p.detail, hint);
}

/** A link inside the dashboard: route is a hash path such as "/sagas", params become its query. */
export function link(route, params, ...children) {
  return h('a', {href: href(route, params)}, ...children);
}

export function href(route, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const qs = q.toString();
  return `#${route}${qs ? `?${qs}` : ''}`;
}

/**
 * Asks for confirmation with a required reason. run(reason) does the work; what it throws is shown in the dialog, which
 * stays open so the operator can fix it (enter a token, change the reason) or cancel. Resolves with run's result, or
 * null when cancelled.
 *
 * @param opts {title, message (nodes), confirmLabel, danger, id, run}
 */
export function confirmWithReason(opts) {
  return new Promise(resolve => {
    const reason = h('textarea', {id: 'reason', name: 'reason', required: true, maxlength: 2000,
      'aria-describedby': 'reason-help'});
    const error = h('div', {class: 'dialog-error'});
    const confirm = h('button', {type: 'submit', class: opts.danger ? 'danger' : 'primary', id: 'confirm-action'},
      opts.confirmLabel);
    const cancel = h('button', {type: 'button', id: 'cancel-action'}, 'Cancel');
    const form = h('form', {method: 'dialog'},
      h('h2', {id: 'dialog-title'}, opts.title),
      opts.message || '',
      h('label', {for: 'reason'}, 'Reason (required)'),
      reason,
      h('div', {id: 'reason-help', class: 'muted'}, 'Recorded in each saga\'s history with who acted.'),
      error,
      h('div', {class: 'buttons'}, cancel, confirm));
    const dialog = h('dialog', {id: opts.id || 'action-dialog', 'aria-labelledby': 'dialog-title'}, form);
    let result = null;
    cancel.addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(result);
    });
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        replace(error, h('div', {class: 'problem', role: 'alert'}, 'A reason is required.'));
        reason.focus();
        return;
      }
      confirm.disabled = true;
      replace(error);
      try {
        result = await opts.run(text);
        dialog.close();
      } catch (e) {
        replace(error, problemBox(e));
        confirm.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.focus();
  });
}

/** True while a dialog is open: live refresh waits, so nothing moves under the operator's hands. */
export function dialogOpen() {
  return document.querySelector('dialog[open]') !== null;
}
