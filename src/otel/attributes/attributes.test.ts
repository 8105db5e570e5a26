// otelcol.processor.attributes: each action, and include/exclude matching.
import crypto from 'node:crypto';
import type { KeyValue, Logs, Metrics, Traces } from '../../pipeline/otel.js';
import { compileAction, hashValue, type ActionArgs } from './actions.js';
import { AttributesProcessor } from './processor.js';
import type { MatchProperties } from './match.js';

const s = (v: string) => ({ stringValue: v });
const base: ActionArgs = { key: '', pattern: '', from_attribute: '', from_context: '', converted_type: '', action: '' };
const act = (a: Partial<ActionArgs>) => compileAction('action[0]', { ...base, ...a });
const obj = (l: KeyValue[]) => Object.fromEntries(l.map((x) => [x.key, x.value]));
const start = (): KeyValue[] => [
  { key: 'a', value: s('1') },
  { key: 'user.email', value: s('ann@example.com') },
  { key: 'code', value: s('404') },
  { key: 'path', value: s('/api/v1/document/12345678/update/v1') },
  { key: 'temp.x', value: { intValue: '3' } },
];

describe('attribute actions', () => {
  const rows: [string, Partial<ActionArgs>, Record<string, unknown>][] = [
    ['insert new', { key: 'n', value: 123, action: 'insert' }, { n: { intValue: '123' } }],
    ['insert existing is a no-op', { key: 'a', value: 'x', action: 'insert' }, { a: s('1') }],
    ['update existing', { key: 'a', value: 1.5, action: 'update' }, { a: { doubleValue: 1.5 } }],
    ['update missing is a no-op', { key: 'zz', value: true, action: 'update' }, { zz: undefined }],
    ['upsert', { key: 'a', value: false, action: 'upsert' }, { a: { boolValue: false } }],
    ['upsert from_attribute', { key: 'copy', from_attribute: 'code', action: 'upsert' }, { copy: s('404') }],
    ['from_attribute missing does nothing', { key: 'copy', from_attribute: 'nope', action: 'upsert' }, { copy: undefined }],
    ['from_context metadata', { key: 'tenant', from_context: 'metadata.x-scope-orgid', action: 'insert' }, { tenant: s('t1;t2') }],
    ['from_context auth', { key: 'who', from_context: 'auth.username', action: 'insert' }, { who: s('bob') }],
    ['delete by key', { key: 'a', action: 'delete' }, { a: undefined, code: s('404') }],
    ['delete by pattern', { pattern: '^temp\\.', action: 'delete' }, { 'temp.x': undefined, a: s('1') }],
    ['hash a string', { key: 'user.email', action: 'hash' }, { 'user.email': s(crypto.createHash('sha1').update('ann@example.com').digest('hex')) }],
    ['extract named groups', { key: 'path', pattern: '\\/api\\/v1\\/document\\/(?P<doc>.*)\\/update\\/(?P<version>.*)$', action: 'extract' }, { doc: s('12345678'), version: s('v1') }],
    ['convert to int', { key: 'code', converted_type: 'int', action: 'convert' }, { code: { intValue: '404' } }],
    ['convert to double', { key: 'temp.x', converted_type: 'double', action: 'convert' }, { 'temp.x': { doubleValue: 3 } }],
    ['convert to string', { key: 'temp.x', converted_type: 'string', action: 'convert' }, { 'temp.x': s('3') }],
    ['convert that cannot is a no-op', { key: 'a', converted_type: 'int', action: 'update', value: 'x' }, { a: s('x') }],
  ];
  it.each(rows)('%s', (_n, a, want) => {
    const attrs = start();
    act(a)(attrs, { metadata: { 'x-scope-orgid': ['t1', 't2'] }, auth: { username: 'bob' } });
    const got = obj(attrs);
    for (const [k, v] of Object.entries(want)) expect(got[k]).toEqual(v);
  });

  it('hashes ints as 8 big-endian bytes', () => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(3n);
    expect(hashValue({ intValue: '3' })).toEqual(s(crypto.createHash('sha1').update(b).digest('hex')));
  });

  const bad: [Partial<ActionArgs>, RegExp][] = [
    [{ key: 'a', action: 'rename' }, /action "rename" is invalid/],
    [{ key: 'a', action: 'insert' }, /exactly one of value, from_attribute or from_context/],
    [{ key: 'a', value: 1, from_attribute: 'b', action: 'upsert' }, /exactly one of/],
    [{ action: 'delete' }, /delete needs key or pattern/],
    [{ key: 'a', pattern: '(.*)', action: 'extract' }, /no named subexpressions/],
    [{ key: 'a', converted_type: 'float', action: 'convert' }, /converted_type "float" is invalid/],
    [{ key: 'a', pattern: '(', action: 'delete' }, /invalid regular expression/],
  ];
  it.each(bad)('rejects %j', (a, re) => expect(() => act(a)).toThrow(re));
});

const match = (p: Partial<MatchProperties>): MatchProperties => ({ match_type: 'strict', services: [], span_names: [], span_kinds: [], log_bodies: [], log_severity_texts: [], metric_names: [], attribute: [], resource: [], library: [], ...p });

function traces(): Traces {
  const span = (name: string, attrs: KeyValue[]) => ({ traceId: new Uint8Array(16), spanId: new Uint8Array(8), name, kind: 3, attributes: attrs });
  return {
    resourceSpans: ['svcA', 'svcB'].map((svc) => ({
      resource: { attributes: [{ key: 'service.name', value: s(svc) }] },
      scopeSpans: [{ scope: { name: 'mongo-java-driver', version: '3.8.0' }, spans: [span('login', [{ key: 'env', value: s('dev') }, { key: 'credit_card', value: s('1234') }]), span('other', [{ key: 'env', value: { intValue: '1' } }, { key: 'credit_card', value: s('1234') }])] }],
    })),
  };
}
const cards = (t: Traces) => t.resourceSpans.flatMap((r) => r.scopeSpans[0].spans.map((sp) => `${obj(r.resource!.attributes)['service.name']!.stringValue}/${sp.name}:${sp.attributes.some((a) => a.key === 'credit_card')}`));
const del = [{ ...base, key: 'credit_card', action: 'delete' }];

describe('include / exclude', () => {
  it('exclude by services and attributes (all attributes must match)', () => {
    const p = new AttributesProcessor({ action: del, exclude: match({ services: ['svcA'], attribute: [{ key: 'env', value: 'dev' }] }) }, ['traces']);
    const input = traces();
    const out = p.apply('traces', input);
    expect(cards(out)).toEqual(['svcA/login:true', 'svcA/other:false', 'svcB/login:false', 'svcB/other:false']);
    expect(cards(input).every((c) => c.endsWith('true'))).toBe(true);
  });
  it('include by regexp span name and kind', () => {
    const p = new AttributesProcessor({ action: del, include: match({ match_type: 'regexp', span_names: ['^log'], span_kinds: ['SPAN_KIND_CLIENT'] }) }, ['traces']);
    expect(cards(p.apply('traces', traces()))).toEqual(['svcA/login:false', 'svcA/other:true', 'svcB/login:false', 'svcB/other:true']);
  });
  it('include by library version and resource', () => {
    const p = new AttributesProcessor({ action: del, include: match({ library: [{ name: 'mongo-java-driver', version: '3.8.0' }], resource: [{ key: 'service.name', value: 'svcB' }] }) }, ['traces']);
    expect(cards(p.apply('traces', traces()))).toEqual(['svcA/login:true', 'svcA/other:true', 'svcB/login:false', 'svcB/other:false']);
    const other = new AttributesProcessor({ action: del, include: match({ library: [{ name: 'mongo-java-driver', version: '4' }] }) }, ['traces']);
    expect(cards(other.apply('traces', traces())).every((c) => c.endsWith('true'))).toBe(true);
  });
  it('log_severity with match_undefined', () => {
    const logs: Logs = { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [9, 13, 0].map((n) => ({ severityNumber: n, attributes: [{ key: 'x', value: s('1') }] })) }] }] };
    const add = [{ ...base, key: 'tag', value: 'y', action: 'insert' }];
    const run = (match_undefined: boolean) => new AttributesProcessor({ action: add, include: match({ log_severity: { min: 'WARN', match_undefined } }) }, ['logs']).apply('logs', logs).resourceLogs[0].scopeLogs[0].logRecords.map((l) => l.attributes.length);
    expect(run(false)).toEqual([1, 2, 1]);
    expect(run(true)).toEqual([1, 2, 2]);
  });
  it('metrics: actions on data points of matching metric names', () => {
    const metrics: Metrics = { resourceMetrics: [{ resource: { attributes: [] }, scopeMetrics: [{ metrics: ['keep.me', 'skip'].map((name) => ({ name, gauge: { dataPoints: [{ asDouble: 1, attributes: [] }] } })) }] }] };
    const out = new AttributesProcessor({ action: [{ ...base, key: 'k', value: 'v', action: 'insert' }], include: match({ match_type: 'regexp', metric_names: ['^keep'] }) }, ['metrics']).apply('metrics', metrics);
    expect(out.resourceMetrics[0].scopeMetrics[0].metrics.map((m) => (m.gauge!.dataPoints[0] as { attributes: KeyValue[] }).attributes.length)).toEqual([1, 0]);
  });
  it('refuses properties of another signal', () => {
    expect(() => new AttributesProcessor({ action: del, include: match({ span_names: ['x'] }) }, ['logs'])).toThrow(/include: span_names cannot be used for logs/);
    expect(() => new AttributesProcessor({ action: del, include: match({ match_type: 'fuzzy', span_names: ['x'] }) }, ['traces'])).toThrow(/match_type "fuzzy" is invalid/);
    expect(() => new AttributesProcessor({ action: del, exclude: match({}) }, ['traces'])).toThrow(/at least one of/);
  });
});
