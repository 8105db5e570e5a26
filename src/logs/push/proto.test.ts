import fc from 'fast-check';
import { decodePushBody, encodePushBody, formatLabels, parseLabels } from './proto.js';

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

  it('formats labels sorted and escaped, and parses them back', () => {
    const labels = { z: 'last', a: 'say "hi"\n', m: 'back\\slash' };
    const text = formatLabels(labels);
    expect(text).toBe('{a="say \\"hi\\"\\n", m="back\\\\slash", z="last"}');
    expect(parseLabels(text)).toEqual(labels);
  });
});
