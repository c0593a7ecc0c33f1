// The dashboard's shell: hash routes (#/page?filters, so a view can be shared as a link), the token form, live refresh.

import {replace, h, toast} from './dom.js';
import {token, setToken} from './api.js';
import {problemBox, dialogOpen} from './ui.js';
import * as overview from './overview.js';
import * as sagas from './sagas.js';
import * as saga from './saga.js';
import * as queues from './queues.js';
import * as definitions from './definitions.js';
import * as participants from './participants.js';

const REFRESH_MS = 5000;

const ROUTES = [
  [/^\/overview$/, overview, 'overview'],
  [/^\/sagas$/, sagas, 'sagas'],
  [/^\/sagas\/([^/]+)$/, saga, 'sagas'],
  [/^\/queues$/, queues, 'queues'],
  [/^\/definitions$/, definitions, 'definitions'],
  [/^\/definitions\/([^/]+)$/, definitions, 'definitions'],
  [/^\/participants$/, participants, 'participants'],
];

let current = {refresh: null, generation: 0};

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [given, query = ''] = raw.split('?');
  // '#/' and '#' (a link to the dashboard's root) are the overview too
  const path = given === '/' || given === '' ? '/overview' : given;
  return {path, params: Object.fromEntries(new URLSearchParams(query))};
}

async function route() {
  const {path, params} = parseHash();
  const main = document.getElementById('main');
  const generation = ++current.generation;
  current.refresh = null;
  const match = ROUTES.map(([re, page, nav]) => [re.exec(path), page, nav]).find(([m]) => m);
  for (const a of document.querySelectorAll('[data-nav]')) {
    a.toggleAttribute('aria-current', false);
    if (match && a.dataset.nav === match[2]) a.setAttribute('aria-current', 'page');
  }
  if (!match) {
    replace(main, h('h1', {}, 'Not found'), h('p', {}, 'No page ', h('code', {}, path), '. ',
      h('a', {href: '#/overview'}, 'Go to the overview')));
    return;
  }
  const [m, page] = match;
  const args = m.slice(1).map(decodeURIComponent);
  try {
    const refresh = await page.render(main, params, ...args);
    if (generation === current.generation) current.refresh = refresh || null;
  } catch (e) {
    if (generation === current.generation) replace(main, problemBox(e));
  }
}

async function tick() {
  const live = document.getElementById('live');
  if (!current.refresh || !live.checked || document.hidden || dialogOpen()) return;
  const generation = current.generation;
  try {
    await current.refresh(() => generation === current.generation);
  } catch (e) {
    // a failed refresh keeps what is shown; the next one may work
    if (generation === current.generation) toast(`Refresh failed: ${e.message}`);
  }
}

function tokenForm() {
  const input = document.getElementById('token');
  const state = document.getElementById('token-state');
  const show = () => replace(state, token() ? 'token set for this tab' : 'no token');
  document.getElementById('token-form').addEventListener('submit', ev => {
    ev.preventDefault();
    setToken(input.value.trim());
    input.value = '';
    show();
    toast(token() ? 'The token is kept in this tab only (session storage).' : 'No token.');
  });
  document.getElementById('token-forget').addEventListener('click', () => {
    setToken('');
    input.value = '';
    show();
  });
  show();
}

tokenForm();
window.addEventListener('hashchange', route);
setInterval(tick, REFRESH_MS);
if (!location.hash) history.replaceState(null, '', '#/overview');
route();
