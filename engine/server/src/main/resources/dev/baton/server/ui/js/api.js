// The REST API, with the operator's token (typed into the page, kept in this tab's sessionStorage) as a bearer token.

const TOKEN_KEY = 'baton.token';

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** A problem document (RFC 9457) the API answered with, or a network failure described the same way. */
export class ApiError extends Error {
  constructor(problem) {
    super(`${problem.title}: ${problem.detail}`);
    this.problem = problem;
  }
}

function headers(extra = {}) {
  const out = {Accept: 'application/json, application/problem+json', ...extra};
  const t = token();
  if (t) out.Authorization = `Bearer ${t}`;
  return out;
}

async function call(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined ? {} : {'Content-Type': 'application/json'}),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError({status: 0, title: 'The server cannot be reached', detail: String(e.message || e)});
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    throw new ApiError(typeof data === 'object' && data
      ? data : {status: res.status, title: `HTTP ${res.status}`, detail: String(data).slice(0, 300)});
  }
  return data;
}

/** GET path with the query parameters that are set. */
export function get(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const qs = q.toString();
  return call('GET', qs ? `${path}?${qs}` : path);
}

export function post(path, body) {
  return call('POST', path, body);
}
