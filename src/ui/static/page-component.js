// #/component/<id> : health, references, arguments, exports and debug info.
// Debug info is rendered generically (tables for arrays of objects); scrape
// targets get a table of their own with the owner of each target.
import { getJSON } from './api.js';
import { h, renderIfChanged } from './dom.js';
import { labelChips, badge, errorBox, renderObject, renderTable, renderValue, section, timeAgo, isPlainObject } from './render.js';
import { durationText } from './format.js';
import { componentLink } from './page-components.js';
import { isMonitorList, monitorsView } from './monitors-view.js';

function isScrapeTargets(v) {
  return Array.isArray(v) && v.length > 0 && v.every((t) => isPlainObject(t) && typeof t.url === 'string' && 'health' in t);
}

/** Who runs this node's targets: with clustering, only the targets it owns are here. */
function ownerText(detail, cluster) {
  const clustered = detail.arguments?.clustering?.enabled === true;
  if (!cluster?.enabled || clustered) return cluster?.self?.name ?? 'this node';
  return `every node (clustering off)`;
}

export function scrapeTargetsTable(targets, owner) {
  return renderTable(
    targets,
    [
      // Only http(s) endpoints become links (a label could make any scheme).
      { key: 'url', title: 'Endpoint', render: (t) => (/^https?:\/\//i.test(t.url) ? h('a', { href: t.url, target: '_blank', rel: 'noreferrer' }, t.url) : t.url) },
      { key: 'health', title: 'State', render: (t) => badge(t.health) },
      { key: 'owner', title: 'Owner', render: () => owner },
      { key: 'labels', title: 'Labels', render: (t) => labelChips(t.labels ?? {}) },
      { key: 'last_scrape', title: 'Last scrape', render: (t) => (t.last_scrape ? timeAgo(t.last_scrape) : h('span', { class: 'muted' }, 'never')) },
      { key: 'last_scrape_duration', title: 'Duration', render: (t) => (t.last_scrape_duration ? durationText(t.last_scrape_duration) : '') },
      { key: 'series', title: 'Series', render: (t) => renderValue(t.series) },
      { key: 'last_error', title: 'Last error', render: (t) => (t.last_error ? h('span', { class: 'error-text' }, t.last_error) : '') },
    ],
    (t) => ({ 'data-url': t.url, 'data-health': t.health }),
  );
}

function debugSection(detail, cluster) {
  const info = detail.debugInfo;
  const card = (...children) => h('section', { class: 'card', id: 'debug' }, h('h2', {}, 'Debug info'), ...children);
  if (info === null || info === undefined) return card(h('p', { class: 'muted' }, 'This component reports no debug info.'));
  if (!isPlainObject(info)) return card(renderValue(info));
  // Scalars first as one key/value table; lists and objects each under a heading.
  const scalars = {};
  const parts = [];
  for (const [k, v] of Object.entries(info)) {
    if (v === null || typeof v !== 'object') {
      scalars[k] = v;
      continue;
    }
    const body =
      k === 'targets' && isScrapeTargets(v)
        ? scrapeTargetsTable(v, ownerText(detail, cluster))
        : (k === 'monitors' || k === 'resources') && isMonitorList(v)
          ? monitorsView(v, scrapeTargetsTable, ownerText(detail, cluster))
          : renderValue(v, k);
    parts.push(h('div', { class: 'debug-part', 'data-key': k }, h('h3', {}, k.replace(/_/g, ' ')), body));
  }
  return card(Object.keys(scalars).length ? renderObject(scalars) : null, ...parts);
}

function build(detail, cluster) {
  const hl = detail.health;
  return h(
    'div',
    {},
    h('h1', {}, detail.id, ' ', h('a', { href: `#/debug/${encodeURIComponent(detail.id)}`, id: 'live-debugging-link', class: 'button' }, 'Live debugging')),
    h(
      'section',
      { class: 'card health', id: 'health', 'data-health': hl.state },
      h('h2', {}, 'Health'),
      h('p', {}, badge(hl.state), ' ', h('span', { class: 'message', id: 'health-message' }, hl.message || '(no message)')),
      hl.updatedTime ? h('p', { class: 'muted' }, 'since ', timeAgo(hl.updatedTime), ` (${new Date(hl.updatedTime).toLocaleString()})`) : null,
    ),
    h(
      'section',
      { class: 'card refs' },
      h('h2', {}, 'Dependencies'),
      h('p', {}, h('b', {}, 'References: '), detail.references.length ? detail.references.map((r) => [componentLink(r), ' ']) : h('span', { class: 'muted' }, 'none')),
      h('p', {}, h('b', {}, 'Referenced by: '), detail.referencedBy.length ? detail.referencedBy.map((r) => [componentLink(r), ' ']) : h('span', { class: 'muted' }, 'none')),
      detail.moduleID ? h('p', { id: 'module' }, h('b', {}, 'Runs in module: '), componentLink(detail.moduleID)) : null,
      detail.moduleComponents?.length
        ? h('p', { id: 'module-components' }, h('b', {}, 'Components of this module: '), detail.moduleComponents.map((r) => [componentLink(r), ' ']))
        : null,
    ),
    section('Arguments', renderValue(detail.arguments)),
    section('Exports', renderValue(detail.exports)),
    debugSection(detail, cluster),
  );
}

export function mount(root, id) {
  const region = h('div', { id: 'component', 'data-id': id });
  root.append(h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Components')), region);
  return {
    async refresh() {
      let detail;
      try {
        detail = await getJSON(`components/${encodeURIComponent(id)}`);
      } catch (e) {
        renderIfChanged(region, { error: e.message }, () => errorBox(e.message));
        return;
      }
      const cluster = detail.name === 'prometheus.scrape' ? await getJSON('cluster').catch(() => undefined) : undefined;
      renderIfChanged(region, { detail, self: cluster?.self?.name, enabled: cluster?.enabled }, () => build(detail, cluster));
    },
  };
}
