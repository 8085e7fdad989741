// The dashboard's shell: asks for a token once per tab, then routes #/tasks, #/tasks/ID and #/replicas.
import {forgetToken, getJson, setToken, token, whenUnauthorized} from './api.js';
import {el, errorBox} from './ui.js';
import {Watch} from './watch.js';
import {taskList} from './list.js';
import {taskPage} from './task.js';
import {replicasPage} from './replicas.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
const forget = document.getElementById('forget');
let watch = null;
let leave = () => {};

const STATUS = {
  connecting: ['connecting…', 'pending'],
  live: ['● live', 'on'],
  reconnecting: ['reconnecting…', 'pending'],
  polling: ['updating every 3 s', 'pending'],
};

function startWatch() {
  if (watch) return;
  watch = new Watch();
  watch.onStatus(s => {
    const [text, cls] = STATUS[s] || [s, 'pending'];
    live.textContent = text;
    live.className = `live ${cls}`;
  });
  watch.start();
}

function stopWatch() {
  if (watch) watch.stop();
  watch = null;
  live.textContent = '';
}

function route() {
  leave();
  leave = () => {};
  if (!token()) {
    login();
    return;
  }
  forget.hidden = false;
  startWatch();
  const hash = location.hash.replace(/^#\/?/, '');
  const [path, q = ''] = hash.split('?');
  const parts = path.split('/').filter(Boolean);
  const page = parts[0] || 'tasks';
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (page === 'tasks' && parts.length > 1) {
    const id = decodeURIComponent(parts.slice(1).join('/'));
    document.title = `${id} · Drover`;
    leave = taskPage(main, id, watch);
  } else if (page === 'replicas') {
    document.title = 'Replicas · Drover';
    leave = replicasPage(main);
  } else {
    document.title = 'Tasks · Drover';
    leave = taskList(main, new URLSearchParams(q), watch);
  }
}

function login(why) {
  stopWatch();
  forget.hidden = true;
  const input = el('input', {id: 'token', type: 'password', name: 'token', autocomplete: 'off', required: true, autofocus: true});
  const message = el('div', {class: 'message'}, why ? errorBox(why) : null);
  const form = el('form', {class: 'login', onsubmit: async e => {
    e.preventDefault();
    setToken(input.value.trim());
    try {
      await getJson('/api/v1/tasks?limit=1');
      route();
    } catch (err) {
      if (err.status !== 401) message.replaceChildren(errorBox(err.message));
    }
  }},
  el('h1', {}, 'Drover'),
  el('p', {}, 'Enter a bearer token of this server (a line of its --token-file). It is kept in this tab only.'),
  el('label', {for: 'token'}, 'Token'), input,
  el('button', {type: 'submit'}, 'Open'),
  message);
  main.replaceChildren(form);
  input.focus();
}

whenUnauthorized(err => {
  leave();
  leave = () => {};
  login(`The server did not take the token: ${err.message}`);
});
forget.addEventListener('click', () => {
  forgetToken();
  route();
});
window.addEventListener('hashchange', route);
// Leaving the page (a navigation, a closed tab): end its streams now. Chromium may keep a left page's
// open requests (the watch, a followed log) and with them its six connections per host, so the next
// pages wait for a connection (a minute, measured).
window.addEventListener('pagehide', () => {
  leave();
  leave = () => {};
  stopWatch();
});
window.addEventListener('pageshow', e => {
  if (e.persisted) route(); // back from the back/forward cache: open the streams again
});
route();
