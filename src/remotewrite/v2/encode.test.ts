// The 2.0 encoder against the sandbox's spec-written decoder: symbols table
// (with "" first, each string once), label refs in sorted pairs, samples,
// metadata refs, exemplars, pre-encoded histograms passed through, and the
// batch encoder grouping queued samples by series.
import { decodeV2Request } from '../../sandbox/receivers/remote-write-v2-decoder.js';
import { snappyUncompress as uncompress } from '../../compress/snappy.js';
import { SeriesEntry, type QueueBatch } from '../write-request.js';
import { encodeV2Request, V2RequestEncoder } from './encode.js';
import { exemplarField, histogramField } from '../extras-proto.js';

describe('remote write 2.0 encoding', () => {
  it('round-trips labels, samples, metadata and exemplars through the symbols table', () => {
    const { bytes, counts } = encodeV2Request([
      {
        labels: ['__name__', 'http_requests_total', 'job', 'api'],
        timestamps: [1000, 2000],
        values: new Float64Array([1, 2.5]),
        metadata: { type: 'counter', help: 'Requests served.', unit: 'requests' },
        exemplars: [{ labels: ['trace_id', 'abc123'], value: 1, t: 1500 }],
      },
      { labels: ['__name__', 'temperature', 'job', 'api'], timestamps: [3000], values: new Float64Array([-4]), metadata: { type: 'gauge', help: '', unit: '' } },
    ]);
    expect(counts).toEqual({ samples: 3, histograms: 0, exemplars: 1 });
    const req = decodeV2Request(bytes);
    expect(req.symbols[0]).toBe('');
    // Shared strings ("__name__", "job", "api") are sent once.
    expect(new Set(req.symbols).size).toBe(req.symbols.length);
    expect(req.symbols.filter((s) => s === 'job')).toHaveLength(1);
    expect(req.series).toHaveLength(2);
    const [a, b] = req.series;
    expect(a!.labels).toEqual({ __name__: 'http_requests_total', job: 'api' });
    expect(a!.samples).toEqual([{ t: 1000, v: 1 }, { t: 2000, v: 2.5 }]);
    expect(a!.metadata).toEqual({ type: 'counter', help: 'Requests served.', unit: 'requests' });
    expect(a!.exemplars).toEqual([{ labels: { trace_id: 'abc123' }, value: 1, t: 1500 }]);
    expect(b!.labels).toEqual({ __name__: 'temperature', job: 'api' });
    expect(b!.samples).toEqual([{ t: 3000, v: -4 }]);
    expect(b!.metadata).toEqual({ type: 'gauge', help: '', unit: '' });
  });

  it('keeps the stale marker NaN bits (batch path included)', () => {
    const STALE = 0x7ff0000000000002n;
    // Set through the buffer: a JS array literal of a signalling NaN may quiet it.
    const v = new Float64Array(2);
    new DataView(v.buffer).setBigUint64(0, STALE, true);
    v[1] = 1;
    const bitsOf = (x: number) => {
      const out = Buffer.alloc(8);
      out.writeDoubleLE(x);
      return out.readBigUInt64LE(0);
    };
    const direct = decodeV2Request(encodeV2Request([{ labels: ['__name__', 'gone'], timestamps: [5], values: v.subarray(0, 1) }]).bytes);
    expect(bitsOf(direct.series[0]!.samples[0]!.v)).toBe(STALE);
    const e = new SeriesEntry(['__name__', 'gone']);
    const batch: QueueBatch = { length: 2, s: [e, e], t: Float64Array.from([1, 2]), v, e: [0, 0] };
    const viaBatch = decodeV2Request(uncompress(new V2RequestEncoder().encode(batch)));
    expect(bitsOf(viaBatch.series[0]!.samples[0]!.v)).toBe(STALE);
    expect(viaBatch.series[0]!.samples[1]!.v).toBe(1);
  });

  it('passes encoded histogram messages through in field 3 and counts them', () => {
    const h = Uint8Array.from([0x08, 0x05, 0x19, 0, 0, 0, 0, 0, 0, 0x24, 0x40]); // count_int 5, sum 10
    const { bytes, counts } = encodeV2Request([{ labels: ['__name__', 'latency'], timestamps: [], values: new Float64Array(0), histograms: [h] }]);
    expect(counts.histograms).toBe(1);
    const req = decodeV2Request(bytes);
    expect(Buffer.from(req.series[0]!.histograms[0]!)).toEqual(Buffer.from(h));
  });

  it('encodes a queued batch grouped by series, snappy-compressed', () => {
    const a = new SeriesEntry(['__name__', 'up', 'instance', 'a']);
    const b = new SeriesEntry(['__name__', 'up', 'instance', 'b']);
    const batch: QueueBatch = { length: 4, s: [a, b, a, b], t: Float64Array.from([1, 2, 3, 4]), v: Float64Array.from([10, 20, 30, 40]), e: [0, 0, 0, 0] };
    const enc = new V2RequestEncoder({ metadata: (l) => (l[3] === 'a' ? { type: 'gauge', help: 'Target up.', unit: '' } : undefined) });
    const req = decodeV2Request(uncompress(enc.encode(batch)));
    expect(req.series.map((s) => [s.labels.instance, s.samples])).toEqual([
      ['a', [{ t: 1, v: 10 }, { t: 3, v: 30 }]],
      ['b', [{ t: 2, v: 20 }, { t: 4, v: 40 }]],
    ]);
    expect(req.series[0]!.metadata.help).toBe('Target up.');
    expect(req.series[1]!.metadata).toEqual({ type: 'unspecified', help: '', unit: '' });
    expect(enc.lastCounts.samples).toBe(4);
  });

  it('the decoder refuses what the spec forbids (so the round trip above means something)', () => {
    const bad = encodeV2Request([{ labels: ['b', '1', 'a', '2'], timestamps: [1], values: new Float64Array([1]) }]).bytes;
    expect(() => decodeV2Request(bad)).toThrow(/not sorted/);
    const empty = encodeV2Request([{ labels: ['__name__', 'x'], timestamps: [], values: new Float64Array(0) }]).bytes;
    expect(() => decodeV2Request(empty)).toThrow(/neither samples nor histograms/);
  });

  it('queued histograms and exemplars (1.0 TimeSeries fields) go out as 2.0 histograms and symbol-ref exemplars, never as float samples', () => {
    const h = { float: false, count: 7, sum: 12.5, schema: 3, zeroThreshold: 0.001, zeroCount: 1, negativeSpans: [], negativeBuckets: [], positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [3, 1], resetHint: 0 } as never;
    const s = new SeriesEntry(['__name__', 'rpc_seconds', 'job', 'api']);
    const c = new SeriesEntry(['__name__', 'reqs_total', 'job', 'api']);
    const batch: QueueBatch = {
      length: 3,
      s: [s, c, c],
      t: Float64Array.from([1000, 2000, 2005]),
      v: Float64Array.from([0, 5, 0]),
      e: [0, 0, 0],
      x: [histogramField(h, 1000), undefined, exemplarField(['trace_id', 't1'], 42, 2005)],
    };
    const enc = new V2RequestEncoder();
    const req = decodeV2Request(uncompress(enc.encode(batch)));
    expect(enc.lastCounts).toEqual({ samples: 1, histograms: 1, exemplars: 1 });
    const [hs, cs] = req.series;
    expect(hs!.samples).toEqual([]);
    expect(hs!.histograms).toHaveLength(1);
    expect(cs!.samples).toEqual([{ t: 2000, v: 5 }]);
    expect(cs!.exemplars).toEqual([{ labels: { trace_id: 't1' }, value: 42, t: 2005 }]);
  });
});

