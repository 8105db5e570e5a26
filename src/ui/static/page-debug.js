// #/debug/<id> : the live debugging stream of one component
// (GET api/v0/web/debug/<id>?sampleProb=..., items separated by "|;|").
// Sample rate and window (how many of the newest items stay on screen) as in
// Alloy's UI; pause stops reading (the server stops publishing: nobody watches).
import { h } from './dom.js';
import { errorBox } from './render.js';

const DELIMITER = '|;|';
const WINDOWS = [100, 1000, 5000];

export function mount(root, id) {
  let items = [];
  let total = 0;
  let abort;
  let windowSize = 1000;
  let sample = 1;
  let paused = false;
  const list = h('pre', { id: 'live-lines', class: 'live-lines' });
  const counter = h('span', { id: 'live-count', class: 'muted' }, '0 items');
  const message = h('div', { id: 'live-error' });
  const rate = h('input', { id: 'live-sample', type: 'number', min: '0', max: '100', step: '1', value: '100', title: 'percent of the items to show' });
  const win = h('select', { id: 'live-window' }, WINDOWS.map((n) => h('option', { value: String(n), selected: n === windowSize }, `last ${n}`)));
  const pause = h('button', { id: 'live-pause', type: 'button' }, 'Pause');
  const clear = h('button', { id: 'live-clear', type: 'button' }, 'Clear');

  const render = () => {
    list.textContent = items.join('\n');
    counter.textContent = `${total} items received, ${items.length} shown`;
  };
  const add = (newItems) => {
    if (newItems.length === 0) return;
    total += newItems.length;
    items = items.concat(newItems).slice(-windowSize);
    render();
  };

  async function connect() {
    abort?.abort();
    if (paused) return;
    const ctl = (abort = new AbortController());
    message.replaceChildren();
    let res;
    try {
      res = await fetch(`api/v0/web/debug/${encodeURIComponent(id)}?sampleProb=${sample}`, { signal: ctl.signal, cache: 'no-store' });
    } catch (e) {
      if (!ctl.signal.aborted) message.replaceChildren(errorBox(`cannot connect: ${e.message}`));
      return;
    }
    if (!res.ok || !res.body) {
      let reason = `HTTP ${res.status}`;
      try {
        reason = (await res.json()).error ?? reason;
      } catch {
        // the status says it
      }
      message.replaceChildren(errorBox(reason));
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let rest = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || ctl.signal.aborted) break;
        // An item may be split across chunks: keep the tail until its delimiter arrives.
        const parts = (rest + decoder.decode(value, { stream: true })).split(DELIMITER);
        rest = parts.pop() ?? '';
        add(parts);
      }
    } catch (e) {
      if (!ctl.signal.aborted) message.replaceChildren(errorBox(`stream ended: ${e.message}`));
    }
  }

  rate.addEventListener('change', () => {
    const v = Math.min(100, Math.max(0, Number(rate.value) || 0));
    rate.value = String(v);
    sample = v / 100;
    void connect();
  });
  win.addEventListener('change', () => {
    windowSize = Number(win.value);
    items = items.slice(-windowSize);
    render();
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (paused) abort?.abort();
    else void connect();
  });
  clear.addEventListener('click', () => {
    items = [];
    total = 0;
    render();
  });

  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: `#/component/${encodeURIComponent(id)}` }, `← ${id}`)),
    h('h1', {}, `Live debugging: ${id}`),
    h('div', { class: 'card live-controls' }, h('label', {}, 'Sample rate (%) ', rate), ' ', h('label', {}, 'Window ', win), ' ', pause, ' ', clear, ' ', counter),
    message,
    h('section', { class: 'card' }, list),
  );
  void connect();
  return {
    async refresh() {},
    unmount() {
      abort?.abort();
    },
  };
}
