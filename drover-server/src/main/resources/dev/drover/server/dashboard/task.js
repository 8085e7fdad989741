// One task: facts, failure details, the transitions timeline, tries, Events, the log (followed live
// while its container runs) and the spec. Kept current from the watch.
import {ApiError, api, getJson, query} from './api.js';
import {TERMINAL, el, errorBox, stateBadge, throttled, time} from './ui.js';
import {LogView} from './log.js';

export function taskPage(root, id, watch) {
  const path = `/api/v1/tasks/${encodeURIComponent(id)}`;
  const head = el('div', {class: 'task-head'});
  const message = el('div', {class: 'message'});
  const failure = el('section', {class: 'failure', 'aria-labelledby': 'h-failure', hidden: true});
  const timeline = el('ol', {class: 'timeline'});
  const tries = el('tbody');
  const events = el('tbody');
  const spec = el('pre', {class: 'spec'});
  const trySelect = el('select', {id: 'log-try'});
  const log = new LogView();
  let chosenTry = null; // null: follow the latest try
  trySelect.addEventListener('change', () => {
    chosenTry = Number(trySelect.value);
    readEvents();
    openLog();
  });

  root.replaceChildren(
    el('nav', {class: 'crumbs', 'aria-label': 'Breadcrumb'}, el('a', {href: '#/tasks'}, 'Tasks'), ' / ', el('span', {}, id)),
    head, message, failure,
    el('section', {'aria-labelledby': 'h-log'},
      el('h2', {id: 'h-log'}, 'Log'),
      el('div', {class: 'log-controls'}, el('label', {for: 'log-try'}, 'Try'), trySelect, log.status),
      log.pre),
    el('section', {'aria-labelledby': 'h-timeline'}, el('h2', {id: 'h-timeline'}, 'Transitions'), timeline),
    el('section', {'aria-labelledby': 'h-tries'}, el('h2', {id: 'h-tries'}, 'Tries'),
      el('table', {class: 'tries'}, el('thead', {}, el('tr', {}, ['Try', 'Pod', 'State', 'Reason', 'Started', 'Updated'].map(h => el('th', {scope: 'col'}, h)))), tries)),
    el('section', {'aria-labelledby': 'h-events'}, el('h2', {id: 'h-events'}, 'Events'),
      el('table', {class: 'events'}, el('thead', {}, el('tr', {}, ['Type', 'Reason', 'Message', 'Count', 'Last seen', 'From'].map(h => el('th', {scope: 'col'}, h)))), events)),
    el('section', {'aria-labelledby': 'h-spec'}, el('h2', {id: 'h-spec'}, 'Spec'), spec));

  let task = null;
  let stopped = false;
  let logTry = null;

  async function load() {
    try {
      const t = await getJson(path);
      if (stopped) return;
      const first = task === null;
      const tryChanged = task && task.try !== t.try;
      task = t;
      message.replaceChildren();
      render();
      if (first || tryChanged) readEvents();
      if (chosenTry === null && logTry !== t.try) openLog();
      else if (log.waiting && !TERMINAL.has(t.state)) openLog(); // the pod may run now
    } catch (err) {
      if (!stopped) message.replaceChildren(errorBox(err.message));
    }
  }
  const refresh = throttled(load, 500);
  const refreshEvents = throttled(readEvents, 2000);

  function render() {
    const t = task;
    const cancel = !TERMINAL.has(t.state) && !t.cancelRequested
      ? el('button', {type: 'button', class: 'danger', onclick: cancelTask}, 'Cancel task') : null;
    head.replaceChildren(
      el('h1', {}, t.name, ' ', stateBadge(t.state)),
      el('dl', {class: 'facts'},
        fact('ID', t.id), fact('Namespace', t.namespace), fact('Cluster', t.cluster), fact('Try', t.try),
        fact('Pod', t.pod || '—'), fact('Reason', t.reason || '—'), fact('Owner', t.owner || '—'),
        fact('Created', time(t.createdAt)), fact('Updated', time(t.updatedAt)),
        t.nextAttemptAt ? fact('Next attempt', time(t.nextAttemptAt)) : null,
        t.cancelRequested ? fact('Cancel', 'requested') : null,
        t.infraFailures ? fact('Infrastructure failures', t.infraFailures) : null),
      ...(cancel ? [cancel] : []));

    const f = t.failure;
    failure.hidden = !f;
    if (f) {
      failure.replaceChildren(...[
        el('h2', {id: 'h-failure'}, 'Failure'),
        el('dl', {class: 'facts'},
          fact('Reason', f.reason), f.message ? fact('Message', f.message) : null,
          f.container ? fact('Container', f.container) : null,
          f.exitCode !== undefined && f.exitCode !== null ? fact('Exit code', f.exitCode) : null),
        f.events && f.events.length ? el('div', {}, el('h3', {}, 'Events at the failure'), el('ul', {class: 'failure-events'}, f.events.map(e => el('li', {}, e)))) : null,
        f.logTail && f.logTail.length ? el('div', {}, el('h3', {}, 'Last log lines'), el('pre', {class: 'log-tail'}, f.logTail.join('\n'))) : null,
      ].filter(Boolean));
    }

    timeline.replaceChildren(...(t.transitions || []).map(tr => el('li', {dataset: {to: tr.to}},
      time(tr.at), ' ', el('span', {class: 'try'}, `try ${tr.try}`), ' ',
      tr.from ? stateBadge(tr.from) : el('span', {class: 'muted'}, 'new'), el('span', {class: 'arrow', 'aria-label': 'to'}, ' → '), stateBadge(tr.to),
      tr.reason ? el('span', {class: 'reason'}, ` ${tr.reason}`) : null)));

    tries.replaceChildren(...(t.tries || []).map(x => el('tr', {},
      el('td', {class: 'num'}, x.try), el('td', {class: 'id'}, x.pod), el('td', {}, stateBadge(x.state)),
      el('td', {}, x.reason || ''), el('td', {}, time(x.startedAt)), el('td', {}, time(x.updatedAt)))));

    const latest = t.try;
    const want = chosenTry ?? latest;
    trySelect.replaceChildren(...Array.from({length: Math.max(1, latest)}, (_, i) => i + 1).reverse()
      .map(n => el('option', {value: n, selected: n === want}, n === latest ? `${n} (latest)` : n)));

    spec.textContent = JSON.stringify(t.spec, null, 2);
  }

  async function readEvents() {
    if (!task) return;
    try {
      const r = await getJson(`${path}/events${query({try: chosenTry ?? ''})}`);
      if (stopped) return;
      events.replaceChildren(...(r.items.length ? r.items.map(e => el('tr', {class: e.type === 'Warning' ? 'warning' : ''},
        el('td', {}, e.type), el('td', {}, e.reason), el('td', {class: 'message'}, e.message), el('td', {class: 'num'}, e.count ?? ''),
        el('td', {}, time(e.lastTimestamp || e.firstTimestamp)), el('td', {}, e.source || ''))) : [el('tr', {}, el('td', {colspan: 6, class: 'empty'}, 'No Events.'))]));
    } catch (err) {
      if (!stopped) events.replaceChildren(el('tr', {}, el('td', {colspan: 6}, errorBox(err.message))));
    }
  }

  function openLog() {
    logTry = chosenTry ?? task.try;
    log.open(`${path}/logs${query({try: logTry, tail: 10000, follow: 'true'})}`, () => !stopped && task && !TERMINAL.has(task.state));
  }

  async function cancelTask() {
    try {
      await api(`${path}/cancel`, {method: 'POST'});
      refresh();
    } catch (err) {
      message.replaceChildren(errorBox(err instanceof ApiError ? `Cancel: ${err.message}` : String(err)));
    }
  }

  const unsubscribe = watch.subscribe(e => {
    if (e.type === 'resync' || e.change.task === id) {
      refresh();
      refreshEvents();
    }
  });
  load();
  return () => {
    stopped = true;
    unsubscribe();
    log.close();
  };
}

function fact(name, value) {
  return el('div', {class: 'fact'}, el('dt', {}, name), el('dd', {}, value));
}
