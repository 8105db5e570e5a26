// #/graph : the components as boxes coloured by health, an arrow from each
// referenced component to the component that references it (data flow).
import { getJSON } from './api.js';
import { h, s, renderIfChanged } from './dom.js';
import { layoutGraph } from './layout.js';
import { badge } from './render.js';

function splitId(id) {
  // "prometheus.scrape.pods" -> name "prometheus.scrape", label "pods" (the label is the last part).
  const i = id.lastIndexOf('.');
  return i > 0 ? [id.slice(0, i), id.slice(i + 1)] : [id, ''];
}

function buildSvg(list) {
  const health = new Map(list.map((c) => [c.id, c.health]));
  const g = layoutGraph(list.map((c) => ({ id: c.id, references: c.references })));
  const go = (id) => () => {
    location.hash = `#/component/${encodeURIComponent(id)}`;
  };
  return s(
    'svg',
    { id: 'graph', width: g.width, height: g.height, viewBox: `0 0 ${g.width} ${g.height}`, role: 'img', 'aria-label': 'component graph' },
    s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
    s(
      'g',
      { class: 'edges' },
      g.edges.map((e) => s('path', { class: 'edge', d: e.d, 'data-from': e.from, 'data-to': e.to, 'marker-end': 'url(#arrow)' }, s('title', {}, `${e.to} references ${e.from}`))),
    ),
    s(
      'g',
      { class: 'nodes' },
      g.nodes.map((n) => {
        const hl = health.get(n.id);
        const [name, label] = splitId(n.id);
        return s(
          'g',
          { class: `node ${hl.state}`, 'data-id': n.id, 'data-health': hl.state, 'data-layer': n.layer, transform: `translate(${n.x},${n.y})`, tabindex: 0, onclick: go(n.id), onkeydown: (ev) => ev.key === 'Enter' && go(n.id)() },
          s('title', {}, `${n.id}: ${hl.state}${hl.message ? ` — ${hl.message}` : ''}`),
          s('rect', { width: n.w, height: n.h, rx: 6, ry: 6 }),
          s('text', { x: 10, y: 18, class: 'name' }, name),
          s('text', { x: 10, y: 34, class: 'label' }, label),
        );
      }),
    ),
  );
}

export function mount(root) {
  const region = h('div', { class: 'graph-wrap' });
  root.append(
    h('h1', {}, 'Graph'),
    h('p', { class: 'legend' }, 'Arrows point from a component to the components that reference its exports. ', badge('healthy'), ' ', badge('unhealthy'), ' ', badge('unknown')),
    region,
  );
  return {
    async refresh() {
      const list = await getJSON('components');
      const shape = list.map((c) => ({ id: c.id, references: c.references, state: c.health.state, message: c.health.message }));
      renderIfChanged(region, shape, () => (list.length ? buildSvg(list) : h('p', { class: 'muted' }, 'No components are running.')));
    },
  };
}
