// #/remotecfg : the remotecfg service (fleet management): where it asks, what
// it reported, where the running config came from, and its components.
import { getJSON } from './api.js';
import { h, renderIfChanged } from './dom.js';
import { badge, errorBox, renderObject, renderTable, section, timeAgo } from './render.js';
import { componentLink } from './page-components.js';

const STATUS_HEALTH = { APPLIED: 'healthy', FAILED: 'unhealthy' };

function build(state, components) {
  if (!state.enabled) {
    return h('section', { class: 'card', id: 'remotecfg-state', 'data-status': 'disabled' }, h('p', { class: 'muted' }, 'Fleet management is off: the config has no remotecfg block with a url.'));
  }
  return h(
    'div',
    {},
    h(
      'section',
      { class: 'card', id: 'remotecfg-state', 'data-status': state.status },
      h('h2', {}, 'Status'),
      h('p', {}, h('span', { class: `badge ${STATUS_HEALTH[state.status] ?? 'unknown'}`, id: 'remotecfg-status' }, state.status), ' ', state.error_message ? h('span', { class: 'error-text', id: 'remotecfg-error' }, state.error_message) : null),
      renderObject({
        url: state.url,
        id: state.id,
        name: state.name || '—',
        registered: state.registered,
        'running config from': state.source,
        'last loaded hash': state.last_loaded_hash || '—',
        'last received hash': state.last_received_hash || '—',
        'last fetch error': state.last_fetch_error ?? '—',
      }),
      state.last_success_time ? h('p', { class: 'muted' }, 'last loaded ', timeAgo(state.last_success_time)) : null,
    ),
    section(
      'Components of the remote config',
      components.length
        ? renderTable(
            components,
            [
              { key: 'id', title: 'Component', render: (c) => componentLink(c.id) },
              { key: 'health', title: 'Health', render: (c) => badge(c.health.state) },
              { key: 'message', title: 'Message', render: (c) => c.health.message ?? '' },
            ],
            (c) => ({ 'data-id': c.id }),
          )
        : h('p', { class: 'muted', id: 'remotecfg-none' }, 'No components run from the remote config.'),
    ),
  );
}

export function mount(root) {
  const region = h('div', { id: 'remotecfg' });
  root.append(h('h1', {}, 'Remote configuration'), region);
  return {
    async refresh() {
      let state;
      let all;
      try {
        [state, all] = await Promise.all([getJSON('remotecfg'), getJSON('components')]);
      } catch (e) {
        renderIfChanged(region, { error: e.message }, () => errorBox(e.message));
        return;
      }
      const components = all.filter((c) => c.id.startsWith('remotecfg/'));
      renderIfChanged(region, { state, components }, () => build(state, components));
    },
  };
}
