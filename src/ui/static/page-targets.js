// #/targets : every scrape target of the cluster and the replica running it.
// With clustering each target must have exactly one owner; a target run by
// several nodes (or a clustered one by none that answered) is flagged.
import { getJSON } from './api.js';
import { h, renderIfChanged } from './dom.js';
import { durationText, labelsText, matches } from './format.js';
import { badge, errorBox, labelChips, renderTable, section, timeAgo } from './render.js';
import { componentLink } from './page-components.js';

function perReplica(t, render) {
  return t.replicas.map((r) => h('div', { class: 'replica', 'data-node': r.node }, render(r)));
}

function nodesTable(nodes) {
  return renderTable(
    nodes,
    [
      { key: 'name', title: 'Node', render: (n) => [n.name, n.isSelf ? [' ', h('span', { class: 'badge self' }, 'this node')] : null] },
      { key: 'url', title: 'Asked at', render: (n) => n.url ?? h('span', { class: 'muted' }, n.isSelf ? 'local' : '—') },
      { key: 'ok', title: 'Answer', render: (n) => (n.ok ? badge('ok') : badge('error')) },
      { key: 'targets', title: 'Targets', render: (n) => String(n.targets) },
      { key: 'error', title: 'Error', render: (n) => (n.error ? h('span', { class: 'error-text' }, n.error) : '') },
    ],
    (n) => ({ 'data-node': n.name, 'data-ok': String(n.ok) }),
  );
}

function targetsTable(targets) {
  return renderTable(
    targets,
    [
      { key: 'component', title: 'Component', render: (t) => componentLink(t.component) },
      { key: 'url', title: 'Endpoint', render: (t) => t.url },
      { key: 'labels', title: 'Labels', render: (t) => labelChips(t.labels) },
      {
        key: 'owners',
        title: 'Owner',
        render: (t) => {
          const bad = t.clustered && t.owners.length !== 1;
          return h('span', { class: `owners${bad ? ' conflict' : ''}` }, t.owners.map((o) => h('span', { class: 'chip owner' }, o)), bad ? [' ', badge(`${t.owners.length} owners`, { class: 'badge bad' })] : null);
        },
      },
      { key: 'health', title: 'State', render: (t) => perReplica(t, (r) => badge(r.health)) },
      { key: 'last_scrape', title: 'Last scrape', render: (t) => perReplica(t, (r) => (r.last_scrape ? timeAgo(r.last_scrape) : h('span', { class: 'muted' }, 'never'))) },
      { key: 'duration', title: 'Duration', render: (t) => perReplica(t, (r) => (r.last_scrape_duration ? durationText(r.last_scrape_duration) : '')) },
      { key: 'series', title: 'Series', render: (t) => perReplica(t, (r) => String(r.series ?? '')) },
      { key: 'last_error', title: 'Last error', render: (t) => perReplica(t, (r) => (r.last_error ? h('span', { class: 'error-text' }, r.last_error) : '')) },
    ],
    (t) => ({ 'data-url': t.url, 'data-component': t.component, 'data-owners': t.owners.join(','), 'data-owner-count': String(t.owners.length), 'data-clustered': String(t.clustered) }),
  );
}

export function mount(root) {
  let data;
  const filter = h('input', { type: 'search', id: 'filter', placeholder: 'Filter: endpoint, label, owner or component words', 'aria-label': 'Filter targets', oninput: () => draw() });
  const summary = h('span', { class: 'summary', id: 'summary' });
  const nodesRegion = h('div', { id: 'nodes' });
  const region = h('div', { id: 'targets' });
  root.append(h('h1', {}, 'Targets across the cluster'), section('Nodes asked', nodesRegion), h('div', { class: 'toolbar' }, filter, summary), region);

  const draw = () => {
    if (!data) return;
    const q = filter.value;
    const rows = data.targets.filter((t) => matches(q, [t.component, t.url, labelsText(t.labels), t.owners.join(' '), t.replicas.map((r) => `${r.health} ${r.last_error ?? ''}`).join(' ')]));
    const conflicts = data.targets.filter((t) => t.clustered && t.owners.length !== 1).length;
    const down = data.targets.filter((t) => t.replicas.some((r) => r.health === 'down')).length;
    summary.replaceChildren(
      `${data.targets.length} targets on ${data.nodes.filter((n) => n.ok).length} of ${data.nodes.length} nodes · `,
      badge(`${down} down`, { class: `badge ${down ? 'bad' : 'neutral'}` }),
      ' ',
      badge(`${conflicts} ownership conflicts`, { class: `badge ${conflicts ? 'bad' : 'good'}` }),
    );
    renderIfChanged(nodesRegion, data.nodes, nodesTable);
    renderIfChanged(region, { rows, q }, () => {
      if (data.targets.length === 0) return h('p', { class: 'muted' }, 'No scrape targets are running on the nodes that answered.');
      if (rows.length === 0) return h('p', { class: 'muted' }, `No target matches "${q}".`);
      return targetsTable(rows);
    });
  };

  return {
    async refresh() {
      try {
        data = await getJSON('targets');
      } catch (e) {
        renderIfChanged(region, { error: e.message }, () => errorBox(e.message));
        throw e;
      }
      draw();
    },
  };
}
