import { eventLine, eventTimeNs, goQuote, type CoreEvent } from './format.js';

const base: CoreEvent = {
  metadata: { name: 'cart.1', namespace: 'shop', resourceVersion: '7' },
  involvedObject: { kind: 'Pod', namespace: 'shop', name: 'cart', apiVersion: 'v1' },
  reason: 'Failed',
  type: 'Warning',
  message: 'Error: <ImagePullBackOff> & "retry"\n',
};

describe('event lines (Alloy field order and forms)', () => {
  it('logfmt: set fields only, msg quoted as Go %q, trailing space', () => {
    expect(eventLine(base, 'logfmt')).toBe('name=cart kind=Pod objectAPIversion=v1 eventRV=7 reason=Failed type=Warning msg="Error: <ImagePullBackOff> & \\"retry\\"\\n" ');
    expect(eventLine({ involvedObject: { name: 'x' } }, 'logfmt')).toBe('name=x msg="" ');
  });

  it('json: sorted keys, count as a number, Go HTML escaping', () => {
    const line = eventLine({ ...base, count: 3, action: 'Pulling' }, 'json');
    expect(line).toBe(
      '{"action":"Pulling","count":3,"eventRV":"7","kind":"Pod","msg":"Error: \\u003cImagePullBackOff\\u003e \\u0026 \\"retry\\"\\n","name":"cart","objectAPIversion":"v1","reason":"Failed","type":"Warning"}',
    );
  });

  it('an event without an involved object is refused with its name', () => {
    expect(() => eventLine({ metadata: { name: 'e', namespace: 'n' } }, 'logfmt')).toThrow('event n/e: no involved object for event');
  });

  it('time: lastTimestamp first, then eventTime with microseconds', () => {
    expect(eventTimeNs({ lastTimestamp: '2024-01-02T03:04:05Z', eventTime: '2025-01-01T00:00:00.000000Z' })).toBe(1704164645000000000n);
    expect(eventTimeNs({ lastTimestamp: null, eventTime: '2024-01-02T03:04:05.123456Z' })).toBe(1704164645123456000n);
    expect(eventTimeNs({})).toBeUndefined();
  });

  it('goQuote escapes controls like strconv.Quote', () => {
    expect(goQuote('a\tb\u0001\\')).toBe('"a\\tb\\x01\\\\"');
    expect(goQuote('héllo ✓')).toBe('"héllo ✓"');
  });
});
