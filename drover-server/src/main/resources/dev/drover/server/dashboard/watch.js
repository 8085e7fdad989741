// One watch of task changes for the whole page, read with fetch() (EventSource cannot send a bearer
// token). After a drop it reconnects with Last-Event-ID, so no change is lost or seen twice; views
// subscribe to changes and to "resync" (after a reconnect, when they should read again anyway).
import {api, readText} from './api.js';

/** Feeds text in, calls onEvent({id, event, data}) per event and onComment(text) per comment line. */
export function sseParser(onEvent, onComment = () => {}) {
  let buffer = '';
  let data = [];
  let id = null;
  let event = 'message';
  const line = l => {
    if (l === '') {
      if (data.length) onEvent({id, event, data: data.join('\n')});
      data = [];
      event = 'message';
      return;
    }
    if (l.startsWith(':')) return onComment(l.slice(1).trim());
    const colon = l.indexOf(':');
    const field = colon < 0 ? l : l.slice(0, colon);
    let value = colon < 0 ? '' : l.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onComment(`retry ${value}`);
  };
  return text => {
    buffer += text;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      line(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
  };
}

export class Watch {
  constructor() {
    this.listeners = new Set();
    this.statusListeners = new Set();
    this.last = null; // the id of the last change seen: where a reconnect resumes
    this.retry = 2000;
    this.controller = null;
    this.running = false;
    this.status = 'connecting';
  }

  /** fn({type: 'change', change}) or fn({type: 'resync'}); returns the unsubscribe function. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  onStatus(fn) {
    this.statusListeners.add(fn);
    fn(this.status);
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  stop() {
    this.running = false;
    if (this.controller) this.controller.abort();
  }

  emit(e) {
    for (const fn of [...this.listeners]) {
      try {
        fn(e);
      } catch (err) {
        console.error('a watch listener failed', err);
      }
    }
  }

  setStatus(s) {
    this.status = s;
    for (const fn of this.statusListeners) fn(s);
  }

  async loop() {
    let failures = 0;
    let connectedBefore = false;
    while (this.running) {
      this.controller = new AbortController();
      try {
        const headers = this.last !== null ? {'Last-Event-ID': this.last} : {};
        const res = await api('/api/v1/watch', {accept: 'text/event-stream', headers, signal: this.controller.signal});
        this.setStatus('live');
        if (connectedBefore) this.emit({type: 'resync'});
        connectedBefore = true;
        failures = 0;
        await readText(res, sseParser(e => this.event(e), c => this.comment(c)));
      } catch (err) {
        if (!this.running) return;
        if (err.status === 401) {
          this.running = false;
          return;
        }
        if (err.status === 404) {
          // A server without the watch: read again every few seconds instead.
          this.setStatus('polling');
          await delay(3000);
          this.emit({type: 'resync'});
          continue;
        }
        failures++;
      }
      if (!this.running) return;
      this.setStatus('reconnecting');
      await delay(Math.min(this.retry * Math.max(1, failures), 15000));
    }
  }

  event(e) {
    if (e.id !== null && e.id !== '') this.last = e.id;
    if (e.event !== 'change') return;
    let change;
    try {
      change = JSON.parse(e.data);
    } catch {
      return;
    }
    this.emit({type: 'change', change});
  }

  comment(c) {
    const retry = /^retry (\d+)$/.exec(c);
    if (retry) this.retry = Number(retry[1]);
    // The server says where the stream starts; resuming from there loses nothing even before a first change.
    const start = /^watching task changes after (\d+)$/.exec(c);
    if (start && this.last === null) this.last = start[1];
  }
}

const delay = ms => new Promise(r => setTimeout(r, ms));
