// #/ : every component with its health, filterable by id, health or message.
import { getJSON } from './api.js';
import { h, renderIfChanged } from './dom.js';
import { matches } from './format.js';
import { badge, renderTable, timeAgo } from './render.js';

export function componentLink(id) {
  return h('a', { href: `#/component/${encodeURIComponent(id)}`, class: 'component-link' }, id);
}

export function mount(root) {
  let list = [];
  const filter = h('input', {
    type: 'search',
    id: 'filter',
    placeholder: 'Filter: id, health or message words',
    'aria-label': 'Filter components',
    oninput: () => draw(),
  });
  const summary = h('span', { class: 'summary', id: 'summary' });
  const region = h('div', { id: 'components' });
  root.append(h('h1', {}, 'Components'), h('div', { class: 'toolbar' }, filter, summary), region);

  const draw = () => {
    const q = filter.value;
    const rows = list.filter((c) => matches(q, [c.id, c.health.state, c.health.message]));
    const counts = { healthy: 0, unhealthy: 0, unknown: 0 };
    for (const c of list) counts[c.health.state] = (counts[c.health.state] ?? 0) + 1;
    summary.replaceChildren(
      `${list.length} components: `,
      badge(`${counts.healthy} healthy`, { class: 'badge good' }),
      ' ',
      badge(`${counts.unhealthy} unhealthy`, { class: `badge ${counts.unhealthy ? 'bad' : 'neutral'}` }),
      ' ',
      badge(`${counts.unknown} unknown`, { class: 'badge neutral' }),
    );
    renderIfChanged(region, { rows, q }, () => {
      if (list.length === 0) return h('p', { class: 'muted' }, 'No components are running.');
      if (rows.length === 0) return h('p', { class: 'muted' }, `No component matches "${q}".`);
      return renderTable(
        rows,
        [
          { key: 'health', title: 'Health', render: (c) => badge(c.health.state) },
          { key: 'id', title: 'Component', render: (c) => componentLink(c.id) },
          { key: 'module', title: 'Module', render: (c) => (c.moduleID ? componentLink(c.moduleID) : h('span', { class: 'muted' }, 'main')) },
          { key: 'message', title: 'Message', render: (c) => h('span', { class: 'message' }, c.health.message || '') },
          { key: 'updated', title: 'Updated', render: (c) => (c.health.updatedTime ? timeAgo(c.health.updatedTime) : '') },
          { key: 'references', title: 'References', render: (c) => c.references.map((r) => h('div', {}, componentLink(r))) },
        ],
        (c) => ({ 'data-id': c.id, 'data-health': c.health.state }),
      );
    });
  };

  return {
    async refresh() {
      list = await getJSON('components');
      draw();
    },
  };
}
