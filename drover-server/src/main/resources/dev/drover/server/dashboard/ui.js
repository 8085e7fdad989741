// Small DOM helpers and how states look: colour plus text and a symbol, never colour alone.

export const STATES = ['QUEUED', 'LAUNCHING', 'PENDING', 'RUNNING', 'UP_FOR_RETRY', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const SYMBOLS = {
  QUEUED: '…', LAUNCHING: '↗', PENDING: '◷', RUNNING: '▶', UP_FOR_RETRY: '↻',
  SUCCEEDED: '✓', FAILED: '✗', CANCELLED: '⊘',
};

/** el('a', {href: '#/x', class: 'c', onclick: f}, 'text', child…) */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  e.append(...children.flat().filter(c => c !== undefined && c !== null && c !== false).map(c => (c instanceof Node ? c : String(c))));
  return e;
}

export function stateBadge(state) {
  const s = state || 'UNKNOWN';
  return el('span', {class: `state state-${s.toLowerCase()}`, dataset: {state: s}},
    el('span', {class: 'symbol', 'aria-hidden': 'true'}, SYMBOLS[s] || '?'), ' ', s);
}

/** Local time: hh:mm:ss today, else with the date; the full instant on hover. */
export function time(iso) {
  if (!iso) return el('span', {class: 'muted'}, '—');
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  const text = today ? d.toLocaleTimeString([], {hour12: false}) : `${d.toISOString().slice(0, 10)} ${d.toLocaleTimeString([], {hour12: false})}`;
  return el('time', {datetime: iso, title: iso}, text);
}

export function errorBox(message) {
  return el('p', {class: 'error', role: 'alert'}, message);
}

/** Calls fn at most once per `gap` ms, the last call always taking effect. */
export function throttled(fn, gap) {
  let timer = null;
  let last = 0;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      fn();
    }, Math.max(0, last + gap - Date.now()));
  };
}

/** Calls fn once calls have stopped for `quiet` ms. */
export function debounced(fn, quiet) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(fn, quiet);
  };
}
