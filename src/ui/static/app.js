// The UI shell: hash routing (#/, #/component/<id>, #/graph, #/cluster,
// #/targets, #/remotecfg, #/debug/<id>) and a 2 s poll that lets the current page update its DOM in place.
import { h } from './dom.js';
import { errorBox, refreshTimes } from './render.js';
import * as components from './page-components.js';
import * as component from './page-component.js';
import * as graph from './page-graph.js';
import * as cluster from './page-cluster.js';
import * as targets from './page-targets.js';
import * as remotecfg from './page-remotecfg.js';
import * as debug from './page-debug.js';

const POLL_MS = 2000;
const root = document.getElementById('app');
const status = document.getElementById('status');

let current; // { page, generation }
let generation = 0;
let timer;

function parseHash() {
  const path = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  if (path.startsWith('component/')) return { nav: 'components', page: component, param: path.slice('component/'.length) };
  if (path.startsWith('debug/')) return { nav: 'components', page: debug, param: path.slice('debug/'.length) };
  switch (path) {
    case 'graph':
      return { nav: 'graph', page: graph };
    case 'cluster':
      return { nav: 'cluster', page: cluster };
    case 'targets':
      return { nav: 'targets', page: targets };
    case 'remotecfg':
      return { nav: 'remotecfg', page: remotecfg };
    case '':
    case 'components':
      return { nav: 'components', page: components };
    default:
      return { nav: '', page: undefined, param: path };
  }
}

function setStatus(ok, text) {
  status.textContent = text;
  status.className = `status ${ok ? 'ok' : 'bad'}`;
}

async function tick(gen) {
  if (gen !== generation || !current) return;
  try {
    await current.refresh();
    if (gen !== generation) return;
    refreshTimes(root);
    setStatus(true, `live · ${new Date().toLocaleTimeString()}`);
  } catch (e) {
    if (gen !== generation) return;
    setStatus(false, `update failed: ${e.message}`);
  }
  clearTimeout(timer);
  timer = setTimeout(() => tick(gen), POLL_MS);
}

function route() {
  const gen = ++generation;
  clearTimeout(timer);
  current?.unmount?.(); // a streaming page stops its stream
  const r = parseHash();
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.getAttribute('data-nav') === r.nav);
  root.replaceChildren();
  if (!r.page) {
    current = undefined;
    root.append(errorBox(`No page "${r.param}".`), h('p', {}, h('a', { href: '#/' }, 'Back to the components')));
    return;
  }
  current = r.page.mount(root, r.param);
  void tick(gen);
}

window.addEventListener('hashchange', route);
route();
