// The task list: one page from the server (never all tasks), filters, counts by state over the whole
// store, rows kept current from the watch.
import {getJson, query} from './api.js';
import {STATES, debounced, el, errorBox, stateBadge, throttled, time} from './ui.js';

const PAGE_SIZES = [25, 50, 100, 250, 500];
// Cursors of the pages before this one, per filter, so "Previous" works without the server keeping any.
const earlier = new Map();

/** Renders the list into root for the hash's query; returns what stops it. */
export function taskList(root, params, watch) {
  const filters = {
    state: (params.get('state') || '').toUpperCase(),
    labelSelector: params.get('labelSelector') || '',
    name: params.get('name') || '',
    limit: Number(params.get('limit')) || 100,
  };
  const cursor = params.get('cursor') || '';
  const key = JSON.stringify(filters);
  const stack = earlier.get(key) || [];
  earlier.clear();
  earlier.set(key, stack);
  while (stack.length && stack[stack.length - 1] === cursor) stack.pop();

  const chosen = new Set(filters.state.split(',').filter(Boolean));
  const counts = el('div', {class: 'counts', role: 'group', 'aria-label': 'Tasks by state; choose states to show'});
  const message = el('div', {class: 'message'});
  const body = el('tbody');
  const pageInfo = el('span', {class: 'page-info'});
  const prev = el('button', {type: 'button', onclick: () => go(stack.length ? stack[stack.length - 1] : '', true)}, '‹ Previous');
  const first = el('button', {type: 'button', onclick: () => { stack.length = 0; go(''); }}, '« First');
  const next = el('button', {type: 'button'}, 'Next ›');

  const nameInput = el('input', {id: 'f-name', name: 'name', value: filters.name, placeholder: 'exact name', autocomplete: 'off'});
  const labelInput = el('input', {id: 'f-labels', name: 'labelSelector', value: filters.labelSelector, placeholder: 'team=etl,tier in (a,b)', autocomplete: 'off'});
  const sizeSelect = el('select', {id: 'f-limit', name: 'limit'},
    PAGE_SIZES.concat(PAGE_SIZES.includes(filters.limit) ? [] : [filters.limit]).map(n => el('option', {value: n, selected: n === filters.limit}, n)));
  sizeSelect.addEventListener('change', () => apply());
  const form = el('form', {class: 'filters', onsubmit: e => { e.preventDefault(); apply(); }},
    el('label', {for: 'f-name'}, 'Name'), nameInput,
    el('label', {for: 'f-labels'}, 'Labels'), labelInput,
    el('label', {for: 'f-limit'}, 'Per page'), sizeSelect,
    el('button', {type: 'submit'}, 'Filter'),
    el('button', {type: 'button', class: 'quiet', onclick: () => { chosen.clear(); nameInput.value = ''; labelInput.value = ''; apply(); }}, 'Clear'));

  root.replaceChildren(
    el('h1', {}, 'Tasks'),
    counts,
    form,
    message,
    el('table', {class: 'tasks'},
      el('thead', {}, el('tr', {},
        ['Name', 'State', 'Try', 'Namespace', 'Reason', 'Updated', 'ID'].map(h => el('th', {scope: 'col'}, h)))),
      body),
    el('nav', {class: 'pager', 'aria-label': 'Pages of tasks'}, first, prev, pageInfo, next));

  let page = {items: [], counts: null};
  const rows = new Map();
  let seq = 0;
  let stopped = false;

  function hash(f, c) {
    return `#/tasks${query({state: f.state, labelSelector: f.labelSelector, name: f.name, limit: f.limit === 100 ? '' : f.limit, cursor: c})}`;
  }

  function go(c, back = false) {
    if (!back && c) stack.push(cursor);
    if (back) stack.pop();
    location.hash = hash(filters, c);
  }

  function apply() {
    const f = {state: [...chosen].join(','), labelSelector: labelInput.value.trim(), name: nameInput.value.trim(), limit: Number(sizeSelect.value)};
    earlier.clear();
    location.hash = hash(f, '');
  }

  async function load() {
    const mine = ++seq;
    try {
      const p = await getJson(`/api/v1/tasks${query({...filters, limit: filters.limit, cursor})}`);
      if (stopped || mine !== seq) return;
      page = p;
      message.replaceChildren();
      render();
    } catch (err) {
      if (stopped || mine !== seq) return;
      message.replaceChildren(errorBox(err.message));
    }
  }
  const refresh = throttled(load, 1000);
  // The server caches its counts for a second: once changes stop, read once more past that.
  const settle = debounced(load, 1500);

  function render() {
    renderCounts();
    rows.clear();
    body.replaceChildren(...page.items.map(t => {
      const tr = row(t);
      rows.set(t.id, {tr, task: t});
      return tr;
    }));
    if (!page.items.length) {
      body.append(el('tr', {}, el('td', {colspan: 7, class: 'empty'}, cursor ? 'No more tasks.' : 'No tasks match.')));
    }
    const n = stack.length + 1;
    pageInfo.textContent = `Page ${n} · ${page.items.length} task${page.items.length === 1 ? '' : 's'}`;
    prev.disabled = !cursor;
    first.disabled = !cursor;
    next.disabled = !page.nextCursor;
    next.onclick = () => go(page.nextCursor);
  }

  function renderCounts() {
    const c = page.counts;
    if (!c) {
      counts.replaceChildren();
      return;
    }
    const total = STATES.reduce((s, st) => s + (c[st] || 0), 0);
    counts.replaceChildren(
      el('button', {type: 'button', class: 'count all', 'aria-pressed': String(chosen.size === 0), onclick: () => { chosen.clear(); apply(); }},
        'All ', el('strong', {class: 'n'}, total)),
      ...STATES.map(st => el('button', {
        type: 'button', class: 'count', dataset: {state: st}, 'aria-pressed': String(chosen.has(st)),
        onclick: () => { chosen.has(st) ? chosen.delete(st) : chosen.add(st); apply(); },
      }, stateBadge(st), ' ', el('strong', {class: 'n'}, c[st] || 0))));
  }

  function row(t) {
    return el('tr', {dataset: {id: t.id, state: t.state}},
      el('td', {}, el('a', {href: `#/tasks/${encodeURIComponent(t.id)}`}, t.name)),
      el('td', {class: 'state-cell'}, stateBadge(t.state), t.cancelRequested && !['CANCELLED'].includes(t.state) ? el('span', {class: 'muted'}, ' (cancel asked)') : null),
      el('td', {class: 'num'}, t.try),
      el('td', {}, t.namespace),
      el('td', {class: 'reason'}, t.failureSummary || t.reason || ''),
      el('td', {}, time(t.updatedAt)),
      el('td', {class: 'id'}, t.id));
  }

  const unsubscribe = watch.subscribe(e => {
    if (e.type === 'change') {
      const c = e.change;
      const known = rows.get(c.task);
      if (known) {
        // At once, before the page is read again: the row shows the new state as it happens.
        const t = {...known.task, state: c.to, try: c.try, reason: c.reason, updatedAt: c.at};
        if (t.state !== known.task.state) delete t.failureSummary;
        const tr = row(t);
        tr.classList.add('changed');
        known.tr.replaceWith(tr);
        rows.set(c.task, {tr, task: t});
      }
      if (page.counts) {
        if (c.from) page.counts[c.from] = Math.max(0, (page.counts[c.from] || 0) - 1);
        page.counts[c.to] = (page.counts[c.to] || 0) + 1;
        renderCounts();
      }
    }
    // New tasks, tasks leaving the filter, failure summaries: from the server, at most once a second.
    refresh();
    settle();
  });
  load();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
