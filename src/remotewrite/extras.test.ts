// Native histograms, exemplars and metadata through prometheus.remote_write:
// the WAL record (type 3) round trip, and what a receiver gets, decoded with a
// reflection schema written here from prompb/types.proto and remote.proto
// (independent of the hand-written encoder under test).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { makeTestContext, type TestContext } from '../../e2e/lib/component-context.js';
import { waitFor } from '../../e2e/lib/wait.js';
import { remoteWrite, type RemoteWriteComponent } from '../components/prometheus/remote_write.js';
import type { MetricsExtras, MetricsReceiver, NativeHistogram } from '../pipeline/metrics.js';
import { decodePayload, encodeFrame, FRAME_HEADER, Scratch } from './wal-record.js';

const snappy = createRequire(import.meta.url)('snappyjs') as { uncompress(b: Uint8Array): Uint8Array };

const span = { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } };
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 }, metadata: { rule: 'repeated', type: 'MetricMetadata', id: 3 } } },
        MetricMetadata: { fields: { type: { type: 'int32', id: 1 }, metric_family_name: { type: 'string', id: 2 }, help: { type: 'string', id: 4 }, unit: { type: 'string', id: 5 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
            exemplars: { rule: 'repeated', type: 'Exemplar', id: 3 },
            histograms: { rule: 'repeated', type: 'Histogram', id: 4 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        Exemplar: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, value: { type: 'double', id: 2 }, timestamp: { type: 'int64', id: 3 } } },
        BucketSpan: span,
        Histogram: {
          oneofs: { count: { oneof: ['count_int', 'count_float'] }, zero_count: { oneof: ['zero_count_int', 'zero_count_float'] } },
          fields: {
            count_int: { type: 'uint64', id: 1 }, count_float: { type: 'double', id: 2 }, sum: { type: 'double', id: 3 }, schema: { type: 'sint32', id: 4 },
            zero_threshold: { type: 'double', id: 5 }, zero_count_int: { type: 'uint64', id: 6 }, zero_count_float: { type: 'double', id: 7 },
            negative_spans: { rule: 'repeated', type: 'BucketSpan', id: 8 }, negative_deltas: { rule: 'repeated', type: 'sint64', id: 9 },
            negative_counts: { rule: 'repeated', type: 'double', id: 10 }, positive_spans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
            positive_deltas: { rule: 'repeated', type: 'sint64', id: 12 }, positive_counts: { rule: 'repeated', type: 'double', id: 13 },
            reset_hint: { type: 'int32', id: 14 }, timestamp: { type: 'int64', id: 15 }, custom_values: { rule: 'repeated', type: 'double', id: 16 },
          },
        },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');
type Decoded = {
  timeseries?: { labels: { name: string; value: string }[]; samples?: unknown[]; exemplars?: Record<string, unknown>[]; histograms?: Record<string, unknown>[] }[];
  metadata?: Record<string, unknown>[];
};

const T0 = 1_700_000_000_000;
const intHist: NativeHistogram = {
  float: false, count: 7, sum: 12.5, schema: 3, zeroThreshold: 0.001, zeroCount: 1,
  negativeSpans: [{ offset: -1, length: 1 }], negativeBuckets: [1],
  positiveSpans: [{ offset: -2, length: 2 }, { offset: 3, length: 1 }], positiveBuckets: [2, 1, -2], resetHint: 0,
};
const floatHist: NativeHistogram = {
  float: true, count: 4.5, sum: NaN, schema: -53, zeroThreshold: 0, zeroCount: 0, negativeSpans: [], negativeBuckets: [],
  positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1.5, 3], resetHint: 3, customValues: [0.5, 1],
};
/** Sorted label pairs, as the pipeline carries them. */
const series = (name: string, extra: string[] = []) => {
  const pairs: [string, string][] = [['__name__', name], ['job', 'j']];
  for (let i = 0; i < extra.length; i += 2) pairs.push([extra[i]!, extra[i + 1]!]);
  return pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1)).flat();
};

const extras: MetricsExtras = {
  histograms: [
    { labels: series('nh', ['path', '/a']), t: T0, h: intHist },
    { labels: series('nhcb'), t: T0 + 1, h: floatHist },
    { labels: series('dropped_by_write_relabel'), t: T0, h: intHist },
  ],
  exemplars: [{ labels: series('reqs_total'), exemplarLabels: ['span_id', 's', 'trace_id', 't'], value: 42, t: T0 + 5 }],
  metadata: [{ labels: series('reqs_total'), family: 'reqs_total', type: 'counter', help: 'Requests.', unit: '' }, { labels: series('rpc_seconds'), family: 'rpc_seconds', type: 'histogram', help: '', unit: 'seconds' }],
};

test('WAL record type 3 round-trips histograms (NaN and +Inf included), exemplars and metadata', () => {
  const frame = encodeFrame({ series: [], refs: new Uint32Array(0), ts: new Float64Array(0), vs: new Float64Array(0), extras }, new Scratch());
  const rec = decodePayload(frame, FRAME_HEADER, frame.length);
  expect(rec.refs.length).toBe(0);
  expect(rec.extras).toEqual(extras);
  expect(Number.isNaN(rec.extras!.histograms[1]!.h.sum)).toBe(true);
});

describe('prometheus.remote_write sends remote write 1.0 histograms, exemplars and metadata', () => {
  let server: http.Server;
  const bodies: Decoded[] = [];
  let ctx: TestContext;
  let comp: RemoteWriteComponent | undefined;

  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      bodies.push(WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(Buffer.concat(chunks))), { longs: Number, defaults: false }) as Decoded);
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    ctx = makeTestContext({ id: 'prometheus.remote_write.extras' });
  });
  afterAll(async () => {
    await comp?.stop();
    await new Promise((r) => server.close(r));
    fs.rmSync(ctx.dataPath(), { recursive: true, force: true });
  });

  test('fields as prompb defines them, external labels and write relabeling applied', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
    const args = {
      external_labels: { cluster: 'c1' },
      endpoint: [{
        url, name: 'x', send_native_histograms: true, queue_config: { batch_send_deadline: 20, min_backoff: 10, max_backoff: 50 } as never,
        metadata_config: { send: true, send_interval: 50, max_samples_per_send: 500 } as never,
        write_relabel_config: [{ source_labels: ['__name__'], regex: 'dropped_by_write_relabel', action: 'drop', separator: ';', target_label: '', replacement: '$1' } as never],
      }],
    };
    comp = remoteWrite.build(ctx, args) as RemoteWriteComponent;
    await comp.update(args);
    const recv = ctx.exports.receiver as MetricsReceiver;
    await recv.append([{ labels: series('nh', ['path', '/a']), t: T0 - 1000, v: 1 }]);
    await recv.appendExtras!(extras);

    const all = await waitFor('histograms, exemplars and metadata received', () => {
      const ts = bodies.flatMap((b) => b.timeseries ?? []);
      const md = bodies.flatMap((b) => b.metadata ?? []);
      return ts.filter((s) => s.histograms).length >= 2 && ts.some((s) => s.exemplars) && md.length >= 2 ? { ts, md } : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20 });
    const byName = (n: string) => all.ts.filter((s) => s.labels.some((l) => l.name === '__name__' && l.value === n));
    const nh = byName('nh').flatMap((s) => s.histograms ?? []);
    expect(nh).toEqual([{
      count_int: 7, sum: 12.5, schema: 3, zero_threshold: 0.001, zero_count_int: 1,
      negative_spans: [{ offset: -1, length: 1 }], negative_deltas: [1],
      positive_spans: [{ offset: -2, length: 2 }, { offset: 3, length: 1 }], positive_deltas: [2, 1, -2], timestamp: T0,
    }]);
    expect(byName('nh')[0]!.labels).toEqual([{ name: '__name__', value: 'nh' }, { name: 'cluster', value: 'c1' }, { name: 'job', value: 'j' }, { name: 'path', value: '/a' }]);
    const cb = byName('nhcb').flatMap((s) => s.histograms ?? []);
    expect(cb).toHaveLength(1);
    expect(cb[0]).toMatchObject({ count_float: 4.5, schema: -53, zero_count_float: 0, positive_counts: [1.5, 3], reset_hint: 3, custom_values: [0.5, 1], timestamp: T0 + 1 });
    expect(Number.isNaN(cb[0]!.sum)).toBe(true);
    expect(byName('dropped_by_write_relabel')).toEqual([]);
    expect(byName('reqs_total').flatMap((s) => s.exemplars ?? [])).toEqual([
      { labels: [{ name: 'span_id', value: 's' }, { name: 'trace_id', value: 't' }], value: 42, timestamp: T0 + 5 },
    ]);
    expect(all.md).toEqual(expect.arrayContaining([
      { type: 1, metric_family_name: 'reqs_total', help: 'Requests.' },
      { type: 3, metric_family_name: 'rpc_seconds', unit: 'seconds' },
    ]));
    // The float sample of the histogram series still travels on its own path.
    expect(byName('nh').flatMap((s) => s.samples ?? [])).toHaveLength(1);

    // Many histograms mixed with floats (the shard rings grow with both kinds queued): each arrives once, intact.
    bodies.length = 0;
    const many = Array.from({ length: 700 }, (_, i) => ({ labels: series('many', ['i', String(i).padStart(3, '0')]), t: T0 + 10, h: { ...intHist, count: i } }));
    await Promise.all([
      recv.appendExtras!({ histograms: many, exemplars: [], metadata: [] }),
      recv.append(Array.from({ length: 700 }, (_, i) => ({ labels: series('floats', ['i', String(i)]), t: T0 + 10, v: i }))),
    ]);
    const got = await waitFor('700 histograms and 700 floats', () => {
      const ts = bodies.flatMap((b) => b.timeseries ?? []);
      const hs = ts.flatMap((s) => (s.histograms ?? []).map((h) => [s.labels.find((l) => l.name === 'i')!.value, h.count_int] as const));
      const fs = ts.flatMap((s) => s.samples ?? []);
      return hs.length >= 700 && fs.length >= 700 ? { hs, fs } : undefined;
    }, { timeoutMs: 10_000, intervalMs: 20 });
    expect(got.hs).toHaveLength(700);
    expect(got.fs).toHaveLength(700);
    expect(new Map(got.hs.map(([i, c]) => [Number(i), c]))).toEqual(new Map(many.map((m, i) => [i, m.h.count])));
  }, 20_000);
});
