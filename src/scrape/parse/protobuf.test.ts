// The delimited MetricFamily parser, fed bodies built here with protobufjs's
// Writer from client_model's field numbers; OpenMetrics exemplars and
// metadata hooks; Content-Type selection with scrape_fallback_protocol.
import protobuf from 'protobufjs/minimal.js';
import type { NativeHistogram } from '../../pipeline/metrics.js';
import { formatFor, openMetrics, ParseError, prometheusProto, prometheusText } from './index.js';
import { formatGoFloat, formatOpenMetricsFloat } from './float.js';
import type { ExpositionFormat } from './types.js';

const { Writer } = protobuf;
type W = protobuf.Writer;

const sub = (w: W, field: number, body: (w: W) => void) => {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
};
const label = (w: W, field: number, n: string, v: string) => sub(w, field, (x) => x.uint32(10).string(n).uint32(18).string(v));
const timestamp = (w: W, field: number, ms: number) => sub(w, field, (x) => x.uint32(8).int64(Math.floor(ms / 1000)).uint32(16).int32((ms % 1000) * 1e6));

/** One delimited MetricFamily. */
function family(name: string, type: number, metrics: ((w: W) => void)[], help?: string): Uint8Array {
  const w = Writer.create();
  w.fork();
  w.uint32(10).string(name);
  if (help !== undefined) w.uint32(18).string(help);
  w.uint32(24).int32(type);
  for (const m of metrics) sub(w, 4, m);
  w.ldelim();
  return w.finish();
}

const concat = (...parts: Uint8Array[]) => Buffer.concat(parts);

interface Seen {
  floats: [string[], number, number][];
  hist: [string[], NativeHistogram, number][];
  ex: [string[], number, number][];
  meta: [string, string, string][];
}

function run(f: ExpositionFormat, body: string | Uint8Array, native = true, classic = false): Seen {
  const s: Seen = { floats: [], hist: [], ex: [], meta: [] };
  f.parse(body, (series, v, ts) => s.floats.push([f.labels(series), v, ts]), {
    exemplar: (l, v, t) => s.ex.push([l, v, t]),
    metadata: (fam, field, text) => s.meta.push([fam, field, text]),
    ...(native ? { histogram: (series: string, h: NativeHistogram, t: number) => s.hist.push([f.labels(series), h, t]) } : {}),
    classicHistograms: classic,
  });
  return s;
}

describe('PrometheusProto (delimited io.prometheus.client.MetricFamily)', () => {
  const counter = family('reqs_total', 0, [
    (w) => {
      label(w, 1, 'code', '200');
      sub(w, 3, (c) => {
        c.uint32(9).double(42);
        sub(c, 2, (e) => {
          label(e, 1, 'trace_id', 'abc');
          e.uint32(17).double(1);
          timestamp(e, 3, 1_700_000_000_123);
        });
      });
    },
  ], 'Requests.');
  const gauge = family('temp', 1, [(w) => { sub(w, 2, (g) => g.uint32(9).double(-1.5)); w.uint32(48).int64(1_700_000_000_000); }]);
  const summary = family('lat', 2, [(w) => sub(w, 4, (s) => {
    s.uint32(8).uint64(10).uint32(17).double(2.5);
    sub(s, 3, (q) => q.uint32(9).double(0.5).uint32(17).double(0.2));
    sub(s, 3, (q) => q.uint32(9).double(1).uint32(17).double(0.9));
  })]);
  const native = family('nh', 4, [(w) => {
    label(w, 1, 'path', '/a');
    sub(w, 7, (h) => {
      h.uint32(8).uint64(7).uint32(17).double(12.5);
      h.uint32(40).sint32(3); // schema
      h.uint32(49).double(0.001); // zero threshold
      h.uint32(56).uint64(1); // zero count
      sub(h, 12, (sp) => sp.uint32(8).sint32(-2).uint32(16).uint32(2));
      sub(h, 12, (sp) => sp.uint32(8).sint32(3).uint32(16).uint32(1));
      sub(h, 13, (d) => d.sint64(2).sint64(1).sint64(-2)); // packed positive deltas: counts 2, 3, 1
      sub(h, 16, (e) => { label(e, 1, 'trace_id', 'nh'); e.uint32(17).double(0.3); timestamp(e, 3, 1_700_000_000_500); });
      sub(h, 16, (e) => { label(e, 1, 'trace_id', 'no-ts'); e.uint32(17).double(0.4); });
      // Classic buckets next to the native ones (no +Inf: it is added).
      sub(h, 3, (b) => b.uint32(8).uint64(3).uint32(17).double(1));
      sub(h, 3, (b) => b.uint32(8).uint64(6).uint32(17).double(1e6));
    });
  }]);
  const classicOnly = family('ch', 4, [(w) => sub(w, 7, (h) => {
    h.uint32(8).uint64(4).uint32(17).double(3);
    sub(h, 3, (b) => { b.uint32(8).uint64(1).uint32(17).double(0.25); sub(b, 3, (e) => { label(e, 1, 'trace_id', 'b1'); e.uint32(17).double(0.2); }); });
    sub(h, 3, (b) => b.uint32(8).uint64(4).uint32(17).double(Infinity));
  })]);

  test('counters, gauges, summaries: series, values, timestamps, exemplars, metadata', () => {
    const s = run(prometheusProto, concat(counter, gauge, summary));
    expect(s.floats).toEqual([
      [['__name__', 'reqs_total', 'code', '200'], 42, NaN],
      [['__name__', 'temp'], -1.5, 1_700_000_000_000],
      [['__name__', 'lat', 'quantile', '0.5'], 0.2, NaN],
      [['__name__', 'lat', 'quantile', '1.0'], 0.9, NaN],
      [['__name__', 'lat_sum'], 2.5, NaN],
      [['__name__', 'lat_count'], 10, NaN],
    ]);
    expect(s.ex).toEqual([[['trace_id', 'abc'], 1, 1_700_000_000_123]]);
    expect(s.meta).toEqual([
      ['reqs_total', 'type', 'counter'], ['reqs_total', 'help', 'Requests.'],
      ['temp', 'type', 'gauge'], ['lat', 'type', 'summary'],
    ]);
  });

  test('a native histogram: schema, zero bucket, spans, deltas; exemplars only with a timestamp; classic series only on request', () => {
    const s = run(prometheusProto, native);
    expect(s.hist).toEqual([[['__name__', 'nh', 'path', '/a'], {
      float: false, count: 7, sum: 12.5, schema: 3, zeroThreshold: 0.001, zeroCount: 1,
      negativeSpans: [], negativeBuckets: [], positiveSpans: [{ offset: -2, length: 2 }, { offset: 3, length: 1 }], positiveBuckets: [2, 1, -2], resetHint: 0,
    }, NaN]]);
    expect(s.floats).toEqual([]);
    expect(s.ex).toEqual([[['trace_id', 'nh'], 0.3, 1_700_000_000_500]]);

    const both = run(prometheusProto, native, true, true);
    expect(both.hist).toHaveLength(1);
    expect(both.floats.map((r) => [r[0].join(','), r[1]])).toEqual([
      ['__name__,nh_count,path,/a', 7], ['__name__,nh_sum,path,/a', 12.5],
      ['__name__,nh_bucket,path,/a,le,1.0', 3], ['__name__,nh_bucket,path,/a,le,1e+06', 6], ['__name__,nh_bucket,path,/a,le,+Inf', 7],
    ]);
    // Without native histograms asked for, the same message is a classic histogram.
    const off = run(prometheusProto, native, false);
    expect(off.hist).toEqual([]);
    expect(off.floats).toHaveLength(5);
  });

  test('a classic-only histogram stays classic, with its bucket exemplars', () => {
    const s = run(prometheusProto, classicOnly);
    expect(s.hist).toEqual([]);
    expect(s.floats.map((r) => [r[0].join(','), r[1]])).toEqual([
      ['__name__,ch_count', 4], ['__name__,ch_sum', 3], ['__name__,ch_bucket,le,0.25', 1], ['__name__,ch_bucket,le,+Inf', 4],
    ]);
    expect(s.ex).toEqual([[['trace_id', 'b1'], 0.2, NaN]]);
  });

  test('bad input fails the scrape with a ParseError', () => {
    const good = concat(counter);
    expect(() => run(prometheusProto, good.subarray(0, good.length - 3))).toThrow(ParseError);
    expect(() => run(prometheusProto, family('', 1, []))).toThrow(/empty metric family name/);
    expect(() => run(prometheusProto, family('x', 9, []))).toThrow(/unknown metric type 9/);
    expect(() => run(prometheusProto, 'text')).toThrow(ParseError);
  });
});

describe('OpenMetrics exemplars and metadata', () => {
  test('exemplars with and without timestamps; TYPE, HELP, UNIT', () => {
    const body = [
      '# TYPE rpc_seconds histogram',
      '# UNIT rpc_seconds seconds',
      '# HELP rpc_seconds RPC \\"latency\\".',
      'rpc_seconds_bucket{le="0.5"} 3 # {trace_id="t1",span_id="s"} 0.4 1700000000.25',
      'rpc_seconds_bucket{le="+Inf"} 4 # {trace_id="t2"} 2',
      'rpc_seconds_count 4',
      'rpc_seconds_sum 3.2',
      '# EOF',
      '',
    ].join('\n');
    const s = run(openMetrics, body);
    expect(s.floats).toHaveLength(4);
    expect(s.ex).toEqual([[['trace_id', 't1', 'span_id', 's'], 0.4, 1_700_000_000_250], [['trace_id', 't2'], 2, NaN]]);
    expect(s.meta).toEqual([['rpc_seconds', 'type', 'histogram'], ['rpc_seconds', 'unit', 'seconds'], ['rpc_seconds', 'help', 'RPC "latency".']]);
  });

  test('text 0.0.4 HELP and TYPE reach the metadata hook', () => {
    const s = run(prometheusText, '# HELP a_total Some \\\\ help\\n here\n# TYPE a_total counter\na_total 1\n');
    expect(s.meta).toEqual([['a_total', 'help', 'Some \\ help\n here'], ['a_total', 'type', 'counter']]);
  });
});

describe('Content-Type and scrape_fallback_protocol', () => {
  test('known media types pick their parser; others the fallback, or fail without one', () => {
    expect(formatFor('application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited')).toBe(prometheusProto);
    expect(formatFor('application/json', 'OpenMetricsText1.0.0')).toBe(openMetrics);
    expect(formatFor(undefined, 'PrometheusProto')).toBe(prometheusProto);
    expect(() => formatFor(undefined, '')).toThrow(/blank Content-Type and no fallback_scrape_protocol/);
    expect(() => formatFor('application/json', '')).toThrow(/unsupported Content-Type "application\/json"/);
  });
});

describe("Go's float formatting (le and quantile label values)", () => {
  test.each([
    [1, '1.0'], [0, '0.0'], [0.25, '0.25'], [2.5, '2.5'], [10, '10.0'], [100000, '100000.0'], [1e6, '1e+06'], [1234567, '1.234567e+06'],
    [0.0001, '0.0001'], [0.00001, '1e-05'], [-3, '-3.0'], [Infinity, '+Inf'], [1e21, '1e+21'],
  ])('%p -> %p', (v, want) => {
    expect(formatOpenMetricsFloat(v)).toBe(want);
  });
  test('plain %g', () => {
    expect(formatGoFloat(100)).toBe('100');
    expect(formatGoFloat(0.1)).toBe('0.1');
  });
});
