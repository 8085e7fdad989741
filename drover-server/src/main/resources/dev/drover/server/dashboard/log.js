// A container log in a <pre>: read with fetch and shown as it streams (follow=true keeps the answer
// open while the container runs). Only the newest part is kept in the page, so a huge log stays cheap.
import {api, readText} from './api.js';

const MAX_PIECES = 20000;

export class LogView {
  constructor() {
    this.pre = el('pre', 'log');
    this.pre.setAttribute('tabindex', '0');
    this.pre.setAttribute('aria-label', 'Log');
    this.status = el('span', 'log-status');
    this.status.setAttribute('role', 'status');
    this.controller = null;
    this.waiting = false; // no log to read yet: open again when the task moves on
  }

  /** Reads url into the view; keepTrying() says whether a broken stream is worth reading again. */
  async open(url, keepTrying) {
    this.close();
    const controller = new AbortController();
    this.controller = controller;
    this.waiting = false;
    this.pre.replaceChildren();
    this.say('reading…');
    let bytes = 0;
    try {
      const res = await api(url, {accept: 'text/plain', signal: controller.signal});
      this.say(keepTrying() ? 'following live…' : 'reading…');
      this.pre.classList.add('streaming');
      await readText(res, text => {
        bytes += text.length;
        this.append(text);
      });
      if (controller.signal.aborted) return;
      this.say(bytes ? 'end of log' : 'end of log (empty)');
    } catch (err) {
      if (controller.signal.aborted) return;
      if (err.status === 404 || err.status === 409) {
        this.waiting = true;
        this.say(`no log yet: ${err.message}`);
      } else if (err.status) {
        this.say(`log unavailable: ${err.message}`);
      } else if (keepTrying()) {
        this.say('connection lost; reading again…');
        setTimeout(() => { if (this.controller === controller) this.open(url, keepTrying); }, 2000);
      } else {
        this.say(`log stream broke: ${err.message}`);
      }
    } finally {
      this.pre.classList.remove('streaming');
    }
  }

  append(text) {
    const atBottom = this.pre.scrollHeight - this.pre.scrollTop - this.pre.clientHeight < 40;
    this.pre.append(document.createTextNode(text));
    while (this.pre.childNodes.length > MAX_PIECES) this.pre.firstChild.remove();
    if (atBottom) this.pre.scrollTop = this.pre.scrollHeight;
  }

  say(text) {
    this.status.textContent = text;
  }

  close() {
    if (this.controller) this.controller.abort();
    this.controller = null;
  }
}

function el(tag, cls) {
  const e = document.createElement(tag);
  e.className = cls;
  return e;
}
