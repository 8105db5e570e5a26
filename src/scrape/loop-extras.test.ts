// A target's scrape state with what goes beyond floats: native histograms
// (refs, staleness, bucket limit), exemplars, metadata (only changes),
// NHCB from text, type/unit labels, legacy name validation and start
// timestamps (zero samples once per start).
import protobuf from 'protobufjs/minimal.js';
import { isStaleNaN } from '../pipeline/staleness.js';
import type { WireBatch } from './batch.js';
import { LOOP_EXTRA_DEFAULTS, type LoopOptions, TargetState } from './loop.js';
import { openMetrics, prometheusProto, prometheusText } from './parse/index.js';

const { Writer } = protobuf;
type W = protobuf.Writer;
const sub = (w: W, field: number, body: (w: W) => void) => {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
};
const label = (w: W, n: string, v: string) => sub(w, 1, (x) => x.uint32(10).string(n).uint32(18).string(v));
const ts = (w: W, field: number, ms: number) => sub(w, field, (x) => x.uint32(8).int64(Math.floor(ms / 1000)).uint32(16).int32((ms % 1000) * 1e6));

/** A delimited body: one native histogram family `nh` with the given series (`path` label) and bucket deltas. */
function nativeBody(paths: string[], deltas = [1, 1, 1, 1], created?: number): Uint8Array {
  const w = Writer.create();
  w.fork();
  w.uint32(10).string('nh').uint32(24).int32(4);
  for (const p of paths) {
    sub(w, 4, (m) => {
      label(m, 'path', p);
      sub(m, 7, (h) => {
        h.uint32(8).uint64(deltas.reduce((a, _, i) => a + deltas.slice(0, i + 1).reduce((x, y) => x + y, 0), 0));
        h.uint32(17).double(5);
        h.uint32(40).sint32(2);
        sub(h, 12, (s) => s.uint32(8).sint32(0).uint32(16).uint32(deltas.length));
        sub(h, 13, (d) => { for (const x of deltas) d.sint64(x); });
        if (created !== undefined) ts(h, 15, created);
        sub(h, 16, (e) => { sub(e, 1, (l) => l.uint32(10).string('trace_id').uint32(18).string(`t${p}`)); e.uint32(17).double(0.5); ts(e, 3, 999_000); });
      });
    });
  }
  w.ldelim();
  return w.finish();
}

function counterBody(value: number, created: number): Uint8Array {
  const w = Writer.create();
  w.fork();
  w.uint32(10).string('c_total').uint32(24).int32(0);
  sub(w, 4, (m) => sub(m, 3, (c) => { c.uint32(9).double(value); ts(c, 3, created); }));
  w.ldelim();
  return w.finish();
}

const target = ['instance', 'h:1', 'job', 'j'];
const base: LoopOptions = {
  honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, sampleLimit: 0,
  labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, metricRelabel: [], ...LOOP_EXTRA_DEFAULTS,
};

class Refs {
  readonly m = new Map<number, string[]>();
  take(b: WireBatch) {
    b.newRefs.forEach((r, i) => this.m.set(r, b.newLabels[i]!));
    const name = (r: number) => this.m.get(r)!.join(',');
    const out = {
      floats: Array.from(b.refs, (r, i) => ({ name: name(r), v: b.values[i]!, t: b.ts[i]! })),
      hist: (b.extras?.histograms ?? []).map((h) => ({ name: name(h.ref), t: h.t, h: h.h })),
      ex: (b.extras?.exemplars ?? []).map((e) => ({ name: name(e.ref), labels: e.labels, value: e.value, t: e.t })),
      meta: b.extras?.metadata ?? [],
    };
    b.freed.forEach((r) => this.m.delete(r));
    return out;
  }
}

describe('native histograms in the scrape state', () => {
  test('histogram series get refs and exemplars; a vanished one gets a float staleness marker', () => {
    const s = new TargetState(target, { ...base, nativeHistograms: true });
    const refs = new Refs();
    const r1 = refs.take(s.apply(nativeBody(['/a', '/b']), prometheusProto, 1000, 0));
    expect(r1.floats).toEqual([]);
    expect(r1.hist.map((h) => [h.name, h.t, h.h.schema, h.h.positiveBuckets])).toEqual([
      ['__name__,nh,instance,h:1,job,j,path,/a', 1000, 2, [1, 1, 1, 1]],
      ['__name__,nh,instance,h:1,job,j,path,/b', 1000, 2, [1, 1, 1, 1]],
    ]);
    expect(r1.ex).toEqual([
      { name: '__name__,nh,instance,h:1,job,j,path,/a', labels: ['trace_id', 't/a'], value: 0.5, t: 999_000 },
      { name: '__name__,nh,instance,h:1,job,j,path,/b', labels: ['trace_id', 't/b'], value: 0.5, t: 999_000 },
    ]);
    const r2 = refs.take(s.apply(nativeBody(['/a']), prometheusProto, 2000, 0));
    expect(r2.hist.map((h) => h.name)).toEqual(['__name__,nh,instance,h:1,job,j,path,/a']);
    expect(r2.floats).toHaveLength(1);
    expect(r2.floats[0]!.name).toBe('__name__,nh,instance,h:1,job,j,path,/b');
    expect(isStaleNaN(r2.floats[0]!.v)).toBe(true);
  });

  test('native_histogram_bucket_limit lowers the schema, or fails the scrape', () => {
    const s = new TargetState(target, { ...base, nativeHistograms: true, bucketLimit: 2 });
    const r = new Refs().take(s.apply(nativeBody(['/a']), prometheusProto, 1000, 0));
    expect(r.hist[0]!.h.schema).toBe(0); // indexes 0..3 at schema 2: 3 buckets at schema 1, 2 at schema 0
    expect(r.hist[0]!.h.positiveBuckets.length).toBeLessThanOrEqual(2);
    // Buckets 0 and 200 at schema 2 stay apart even at schema -4 (indexes 0 and 4): over a limit of 1.
    const farApart = Array.from({ length: 201 }, (_, i) => (i === 0 ? 1 : i === 1 ? -1 : i === 200 ? 1 : 0));
    const tight = new TargetState(target, { ...base, nativeHistograms: true, bucketLimit: 1 });
    const b = tight.apply(nativeBody(['/a'], farApart), prometheusProto, 1000, 0);
    expect(b.stats.error).toBe('histogram bucket limit exceeded');
    expect(b.extras?.histograms ?? []).toEqual([]);
  });

  test('without scrape_native_histograms the same body is a classic histogram', () => {
    const s = new TargetState(target, base);
    const r = new Refs().take(s.apply(nativeBody(['/a']), prometheusProto, 1000, 0));
    expect(r.hist).toEqual([]);
    expect(r.floats.map((f) => f.name)).toEqual([
      '__name__,nh_count,instance,h:1,job,j,path,/a', '__name__,nh_sum,instance,h:1,job,j,path,/a', '__name__,nh_bucket,instance,h:1,job,j,le,+Inf,path,/a',
    ]);
  });
});

describe('start_timestamp_zero_ingestion', () => {
  test('one zero sample at the created timestamp per start, before the sample', () => {
    const s = new TargetState(target, { ...base, startTimestampZero: true });
    const refs = new Refs();
    expect(refs.take(s.apply(counterBody(5, 500), prometheusProto, 1000, 0)).floats.map((f) => [f.v, f.t])).toEqual([[0, 500], [5, 1000]]);
    expect(refs.take(s.apply(counterBody(7, 500), prometheusProto, 2000, 0)).floats.map((f) => [f.v, f.t])).toEqual([[7, 2000]]);
    // A restart (new created timestamp) gets its own zero sample.
    expect(refs.take(s.apply(counterBody(1, 2500), prometheusProto, 3000, 0)).floats.map((f) => [f.v, f.t])).toEqual([[0, 2500], [1, 3000]]);
    // Off: no zero samples.
    const off = new TargetState(target, base);
    expect(new Refs().take(off.apply(counterBody(5, 500), prometheusProto, 1000, 0)).floats).toHaveLength(1);
  });
  test('native histograms get a zero histogram of the same schema', () => {
    const s = new TargetState(target, { ...base, nativeHistograms: true, startTimestampZero: true });
    const r = new Refs().take(s.apply(nativeBody(['/a'], [1, 1], 400), prometheusProto, 1000, 0));
    expect(r.hist.map((h) => [h.t, h.h.count, h.h.schema, h.h.positiveBuckets.length])).toEqual([[400, 0, 2, 0], [1000, 3, 2, 2]]);
  });
});

describe('metadata, type and unit labels, NHCB, exemplars from text', () => {
  const om = [
    '# TYPE rpc_seconds histogram',
    '# UNIT rpc_seconds seconds',
    '# HELP rpc_seconds RPC latency.',
    'rpc_seconds_bucket{le="0.5"} 3 # {trace_id="t1"} 0.4 1.5',
    'rpc_seconds_bucket{le="1.0"} 3',
    'rpc_seconds_bucket{le="+Inf"} 4',
    'rpc_seconds_count 4',
    'rpc_seconds_sum 3.2',
    '# TYPE up_things gauge',
    'up_things 1',
    '# EOF',
    '',
  ].join('\n');

  test('honor_metadata: families sent when new or changed only', () => {
    const s = new TargetState(target, { ...base, honorMetadata: true });
    const refs = new Refs();
    expect(refs.take(s.apply(om, openMetrics, 1000, 0)).meta).toEqual([
      { family: 'rpc_seconds', type: 'histogram', help: 'RPC latency.', unit: 'seconds' },
      { family: 'up_things', type: 'gauge', help: '', unit: '' },
    ]);
    expect(refs.take(s.apply(om, openMetrics, 2000, 0)).meta).toEqual([]);
    expect(refs.take(s.apply(om.replace('RPC latency.', 'RPC time.'), openMetrics, 3000, 0)).meta).toEqual([
      { family: 'rpc_seconds', type: 'histogram', help: 'RPC time.', unit: 'seconds' },
    ]);
  });

  test('exemplars of OpenMetrics samples are kept with their series', () => {
    const r = new Refs().take(new TargetState(target, base).apply(om, openMetrics, 1000, 0));
    expect(r.ex).toEqual([{ name: '__name__,rpc_seconds_bucket,instance,h:1,job,j,le,0.5', labels: ['trace_id', 't1'], value: 0.4, t: 1500 }]);
  });

  test('enable_type_and_unit_labels', () => {
    const r = new Refs().take(new TargetState(target, { ...base, typeAndUnitLabels: true }).apply(om, openMetrics, 1000, 0));
    expect(r.floats.map((f) => f.name)).toEqual(expect.arrayContaining([
      '__name__,rpc_seconds_count,__type__,histogram,__unit__,seconds,instance,h:1,job,j',
      '__name__,up_things,__type__,gauge,instance,h:1,job,j',
    ]));
  });

  test('convert_classic_histograms_to_nhcb, with and without the classic series', () => {
    for (const classic of [false, true]) {
      const s = new TargetState(target, { ...base, convertClassicToNhcb: true, classicHistograms: classic });
      const r = new Refs().take(s.apply(om, openMetrics, 1000, 0));
      expect(r.hist).toHaveLength(1);
      expect(r.hist[0]!.name).toBe('__name__,rpc_seconds,instance,h:1,job,j');
      expect(r.hist[0]!.h).toMatchObject({ schema: -53, count: 4, sum: 3.2, customValues: [0.5, 1] });
      const names = r.floats.map((f) => f.name.split(',')[1]);
      expect(names.filter((n) => n!.startsWith('rpc_seconds'))).toHaveLength(classic ? 5 : 0);
      expect(names).toContain('up_things');
    }
    // Text 0.0.4 too.
    const text = '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';
    const r = new Refs().take(new TargetState(target, { ...base, convertClassicToNhcb: true }).apply(text, prometheusText, 1000, 0));
    expect(r.hist.map((h) => [h.name, h.h.count, h.h.customValues])).toEqual([['__name__,h,instance,h:1,job,j', 2, [1]]]);
    expect(r.floats).toEqual([]);
  });

  test('metric_name_validation_scheme legacy refuses UTF-8 names from protobuf; utf8 takes them', () => {
    const w = Writer.create();
    w.fork();
    w.uint32(10).string('my.metric').uint32(24).int32(1);
    sub(w, 4, (m) => sub(m, 2, (g) => g.uint32(9).double(1)));
    w.ldelim();
    const body = w.finish();
    expect(new TargetState(target, base).apply(body, prometheusProto, 1000, 0).stats.error).toMatch(/invalid metric name "my.metric"/);
    const r = new Refs().take(new TargetState(target, { ...base, legacyNames: false }).apply(body, prometheusProto, 1000, 0));
    expect(r.floats.map((f) => f.name)).toEqual(['__name__,my.metric,instance,h:1,job,j']);
  });
});
