import protobuf from 'protobufjs';
import { decodeWriteRequest, encodeWriteRequest, type WireSeries } from './proto.js';
import { snappyCompress as compress, snappyUncompress as uncompress } from '../compress/snappy.js';

function bitsOf(v: number): bigint {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.readBigUInt64LE(0);
}
const STALE = 0x7ff0000000000002n;

const reference = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
    TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } } },
    Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
  },
}).lookupType('WriteRequest');

// Values given as bigint are raw bit patterns, written straight into the
// Float64Array: a JS array literal holding a signalling NaN would already
// quieten it (V8 double arrays), which is exactly the trap under test.
function series(labels: string[], pts: [number, number | bigint][]): WireSeries {
  const values = new Float64Array(pts.length);
  const raw = new BigUint64Array(values.buffer);
  pts.forEach(([, v], i) => {
    if (typeof v === 'bigint') raw[i] = v;
    else values[i] = v;
  });
  return { labels, timestamps: pts.map(([t]) => t), values };
}

describe('WriteRequest encoding', () => {
  const input = [
    series(['__name__', 'up', 'job', 'node', 'instance', 'h:9100'], [[1700000000000, 1], [1700000015000, 0]]),
    series(['__name__', 'temp_ü', 'room', 'küche'], [[1, -273.15], [-5000, Number.POSITIVE_INFINITY]]),
    series(['__name__', 'gone'], [[1700000030000, STALE]]),
  ];

  it('round-trips labels, timestamps and values', () => {
    const out = decodeWriteRequest(encodeWriteRequest(input));
    expect(out.map((s) => s.labels)).toEqual(input.map((s) => s.labels));
    expect(out.map((s) => s.timestamps)).toEqual(input.map((s) => s.timestamps));
    expect(out.map((s) => Array.from(s.values))).toEqual(input.map((s) => Array.from(s.values)));
  });

  it('keeps the stale NaN bit-exact through encode, snappy and decode', () => {
    const wire = uncompress(compress(encodeWriteRequest(input)));
    const out = decodeWriteRequest(wire);
    expect(bitsOf(out[2]!.values[0]!)).toBe(STALE);
    // And a plain NaN stays a different NaN.
    const nan = decodeWriteRequest(encodeWriteRequest([series(['a', 'b'], [[1, 0x7ff8000000000001n]])]));
    expect(bitsOf(nan[0]!.values[0]!)).toBe(0x7ff8000000000001n);
  });

  it('is what a reflection-based protobuf decoder reads', () => {
    const msg = reference.toObject(reference.decode(encodeWriteRequest(input)), { longs: Number }) as {
      timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
    };
    expect(msg.timeseries).toHaveLength(3);
    expect(msg.timeseries[0]!.labels).toEqual([
      { name: '__name__', value: 'up' },
      { name: 'job', value: 'node' },
      { name: 'instance', value: 'h:9100' },
    ]);
    expect(msg.timeseries[1]!.samples[1]).toEqual({ value: Number.POSITIVE_INFINITY, timestamp: -5000 });
    expect(bitsOf(msg.timeseries[2]!.samples[0]!.value)).toBe(STALE);
  });

  it('decodes what the reference encoder writes (and skips unknown fields)', () => {
    const buf = reference
      .encode({ timeseries: [{ labels: [{ name: 'x', value: 'y' }], samples: [{ value: 2.5, timestamp: 42 }] }] })
      .finish();
    const extra = Buffer.concat([buf, Buffer.from([0x1a, 0x02, 0x08, 0x01])]); // field 3 (metadata), ignored
    expect(decodeWriteRequest(extra)).toEqual([{ labels: ['x', 'y'], timestamps: [42], values: new Float64Array([2.5]) }]);
  });
});
