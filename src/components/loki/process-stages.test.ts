// loki.process with the stages that keep state across entries: stage.metrics
// read back from the component's /metrics exposition, multiline blocks
// handed on at reload and stop, stage.limit's per-label drop counter.
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { lokiProcess, type LokiProcessArgs } from './process.js';
import { buildPipeline } from '../../logs/stages/pipeline.js';
import { StageRunner } from '../../logs/stages/runner.js';
import { componentRegistry } from '../../runtime/component-metrics.js';
import type { LogEntry, LogsReceiver } from '../../pipeline/logs.js';
import type { Registry } from 'prom-client';
import { decodeBlock } from '../../runtime/decode.js';
import { parse } from '../../syntax/parser.js';
import { stdlib } from '../../syntax/stdlib.js';

function sink() {
  const got: LogEntry[] = [];
  return { got, async append(es: LogEntry[]) { got.push(...es); } } as LogsReceiver & { got: LogEntry[] };
}

function args(forward: LogsReceiver[], blocks: { name: string; value: unknown }[]): LokiProcessArgs {
  const a = { forward_to: forward } as LokiProcessArgs;
  Object.defineProperty(a, '_blocks', { value: blocks, enumerable: false });
  return a;
}

/** A decoded stage.metrics block: its metric.* blocks in order, as the decoder hands them over. */
function metrics(...defs: [kind: 'counter' | 'gauge' | 'histogram', value: Record<string, unknown>][]) {
  const value: Record<string, unknown> = {};
  Object.defineProperty(value, '_blocks', { value: defs.map(([k, v]) => ({ name: `metric.${k}`, value: v })), enumerable: false });
  return { name: 'stage.metrics', value };
}

/** Series of the exposition: `name{label="v",...}` (labels sorted) -> value. */
async function series(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels = [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, k, v]) => `${k}="${v}"`).sort();
    out.set(`${m[1]}{${labels.join(',')}}`, Number(m[3]));
  }
  return out;
}

const ID = 'component_id="loki.process.m",component_path="/"';
const line = (l: string, labels: Record<string, string> = { job: 'shop' }): LogEntry => ({ labels, ts: 1n, line: l });

describe('loki.process stage.metrics', () => {
  it('counters, gauges and histograms are exported with Alloy\'s names, the stream labels and component_id', async () => {
    const ctx = makeTestContext({ id: 'loki.process.m' });
    const out = sink();
    const c = lokiProcess.build(ctx, args([out], []));
    await c.update(
      args([out], [
        { name: 'stage.logfmt', value: { mapping: { order_status: '', retries: '', response_time: '', amount: '' } } },
        metrics(
          ['counter', { name: 'successful_orders_total', description: 'successful orders', source: 'order_status', value: 'success', action: 'inc' }],
          ['counter', { name: 'failed_orders_total', source: 'order_status', value: 'fail', action: 'inc' }],
          ['counter', { name: 'log_lines_total', prefix: 'my_custom_tracking_', match_all: true, action: 'inc' }],
          ['counter', { name: 'log_bytes_total', prefix: 'my_custom_tracking_', match_all: true, count_entry_bytes: true, action: 'add' }],
          ['counter', { name: 'amount_total', source: 'amount', action: 'add' }],
        ),
        metrics(
          ['gauge', { name: 'retries_total', description: 'total_retries', source: 'retries', action: 'add' }],
          ['gauge', { name: 'retries_last', source: 'retries', action: 'set' }],
          ['gauge', { name: 'retries_seen', source: 'retries', action: 'inc' }],
          ['gauge', { name: 'retries_down', source: 'retries', action: 'dec' }],
          ['gauge', { name: 'retries_sub', source: 'retries', action: 'sub' }],
          ['histogram', { name: 'http_response_time_seconds', description: 'recorded response times', source: 'response_time', buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05] }],
        ),
      ]),
    );
    const rec = ctx.exports.receiver as LogsReceiver;
    await rec.append([
      line('order_status=success retries=2 response_time=0.003 amount=1.5'),
      line('order_status=fail retries=3 response_time=20ms amount=-4'),
      line('order_status=success response_time=7 amount=0.5ms'),
      line('noise', { job: 'other' }),
    ]);
    const s = await series(ctx.metrics);
    const shop = `${ID},job="shop"`;
    const at = (name: string, labels = shop) => s.get(`${name}{${labels.split(',').sort().join(',')}}`);
    expect(at('loki_process_custom_successful_orders_total')).toBe(2);
    expect(at('loki_process_custom_failed_orders_total')).toBe(1);
    expect(at('my_custom_tracking_log_lines_total')).toBe(3);
    expect(at('my_custom_tracking_log_lines_total', `${ID},job="other"`)).toBe(1);
    const bytes = ['order_status=success retries=2 response_time=0.003 amount=1.5', 'order_status=fail retries=3 response_time=20ms amount=-4', 'order_status=success response_time=7 amount=0.5ms'].join('').length;
    expect(at('my_custom_tracking_log_bytes_total')).toBe(bytes);
    // add: floats and Go durations (seconds); a negative value is not added to a counter.
    expect(at('loki_process_custom_amount_total')).toBeCloseTo(1.5 + 0.0005);
    expect(at('loki_process_custom_retries_total')).toBe(5);
    expect(at('loki_process_custom_retries_last')).toBe(3);
    expect(at('loki_process_custom_retries_seen')).toBe(2);
    expect(at('loki_process_custom_retries_down')).toBe(-2);
    expect(at('loki_process_custom_retries_sub')).toBe(-5);
    // Histogram: 0.003 and 0.020 (from "20ms") and 7; cumulative buckets.
    const h = (le: string) => at('loki_process_custom_http_response_time_seconds_bucket', `${shop},le="${le}"`);
    expect(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '+Inf'].map(h)).toEqual([0, 0, 1, 1, 2, 2, 3]);
    expect(at('loki_process_custom_http_response_time_seconds_count')).toBe(3);
    expect(at('loki_process_custom_http_response_time_seconds_sum')).toBeCloseTo(7.023);
    const text = await ctx.metrics.metrics();
    expect(text).toContain('# HELP loki_process_custom_successful_orders_total successful orders');
    expect(text).toContain('# TYPE loki_process_custom_successful_orders_total counter');
    expect(text).toContain('# TYPE loki_process_custom_retries_total gauge');
    expect(text).toContain('# TYPE loki_process_custom_http_response_time_seconds histogram');
    // Entries are forwarded unchanged.
    expect(out.got.length).toBe(4);
    await c.stop?.();
  });

  it('value filters gauges and histograms too; a missing source leaves them alone', async () => {
    const registry = componentRegistry('loki.process.v');
    const stages = buildPipeline(
      [
        { name: 'stage.logfmt', value: { mapping: { level: '', took: '' } } },
        metrics(
          ['gauge', { name: 'errors_now', source: 'level', value: 'error', action: 'inc' }],
          ['histogram', { name: 'took_seconds', source: 'took', value: '2', buckets: [1, 5] }],
        ),
      ],
      () => {},
      { registry },
    );
    const r = new StageRunner(stages, async () => {}, () => {});
    r.start();
    await r.push([line('level=error took=2'), line('level=info took=3'), line('level=error'), line('nothing')]);
    const s = await series(registry);
    const labels = 'component_id="loki.process.v",component_path="/",job="shop"';
    expect(s.get(`loki_process_custom_errors_now{${labels}}`)).toBe(2);
    expect(s.get(`loki_process_custom_took_seconds_count{${labels}}`)).toBe(1);
    expect(s.get(`loki_process_custom_took_seconds_sum{${labels}}`)).toBe(2);
    await r.stop();
  });

  it('a reload that changes the stages starts the metrics from zero; unchanged stages keep counting; a removed metric leaves /metrics', async () => {
    const ctx = makeTestContext({ id: 'loki.process.m' });
    const out = sink();
    const c = lokiProcess.build(ctx, args([out], []));
    const counted = [metrics(['counter', { name: 'lines_total', match_all: true, action: 'inc' }])];
    await c.update(args([out], counted));
    const rec = ctx.exports.receiver as LogsReceiver;
    await rec.append([line('a'), line('b')]);
    const key = `loki_process_custom_lines_total{${[ID, 'job="shop"'].join(',').split(',').sort().join(',')}}`;
    expect((await series(ctx.metrics)).get(key)).toBe(2);
    await c.update(args([out], counted)); // unchanged: the pipeline keeps running
    await rec.append([line('c')]);
    expect((await series(ctx.metrics)).get(key)).toBe(3);
    // Changed (one more stage): rebuilt, and the same metric registers again without an "already registered" clash.
    await c.update(args([out], [...counted, { name: 'stage.static_labels', value: { values: { v: '2' } } }]));
    await rec.append([line('d')]);
    expect((await series(ctx.metrics)).get(key)).toBe(1);
    await c.update(args([out], []));
    expect((await ctx.metrics.metrics())).not.toContain('loki_process_custom_lines_total');
  });

  it('series idle for max_idle_duration disappear from the exposition', async () => {
    let now = 1_000_000;
    const registry = componentRegistry('loki.process.idle');
    const stages = buildPipeline([metrics(['counter', { name: 'seen_total', match_all: true, action: 'inc', max_idle_duration: 60_000 }])], () => {}, { registry, now: () => now });
    const r = new StageRunner(stages, async () => {}, () => {});
    r.start();
    await r.push([line('a', { job: 'a' }), line('b', { job: 'b' })]);
    now += 30_000;
    await r.push([line('b2', { job: 'b' })]);
    now += 40_000; // a: idle 70 s, b: 40 s
    const s = await series(registry);
    expect([...s.keys()].filter((k) => k.startsWith('loki_process_custom_seen_total'))).toEqual(['loki_process_custom_seen_total{component_id="loki.process.idle",component_path="/",job="b"}']);
    await r.stop();
  });

  it('rejects bad metric definitions naming the stage', () => {
    const build = (...defs: Parameters<typeof metrics>) => () => buildPipeline([metrics(...defs)], () => {});
    expect(build(['counter', { name: 'x', action: 'set' }])).toThrow(/stage.metrics \(stage 1\): metric.counter "x": the 'action' counter field must be either 'inc' or 'add'/);
    expect(build(['counter', { name: 'x', action: 'inc', match_all: true, value: 'v' }])).toThrow(/supports either 'match_all' or a 'value', but not both/);
    expect(build(['counter', { name: 'x', action: 'inc', match_all: true, count_entry_bytes: true }])).toThrow(/'count_entry_bytes' counter field must be specified along with match_all/);
    expect(build(['gauge', { name: 'x', action: 'mul' }])).toThrow(/the 'action' gauge field must be one of the following values: \[set, inc, dec, add, sub\]/);
    expect(build(['histogram', { name: 'x', buckets: [1, 0.5] }])).toThrow(/histogram buckets must be in increasing order/);
    expect(build(['gauge', { name: 'x', action: 'inc', max_idle_duration: 500 }])).toThrow(/max_idle_duration must be greater or equal than 1s/);
    expect(build(['gauge', { name: 'bad-name', action: 'inc' }])).toThrow(/invalid metric name "loki_process_custom_bad-name"/);
    expect(() => buildPipeline([metrics(['counter', { name: 'x', action: 'inc' }]), metrics(['gauge', { name: 'x', action: 'inc' }])], () => {})).toThrow(
      /stage.metrics \(stage 2\): metric "loki_process_custom_x" is defined more than once/,
    );
  });
});

describe('loki.process stateful stages', () => {
  it('a multiline block held at reload or stop is forwarded, not lost', async () => {
    const ctx = makeTestContext({ id: 'loki.process.ml' });
    const out = sink();
    const c = lokiProcess.build(ctx, args([out], []));
    const ml = [{ name: 'stage.multiline', value: { firstline: '^START', max_wait_time: 60_000, max_lines: 128, trim_newlines: true } }];
    await c.update(args([out], ml));
    const rec = ctx.exports.receiver as LogsReceiver;
    await rec.append([line('START one'), line('  more')]);
    expect(out.got).toEqual([]);
    await c.update(args([out], [...ml, { name: 'stage.static_labels', value: { values: { v: '2' } } }]));
    await rec.append([line('START two')]);
    // The old pipeline's block went out through the old pipeline's stages.
    await new Promise((r) => setImmediate(r));
    expect(out.got.map((e) => [e.line, e.labels.v])).toEqual([['START one\n  more', undefined]]);
    await c.stop?.();
    expect(out.got.map((e) => [e.line, e.labels.v])[1]).toEqual(['START two', '2']);
  });

  it('stage.limit by_label_name counts loki_process_dropped_lines_by_label_total and loki_process_dropped_lines_total', async () => {
    const ctx = makeTestContext({ id: 'loki.process.m' });
    const out = sink();
    const c = lokiProcess.build(ctx, args([out], []));
    await c.update(args([out], [{ name: 'stage.limit', value: { rate: 0.001, burst: 1, drop: true, by_label_name: 'namespace', max_distinct_labels: 10_000 } }]));
    await (ctx.exports.receiver as LogsReceiver).append([line('1', { namespace: 'a' }), line('2', { namespace: 'a' }), line('3', { namespace: 'a' })]);
    const s = await series(ctx.metrics);
    expect(s.get(`loki_process_dropped_lines_by_label_total{${ID.split(',').concat('label_name="namespace"', 'label_value="a"').sort().join(',')}}`)).toBe(2);
    expect(s.get(`loki_process_dropped_lines_total{${ID.split(',').concat('reason="ratelimit_drop_stage"').sort().join(',')}}`)).toBe(2);
    expect(out.got.length).toBe(1);
  });
});

describe('loki.process from Alloy configuration text', () => {
  it('decodes the stages with Alloy\'s defaults and runs them in order', async () => {
    const config = `loki.process "cfg" {
  forward_to = []

  stage.logfmt { mapping = { time = "", status = "" } }
  stage.timestamp {
    source = "time"
    format = "RFC3339"
  }
  stage.metrics {
    metric.counter {
      name   = "ok_total"
      source = "status"
      value  = "ok"
      action = "inc"
    }
  }
  stage.multiline { firstline = "^time=" }
}`;
    const file = parse(config, 'cfg.alloy');
    const block = file.body[0] as any;
    const decoded = decodeBlock(block.body, lokiProcess.args, { lookup: (n) => (stdlib as any)[n] }, block.pos) as LokiProcessArgs;
    const ml = decoded._blocks!.find((b) => b.name === 'stage.multiline')!.value;
    expect(ml).toEqual({ firstline: '^time=', max_lines: 128, max_wait_time: 3000, trim_newlines: true });
    const ts = decoded._blocks!.find((b) => b.name === 'stage.timestamp')!.value;
    expect(ts).toMatchObject({ action_on_failure: 'fudge', action_on_duplicate_timestamp: 'fudge', fallback_formats: [] });
    const ctx = makeTestContext({ id: 'loki.process.cfg' });
    const out = sink();
    const c = lokiProcess.build(ctx, args([out], []));
    await c.update(args([out], decoded._blocks!));
    await (ctx.exports.receiver as LogsReceiver).append([line('time=2024-01-02T03:04:05Z status=ok'), line('  detail')]);
    expect((await series(ctx.metrics)).get('loki_process_custom_ok_total{component_id="loki.process.cfg",component_path="/",job="shop"}')).toBe(1);
    await c.stop?.();
    expect(out.got).toEqual([{ labels: { job: 'shop' }, ts: BigInt(Date.UTC(2024, 0, 2, 3, 4, 5)) * 1_000_000n, line: 'time=2024-01-02T03:04:05Z status=ok\n  detail' }]);
  });
});
