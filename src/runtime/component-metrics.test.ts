import { Counter, Histogram, Registry } from 'prom-client';
import { componentRegistry, gatherMetrics } from './component-metrics.js';

describe('component metrics', () => {
  it('labels every series of a component registry with component_id and component_path', async () => {
    const r = componentRegistry('prometheus.scrape.a');
    new Counter({ name: 'x_total', help: 'x', labelNames: ['k'], registers: [r] }).inc({ k: 'v' }, 2);
    expect(await r.metrics()).toContain('x_total{k="v",component_id="prometheus.scrape.a",component_path="/"} 2');
  });

  it('merges two instances of one metric into one family, series apart by component_id', async () => {
    const a = componentRegistry('loki.write.a');
    const b = componentRegistry('loki.write.b');
    const proc = new Registry();
    new Counter({ name: 'process_thing_total', help: 'p', registers: [proc] }).inc(5);
    for (const [r, n] of [[a, 1], [b, 3]] as const) {
      new Counter({ name: 'loki_write_sent_entries_total', help: 'sent', registers: [r] }).inc(n);
      new Histogram({ name: 'loki_write_request_duration_seconds', help: 'd', buckets: [1], registers: [r] }).observe(n);
    }
    const text = await gatherMetrics([proc, a, b]);
    // One HELP/TYPE per family (Prometheus refuses a second TYPE line for a name).
    expect(text.match(/^# TYPE loki_write_sent_entries_total counter$/gm)).toHaveLength(1);
    expect(text.match(/^# TYPE loki_write_request_duration_seconds histogram$/gm)).toHaveLength(1);
    expect(text).toContain('loki_write_sent_entries_total{component_id="loki.write.a",component_path="/"} 1');
    expect(text).toContain('loki_write_sent_entries_total{component_id="loki.write.b",component_path="/"} 3');
    expect(text).toContain('loki_write_request_duration_seconds_bucket{le="1",component_id="loki.write.a",component_path="/"} 1');
    expect(text).toContain('loki_write_request_duration_seconds_bucket{le="1",component_id="loki.write.b",component_path="/"} 0');
    expect(text).toContain('process_thing_total 5');
  });
});
