// The `monitors` debug info of prometheus.operator.servicemonitors and
// .podmonitors (endpoints) and the `resources` of .probes and .scrapeconfigs
// (jobs): one block per custom resource with its state and, when rejected,
// the reason; per endpoint (scrape job) its targets with their final labels
// and scrape URL, and the dropped targets with why.
import { h } from './dom.js';
import { badge, labelChips, renderObject, renderTable } from './render.js';

const jobsOf = (m) => m.endpoints ?? m.jobs;

/** Operator monitors: [{ name, state, endpoints: [{ job, ... }] }]; Probes/ScrapeConfigs: jobs instead of endpoints. */
export function isMonitorList(v) {
  return Array.isArray(v) && v.every((m) => m && typeof m === 'object' && typeof m.name === 'string' && Array.isArray(jobsOf(m)));
}

function targetsTable(targets, scrapeTargetsTable, owner) {
  if (!targets?.length) return h('p', { class: 'muted' }, 'No active targets.');
  return scrapeTargetsTable(targets, owner);
}

function droppedTable(dropped, total) {
  if (!dropped?.length) return null;
  return h(
    'div',
    { class: 'dropped' },
    h('h5', {}, `Dropped targets (${total > dropped.length ? `${dropped.length} of ${total} shown` : dropped.length})`),
    renderTable(
      dropped,
      [
        { key: 'address', title: 'Address', render: (d) => d.discovered_labels?.__address__ ?? '' },
        { key: 'reason', title: 'Why', render: (d) => h('span', { class: 'drop-reason' }, d.reason) },
        { key: 'discovered_labels', title: 'Discovered labels', render: (d) => labelChips(d.discovered_labels ?? {}) },
      ],
      (d) => ({ 'data-address': d.discovered_labels?.__address__ ?? '' }),
    ),
  );
}

function endpointView(e, scrapeTargetsTable, owner) {
  const counts = { discovered: e.targets_discovered, active: e.targets_active, up: e.up, down: e.down, dropped: e.targets_dropped };
  if (e.scrape_class) counts.scrape_class = e.scrape_class;
  return h(
    'div',
    { class: 'monitor-endpoint', 'data-job': e.job, 'data-state': e.state },
    h('h4', {}, e.job, ' ', badge(e.state)),
    e.error ? h('p', { class: 'error-text' }, e.error) : null,
    e.warning ? h('p', { class: 'muted warning' }, e.warning) : null,
    e.note ? h('p', { class: 'muted note' }, e.note) : null,
    renderObject(counts),
    e.state === 'ok' ? targetsTable(e.targets, scrapeTargetsTable, owner) : null,
    droppedTable(e.dropped, e.targets_dropped ?? 0),
  );
}

/** `scrapeTargetsTable(targets, owner)` is the component page's target table (passed in to keep one). */
export function monitorsView(monitors, scrapeTargetsTable, owner) {
  if (monitors.length === 0) return h('p', { class: 'muted' }, 'No monitors selected.');
  return h(
    'div',
    { class: 'monitors' },
    monitors.map((m) =>
      h(
        'section',
        { class: 'monitor', 'data-name': m.name, 'data-state': m.state },
        h('h3', {}, m.name, ' ', badge(m.state === 'error' ? 'rejected' : m.state)),
        m.error ? h('p', { class: 'error-text reject-reason' }, m.error) : null,
        jobsOf(m).map((e) => endpointView(e, scrapeTargetsTable, owner)),
      ),
    ),
  );
}
