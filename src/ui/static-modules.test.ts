// The browser modules' pure parts (graph layout, formatting), run in node.
import { layers, layoutGraph } from './static/layout.js';
import { ago, durationText, isDurationKey, isIsoTime, labelsText, matches, millis, percent, seconds, tone } from './static/format.js';

type N = { id: string; references: string[] };

describe('graph layout', () => {
  const chain: N[] = [
    { id: 'prometheus.scrape.a', references: ['discovery.relabel.x', 'discovery.relabel.y'] },
    { id: 'discovery.relabel.x', references: ['local.file.f'] },
    { id: 'discovery.relabel.y', references: ['local.file.g'] },
    { id: 'local.file.f', references: [] },
    { id: 'local.file.g', references: [] },
    { id: 'prometheus.remote_write.w', references: [] },
  ];

  test('layer = longest reference chain below a node', () => {
    const l = layers(chain);
    expect(Object.fromEntries(l)).toEqual({
      'local.file.f': 0,
      'local.file.g': 0,
      'prometheus.remote_write.w': 0,
      'discovery.relabel.x': 1,
      'discovery.relabel.y': 1,
      'prometheus.scrape.a': 2,
    });
  });

  test('a node referencing both a source and a deeper node sits right of the deeper one', () => {
    const l = layers([
      { id: 'c', references: ['a', 'b'] },
      { id: 'b', references: ['a'] },
      { id: 'a', references: [] },
    ]);
    expect([l.get('a'), l.get('b'), l.get('c')]).toEqual([0, 1, 2]);
  });

  test('every edge goes left to right, one path per reference, boxes do not overlap', () => {
    const g = layoutGraph(chain);
    expect(g.nodes).toHaveLength(chain.length);
    const pos = new Map(g.nodes.map((n) => [n.id, n]));
    const refs = chain.flatMap((n) => n.references.map((r) => `${r}>${n.id}`)).sort();
    expect(g.edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(refs);
    for (const e of g.edges) expect(pos.get(e.from)!.x + pos.get(e.from)!.w).toBeLessThan(pos.get(e.to)!.x);
    for (const a of g.nodes) {
      for (const b of g.nodes) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        expect(overlap).toBe(false);
      }
      expect(a.x + a.w).toBeLessThanOrEqual(g.width);
      expect(a.y + a.h).toBeLessThanOrEqual(g.height);
    }
  });

  test('an edge skipping a layer runs through a free lane, not behind a box', () => {
    const g = layoutGraph([
      { id: 'prometheus.scrape.s', references: ['discovery.annotations.a', 'prometheus.remote_write.w'] },
      { id: 'discovery.annotations.a', references: ['discovery.kubernetes.k'] },
      { id: 'loki.source.kubernetes.l', references: ['discovery.kubernetes.k', 'loki.write.w'] },
      { id: 'discovery.kubernetes.k', references: [] },
      { id: 'loki.write.w', references: [] },
      { id: 'prometheus.remote_write.w', references: [] },
    ]);
    const long = g.edges.find((e) => e.from === 'prometheus.remote_write.w')!;
    expect(long.waypoints.map((w) => w.layer)).toEqual([1]);
    const lane = long.waypoints[0];
    for (const n of g.nodes.filter((n) => n.layer === 1)) {
      expect(lane.y < n.y || lane.y > n.y + n.h).toBe(true);
    }
    expect(g.edges.filter((e) => e.waypoints.length === 0)).toHaveLength(4);
    expect(long.d.startsWith('M')).toBe(true);
    expect(long.d).toContain(`L${lane.x2},${lane.y}`);
  });

  test('unknown references and self references draw nothing; a cycle terminates', () => {
    const g = layoutGraph([
      { id: 'a', references: ['missing', 'a'] },
      { id: 'b', references: ['c'] },
      { id: 'c', references: ['b'] },
    ]);
    expect(g.nodes).toHaveLength(3);
    expect(g.edges.every((e) => e.from !== 'missing' && e.from !== e.to)).toBe(true);
  });

  test('an empty graph has a size and no nodes', () => {
    const g = layoutGraph([]);
    expect(g.nodes).toEqual([]);
    expect(g.width).toBeGreaterThan(0);
  });
});

describe('formatting', () => {
  test('relative times', () => {
    const now = Date.parse('2024-01-01T00:10:00Z');
    expect(ago('2024-01-01T00:09:55Z', now)).toBe('5s ago');
    expect(ago('2024-01-01T00:07:00Z', now)).toBe('3m ago');
    expect(ago('2023-12-31T22:10:00Z', now)).toBe('2h ago');
    expect(ago('2024-01-01T00:10:02Z', now)).toBe('in 2s');
    expect(ago('not a time', now)).toBe('not a time');
  });

  test('durations', () => {
    expect(seconds(0.0042)).toBe('4.2ms');
    expect(seconds(12.5)).toBe('12.5s');
    expect(seconds(60)).toBe('1m');
    expect(seconds(3720)).toBe('1h2m');
    expect(millis(60000)).toBe('1m');
    expect(millis(500)).toBe('500ms');
    expect(millis(0)).toBe('0s');
    expect(durationText('0.004200s')).toBe('4.2ms');
    expect(durationText('weird')).toBe('weird');
    expect(['scrape_interval', 'scrape_timeout', 'poll_frequency', 'batch_wait', 'x_ms'].every(isDurationKey)).toBe(true);
    expect(['sample_limit', 'targets', 'series'].some(isDurationKey)).toBe(false);
  });

  test('tones, labels, filter, percent, ISO detection', () => {
    expect([tone('healthy'), tone('down'), tone('suspect'), tone('whatever')]).toEqual(['good', 'bad', 'warn', 'neutral']);
    expect(labelsText({ b: '2', a: '1' })).toBe('{a="1", b="2"}');
    expect(matches('relabel KEPT', ['discovery.relabel.kept'])).toBe(true);
    expect(matches('relabel scrape', ['discovery.relabel.kept'])).toBe(false);
    expect(matches('  ', ['x'])).toBe(true);
    expect(percent(1 / 3)).toBe('33.3%');
    expect(isIsoTime(new Date(0).toISOString())).toBe(true);
    expect(isIsoTime('2024-01-01')).toBe(false);
  });
});
