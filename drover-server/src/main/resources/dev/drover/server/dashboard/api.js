// The API with the page's bearer token. The token lives in sessionStorage: this tab only, gone when it closes.

const KEY = 'drover.token';
let unauthorized = () => {};

export const token = () => sessionStorage.getItem(KEY);
export const setToken = t => sessionStorage.setItem(KEY, t);
export const forgetToken = () => sessionStorage.removeItem(KEY);
/** What to do when the server does not take the token (ask for it again). */
export const whenUnauthorized = fn => { unauthorized = fn; };

export class ApiError extends Error {
  constructor(status, problem) {
    super([problem.detail || problem.title || `HTTP ${status}`, problem.fix].filter(Boolean).join(' — '));
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, {method = 'GET', body, signal, accept = 'application/json', headers = {}} = {}) {
  const h = {...headers, Accept: accept, Authorization: `Bearer ${token() || ''}`};
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(path, {method, headers: h, signal, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body)});
  if (!res.ok) {
    const err = new ApiError(res.status, await problem(res));
    if (res.status === 401) {
      forgetToken();
      unauthorized(err);
    }
    throw err;
  }
  return res;
}

export const getJson = async (path, opts) => (await api(path, opts)).json();

async function problem(res) {
  try {
    return await res.json();
  } catch {
    return {title: `${res.status} ${res.statusText}`};
  }
}

/** Reads a streamed answer as text pieces until it ends (or the signal aborts it). */
export async function readText(res, onText) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    onText(decoder.decode(value, {stream: true}));
  }
  const rest = decoder.decode();
  if (rest) onText(rest);
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
