import fc from 'fast-check';
import { decodePushBody, encodePushBody, encodePushRequest, formatLabels, parseLabels } from './proto.js';

describe('push protobuf', () => {
  it('round-trips streams through protobuf + snappy', () => {
    const streams = [
      { labels: '{a="b"}', entries: [{ ts: 1_700_000_000_123_456_789n, line: 'hello' }, { ts: 1_700_000_001_000_000_000n, line: 'ünïcode ✓' }] },
      { labels: '{a="c", job="x/y"}', entries: [{ ts: 5n, line: '' }] },
    ];
    expect(decodePushBody(encodePushBody(streams))).toEqual(streams);
  });

  it('round-trips arbitrary timestamps and lines', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 4_000_000_000_000_000_000n }), fc.string(), (ts, line) => {
        const s = [{ labels: '{x="1"}', entries: [{ ts, line }] }];
        expect(decodePushBody(encodePushBody(s))).toEqual(s);
      }),
      { numRuns: 200 },
    );
  });

  it('carries structured metadata as EntryAdapter field 3 (repeated LabelPairAdapter name=1, value=2)', () => {
    const streams = [{ labels: '{x="1"}', entries: [{ ts: 1_000_000_002n, line: 'l', structuredMetadata: { a: 'b' } }] }];
    // Hand-encoded from Loki's push.proto field numbers, independent of the schema in proto.ts.
    const labelPair = [0x0a, 1, 0x61, 0x12, 1, 0x62];
    const timestamp = [0x08, 1, 0x10, 2];
    const entry = [0x0a, timestamp.length, ...timestamp, 0x12, 1, 0x6c, 0x1a, labelPair.length, ...labelPair];
    const labels = [...Buffer.from('{x="1"}')];
    const stream = [0x0a, labels.length, ...labels, 0x12, entry.length, ...entry];
    expect([...encodePushRequest(streams)]).toEqual([0x0a, stream.length, ...stream]);
    expect(decodePushBody(encodePushBody(streams))).toEqual(streams);
    // No metadata: the field is absent on the wire and in the decoded entry.
    expect(decodePushBody(encodePushBody([{ labels: '{x="1"}', entries: [{ ts: 1n, line: 'l' }] }]))[0].entries[0]).toEqual({ ts: 1n, line: 'l' });
  });

  it('formats labels sorted and escaped, and parses them back', () => {
    const labels = { z: 'last', a: 'say "hi"\n', m: 'back\\slash' };
    const text = formatLabels(labels);
    expect(text).toBe('{a="say \\"hi\\"\\n", m="back\\\\slash", z="last"}');
    expect(parseLabels(text)).toEqual(labels);
  });
});
