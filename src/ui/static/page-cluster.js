// #/cluster : the peers, their states and the share of the ring each owns.
import { getJSON } from './api.js';
import { h, renderIfChanged } from './dom.js';
import { percent } from './format.js';
import { badge, renderTable, section } from './render.js';

function shareBar(fraction) {
  return h(
    'span',
    { class: 'share' },
    h('span', { class: 'bar' }, h('span', { class: 'fill', style: `width:${Math.round(Math.min(1, fraction) * 100)}%` })),
    ' ',
    percent(fraction),
  );
}

function build(v) {
  const overview = h(
    'p',
    { class: 'overview' },
    v.enabled ? 'Clustering is on. ' : 'Clustering is off: this node owns every target. ',
    'This node: ',
    h('b', { id: 'self-name' }, v.self.name),
    ' ',
    badge(v.self.state),
    v.waitingForSize ? [' ', badge('waiting for --cluster.wait-for-size', { class: 'badge warn' })] : null,
  );
  const peers = renderTable(
    v.peers,
    [
      { key: 'name', title: 'Peer', render: (p) => [h('span', { class: 'peer-name' }, p.name), p.isSelf ? [' ', h('span', { class: 'badge self' }, 'this node')] : null] },
      { key: 'address', title: 'Gossip address', render: (p) => p.address || h('span', { class: 'muted' }, '—') },
      { key: 'state', title: 'State', render: (p) => badge(p.state) },
      { key: 'share', title: `Ring share${v.ringSharesSource === 'sampled' ? ' (sampled)' : ''}`, render: (p) => shareBar(p.ringShare) },
    ],
    (p) => ({ 'data-peer': p.name, 'data-self': p.isSelf ? 'true' : 'false', class: p.isSelf ? 'self' : null }),
  );
  const members = v.members
    ? section(
        'Membership records',
        h('p', { class: 'muted' }, 'Everything gossip knows, including suspect, dead and departed nodes.'),
        renderTable(v.members, undefined, (m) => ({ 'data-member': m.name })),
      )
    : null;
  return h('div', {}, overview, section(`Peers (${v.peers.length})`, peers), members);
}

export function mount(root) {
  const region = h('div', { id: 'cluster' });
  root.append(h('h1', {}, 'Clustering'), region);
  return {
    async refresh() {
      const v = await getJSON('cluster');
      renderIfChanged(region, v, build);
    },
  };
}
