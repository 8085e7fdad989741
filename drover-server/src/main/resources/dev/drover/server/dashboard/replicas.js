// The replicas on the store: who is alive, their heartbeats and work in flight, read every few seconds.
import {getJson} from './api.js';
import {el, errorBox, time} from './ui.js';

export function replicasPage(root) {
  const body = el('tbody');
  const message = el('div', {class: 'message'});
  root.replaceChildren(
    el('h1', {}, 'Replicas'),
    message,
    el('table', {class: 'replicas'},
      el('thead', {}, el('tr', {}, ['ID', 'Host', 'State', 'Alive', 'Heartbeat', 'In flight', 'Version', 'Started'].map(h => el('th', {scope: 'col'}, h)))),
      body));
  let stopped = false;
  async function load() {
    try {
      const r = await getJson('/api/v1/replicas');
      if (stopped) return;
      message.replaceChildren();
      body.replaceChildren(...(r.items.length ? r.items.map(x => el('tr', {dataset: {id: x.id}},
        el('td', {class: 'id'}, x.id, x.id === r.self ? el('span', {class: 'tag'}, ' this server') : null),
        el('td', {}, x.host),
        el('td', {}, x.state),
        el('td', {}, el('span', {class: x.alive ? 'alive yes' : 'alive no'}, x.alive ? '● alive' : '○ not alive')),
        el('td', {}, `${x.heartbeatAgeSeconds.toFixed(1)} s ago`),
        el('td', {class: 'num'}, x.inFlight),
        el('td', {}, x.version || ''),
        el('td', {}, time(x.startedAt)))) : [el('tr', {}, el('td', {colspan: 8, class: 'empty'}, 'No replicas on this store.'))]));
    } catch (err) {
      if (!stopped) message.replaceChildren(errorBox(err.message));
    }
  }
  load();
  const timer = setInterval(load, 5000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
