import { compileRules } from '../relabel/index.js';
import { isStaleNaN, STALE_NAN } from '../pipeline/staleness.js';
import type { WireBatch } from './batch.js';
import { LOOP_EXTRA_DEFAULTS, type LoopOptions, TargetState } from './loop.js';
import { openMetrics, prometheusText } from './parse/index.js';

const target = ['instance', 'h:1', 'job', 'j'];
const base: LoopOptions = {
  honorLabels: false, honorTimestamps: true, trackTimestampsStaleness: false, sampleLimit: 0,
  labelLimit: 0, labelNameLengthLimit: 0, labelValueLengthLimit: 0, metricRelabel: [], ...LOOP_EXTRA_DEFAULTS,
};

/** Decodes a batch against a ref table kept like the main thread keeps it. */
function decode(refs: Map<number, string[]>, b: WireBatch) {
  b.newRefs.forEach((r, i) => refs.set(r, b.newLabels[i]));
  const rows = Array.from(b.refs, (r, i) => ({ name: refs.get(r)!.join(','), v: b.values[i], t: b.ts[i] }));
  b.freed.forEach((r) => refs.delete(r));
  return rows;
}

test('first scrape: labels merged, series added, default timestamps', () => {
  const s = new TargetState(target, base);
  const refs = new Map<number, string[]>();
  const b = s.apply('a 1\nb{x="y"} 2 1234\n', prometheusText, 5000, 20);
  const rows = decode(refs, b);
  expect(rows).toEqual([
    { name: '__name__,a,instance,h:1,job,j', v: 1, t: 5000 },
    { name: '__name__,b,instance,h:1,job,j,x,y', v: 2, t: 1234 },
  ]);
  expect(b.stats).toEqual({ total: 2, added: 2, seriesAdded: 2, bodyBytes: 20 });
});

test('a series twice in one scrape: the first sample is kept, a repeat with another value is counted (Prometheus)', () => {
  const s = new TargetState(target, base);
  const refs = new Map<number, string[]>();
  const b = s.apply('a 1\nb 2\na 3\nb 2\na{} 4\n', prometheusText, 5000, 0);
  const rows = decode(refs, b);
  expect(rows).toEqual([
    { name: '__name__,a,instance,h:1,job,j', v: 1, t: 5000 },
    { name: '__name__,b,instance,h:1,job,j', v: 2, t: 5000 },
  ]);
  // a 3 and a{} 4 differ from the kept a 1; the exact repeat of b is dropped without counting.
  expect(b.stats).toEqual({ total: 5, added: 2, seriesAdded: 2, bodyBytes: 0, duplicates: 2 });
  // Two texts that metric relabeling maps onto one series are the same case.
  const r = new TargetState(target, { ...base, metricRelabel: compileRules([{ action: 'labeldrop', regex: 'x' } as never]) });
  const b2 = r.apply('m{x="1"} 1\nm{x="2"} 2\n', prometheusText, 5000, 0);
  expect(decode(new Map(), b2).map((x) => x.v)).toEqual([1]);
  expect(b2.stats.duplicates).toBe(1);
  // The next scrape starts afresh: no stale marker for the series, no duplicates.
  const b3 = s.apply('a 5\nb 6\n', prometheusText, 6000, 0);
  expect(decode(refs, b3).map((x) => x.v)).toEqual([5, 6]);
  expect(b3.stats.duplicates).toBeUndefined();
});

test('vanished series get one stale marker; explicit timestamps are not tracked unless asked', () => {
  for (const track of [false, true]) {
    const s = new TargetState(target, { ...base, trackTimestampsStaleness: track });
    const refs = new Map<number, string[]>();
    decode(refs, s.apply('a 1\nb 2\nc 3 100\n', prometheusText, 1000, 0));
    const b2 = s.apply('a 1\n', prometheusText, 2000, 0);
    expect(b2.stats.seriesAdded).toBe(0);
    const rows = decode(refs, b2);
    const stale = rows.filter((r) => isStaleNaN(r.v)).map((r) => r.name.split(',')[1]);
    expect(stale).toEqual(track ? ['b', 'c'] : ['b']);
    expect(rows.every((r) => r.t === 2000)).toBe(true);
    expect(refs.size).toBe(1); // b and c released
    const rows3 = decode(refs, s.apply('a 1\n', prometheusText, 3000, 0));
    expect(rows3.filter((r) => isStaleNaN(r.v))).toHaveLength(0);
  }
});

test('honor_timestamps=false uses the scrape time', () => {
  const s = new TargetState(target, { ...base, honorTimestamps: false });
  const rows = decode(new Map(), s.apply('a 1 42\n', prometheusText, 7000, 0));
  expect(rows[0].t).toBe(7000);
});

test('parse error fails the scrape: stale markers only for earlier series it had not reached (Prometheus)', () => {
  const s = new TargetState(target, base);
  const refs = new Map<number, string[]>();
  decode(refs, s.apply('a 1\nb 2\nc 3\n', prometheusText, 1000, 0));
  // a is appended before the error (and so stays current), n is new; b and c were not reached.
  const bad = s.apply('a 1\nn 9\nx{', prometheusText, 2000, 0);
  expect(bad.stats.error).toBeDefined();
  const rows = decode(refs, bad);
  expect(rows.map((r) => [r.name.split(',')[1], isStaleNaN(r.v), r.t])).toEqual([
    ['b', true, 2000],
    ['c', true, 2000],
  ]);
  // a and the new n keep their refs (n's labels travel so a later marker can name it).
  expect([...refs.values()].map((l) => l[1]).sort()).toEqual(['a', 'n']);
  // Next good scrape without n: n gets its marker then, a is not stale.
  const rows2 = decode(refs, s.apply('a 1\nb 2\n', prometheusText, 3000, 0));
  expect(rows2.map((r) => [r.name.split(',')[1], isStaleNaN(r.v)])).toEqual([
    ['a', false],
    ['b', false],
    ['n', true],
  ]);
});

test('a scrape that fails before any sample marks every earlier series stale', () => {
  const s = new TargetState(target, base);
  const refs = new Map<number, string[]>();
  decode(refs, s.apply('a 1\nb 2\n', prometheusText, 1000, 0));
  const rows = decode(refs, s.apply('x{', prometheusText, 2000, 0));
  expect(rows).toHaveLength(2);
  expect(rows.every((r) => isStaleNaN(r.v))).toBe(true);
  expect(refs.size).toBe(0);
  // Recovery: the series come back with new refs.
  const rows2 = decode(refs, s.apply('a 1\nb 2\n', prometheusText, 3000, 0));
  expect(rows2.map((r) => r.v)).toEqual([1, 2]);
});

test('sample_limit counts post-relabel samples and fails the scrape', () => {
  const rules = compileRules([{ sourceLabels: ['__name__'], regex: 'drop_.*', action: 'drop' }]);
  const s = new TargetState(target, { ...base, sampleLimit: 2, metricRelabel: rules });
  const refs = new Map<number, string[]>();
  const ok = s.apply('z 0\na 1\ndrop_me 3\n', prometheusText, 1000, 0);
  expect(ok.stats).toMatchObject({ total: 3, added: 2 });
  expect(ok.stats.error).toBeUndefined();
  decode(refs, ok);
  // a and b fit under the limit (appended, so current); c is over it; z was not reached.
  const over = s.apply('a 1\nb 2\nc 3\n', prometheusText, 2000, 0);
  expect(over.stats.error).toBe('sample limit exceeded');
  expect(over.stats.added).toBe(3);
  const rows = decode(refs, over);
  expect(rows.map((r) => [r.name.split(',')[1], isStaleNaN(r.v)])).toEqual([['z', true]]);
  expect([...refs.values()].map((l) => l[1]).sort()).toEqual(['a', 'b']);
});

test('label limit breaks the scrape; missing __name__ after relabel breaks it too', () => {
  const s = new TargetState(target, { ...base, labelLimit: 3 });
  expect(s.apply('a{x="1",y="2"} 1\n', prometheusText, 1, 0).stats.error).toContain('label_limit');
  const rules = compileRules([{ regex: '__name__', action: 'labeldrop' }]);
  const s2 = new TargetState(target, { ...base, metricRelabel: rules });
  expect(s2.apply('a 1\n', prometheusText, 1, 0).stats.error).toContain('__name__');
});

test('metric relabeling applies after target labels; drops are cached', () => {
  const rules = compileRules([
    { sourceLabels: ['__name__'], regex: 'secret', action: 'drop' },
    { sourceLabels: ['job'], targetLabel: 'origin', replacement: 'from-$1' },
  ]);
  const s = new TargetState(target, { ...base, metricRelabel: rules });
  const refs = new Map<number, string[]>();
  const rows = decode(refs, s.apply('secret 1\nok 2\n', prometheusText, 1, 0));
  expect(rows.map((r) => r.name)).toEqual(['__name__,ok,instance,h:1,job,j,origin,from-j']);
  const rows2 = decode(refs, s.apply('secret 1\nok 3\n', prometheusText, 2, 0));
  expect(rows2.map((r) => r.v)).toEqual([3]);
});

test('end of target: everything stale; hand-off: nothing stale', () => {
  const s = new TargetState(target, base);
  s.apply('a 1\nb 2\n', prometheusText, 1, 0);
  const end = s.staleAll(9, { total: 0, added: 0, seriesAdded: 0, bodyBytes: 0 });
  expect(end.values.every(isStaleNaN)).toBe(true);
  expect(end.freed).toHaveLength(2);
  const s2 = new TargetState(target, base);
  s2.apply('a 1\nb 2\n', prometheusText, 1, 0);
  const h = s2.handOff();
  expect(h.values).toHaveLength(0);
  expect(h.freed).toHaveLength(2);
});

test('openmetrics body through the loop, seconds timestamps', () => {
  const s = new TargetState(target, base);
  const rows = decode(new Map(), s.apply('# TYPE c counter\nc_total 5 1.5\nc_created 1\n# EOF\n', openMetrics, 9, 0));
  expect(rows).toEqual([
    { name: '__name__,c_total,instance,h:1,job,j', v: 5, t: 1500 },
    { name: '__name__,c_created,instance,h:1,job,j', v: 1, t: 9 },
  ]);
});

test('stale NaN survives typed arrays and structured clone', () => {
  const s = new TargetState(target, base);
  s.apply('a 1\n', prometheusText, 1, 0);
  const b = s.apply('', prometheusText, 2, 0);
  const cloned = structuredClone(b);
  expect(isStaleNaN(cloned.values[0])).toBe(true);
  expect(isStaleNaN(NaN)).toBe(false);
  // Sample objects keep the payload (plain double arrays would not: V8 canonicalises NaN there).
  const obj = { v: cloned.values[0] };
  expect(isStaleNaN(obj.v)).toBe(true);
  expect(isStaleNaN(STALE_NAN)).toBe(true);
});

test('series matched by position or by text alike: reordered, inserted, dropped and reconfigured bodies', () => {
  const s = new TargetState(target, { ...base, metricRelabel: compileRules([{ sourceLabels: ['__name__'], regex: 'drop_.*', action: 'drop' }]) });
  const refs = new Map<number, string[]>();
  const names = (b: WireBatch) => decode(refs, b).map((r) => `${r.name.split(',')[1]}=${isStaleNaN(r.v) ? 'stale' : r.v}`);
  const first = s.apply('a 1\ndrop_me 9\nb 2\nc 3\n', prometheusText, 1000, 0);
  const refOf = new Map(first.newRefs.length ? Array.from(first.newRefs, (r, i) => [first.newLabels[i][1], r] as const) : []);
  expect(names(first)).toEqual(['a=1', 'b=2', 'c=3']);
  // Same texts in another order, one inserted, one gone: same refs for survivors, no new series but 'n'.
  const second = s.apply('c 30\nn 5\na 10\ndrop_me 9\n', prometheusText, 2000, 0);
  expect(second.stats.seriesAdded).toBe(1);
  expect(Array.from(second.newLabels, (l) => l[1])).toEqual(['n']);
  expect(names(second)).toEqual(['c=30', 'n=5', 'a=10', 'b=stale']);
  expect(second.refs[0]).toBe(refOf.get('c'));
  expect(second.refs[2]).toBe(refOf.get('a'));
  // Back to the first order: 'b' is new again (its ref was released), the rest are found.
  const third = s.apply('a 1\ndrop_me 9\nb 2\nc 3\n', prometheusText, 3000, 0);
  expect(Array.from(third.newLabels, (l) => l[1])).toEqual(['b']);
  expect(names(third)).toEqual(['a=1', 'b=2', 'c=3', 'n=stale']);
  // New options: texts are looked at afresh (now drop_me is kept), positions notwithstanding.
  s.reconfigure(target, base);
  const fourth = s.apply('a 1\ndrop_me 9\nb 2\nc 3\n', prometheusText, 4000, 0);
  expect(Array.from(fourth.newLabels, (l) => l[1])).toEqual(['drop_me']);
  expect(names(fourth)).toEqual(['a=1', 'drop_me=9', 'b=2', 'c=3']);
});
