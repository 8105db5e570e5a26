import { buildPipeline, runPipeline, type StageBlock } from './pipeline.js';
import { compilePath } from './jmespath.js';
import { parseLogfmt } from './logfmt.js';
import { luhnValid, redactLuhn } from './luhn.js';
import { dropStage } from './drop.js';
import type { LogEntry } from '../../pipeline/logs.js';

const NOW_MS = 1_700_000_000_000;
const entry = (line: string, labels: Record<string, string> = { job: 'x' }, ts = BigInt(NOW_MS) * 1_000_000n): LogEntry => ({ labels, ts, line });

function run(blocks: StageBlock[], entries: LogEntry[], drops: string[] = []) {
  return runPipeline(buildPipeline(blocks, (r) => drops.push(r)), entries);
}

describe('loki.process stages', () => {
  it('static_labels adds labels on a copy (the input entry is untouched)', () => {
    const input = entry('a');
    const [out] = run([{ name: 'stage.static_labels', value: { values: { env: 'prod' } } }], [input]);
    expect(out.labels).toEqual({ job: 'x', env: 'prod' });
    expect(input.labels).toEqual({ job: 'x' });
  });

  it('json extracts by JMESPath subset and labels promotes, in order', () => {
    const blocks: StageBlock[] = [
      { name: 'stage.json', value: { expressions: { level: '', user: 'ctx.user.name', first: 'tags[0]', odd: '"a.b"' } } },
      { name: 'stage.labels', value: { values: { level: '', user: null, tag: 'first', dotted: 'odd', missing: '' } } },
    ];
    const [out] = run(blocks, [entry('{"level":"warn","ctx":{"user":{"name":"ann"}},"tags":["t1","t2"],"a.b":7}')]);
    expect(out.labels).toEqual({ job: 'x', level: 'warn', user: 'ann', tag: 't1', dotted: '7' });
    // A line that is not JSON passes unchanged.
    expect(run(blocks, [entry('plain text')])[0].labels).toEqual({ job: 'x' });
  });

  it('json drop_malformed drops non-JSON with a reason', () => {
    const drops: string[] = [];
    const out = run([{ name: 'stage.json', value: { expressions: { a: '' }, drop_malformed: true } }], [entry('{bad'), entry('{"a":1}')], drops);
    expect(out.map((e) => e.line)).toEqual(['{"a":1}']);
    expect(drops).toEqual(['malformed_json']);
  });

  it('rejects invalid JMESPath at load time with the stage named', () => {
    expect(() => buildPipeline([{ name: 'stage.json', value: { expressions: { a: 'foo[?x>' } } }], () => {})).toThrow(/stage.json \(stage 1\).*could not compile JMES expression/);
    expect(compilePath('a.b[-1]')({ a: { b: [1, 2, 3] } })).toBe(3);
  });

  it('logfmt extracts mapped keys including quoted values', () => {
    expect(parseLogfmt('level=info msg="hello \\"world\\"" flag dur=5ms')).toEqual(
      new Map([['level', 'info'], ['msg', 'hello "world"'], ['flag', ''], ['dur', '5ms']]),
    );
    const [out] = run(
      [
        { name: 'stage.logfmt', value: { mapping: { lvl: 'level', msg: '' } } },
        { name: 'stage.labels', value: { values: { lvl: '' } } },
      ],
      [entry('ts=1 level=error msg="disk full"')],
    );
    expect(out.labels.lvl).toBe('error');
  });

  it('drop: expression (unanchored RE2), value on a source, length, age; all conditions must hold', () => {
    const drops: string[] = [];
    const lines = ['GET /healthz 200', 'GET /api 500', 'x'.repeat(100)];
    const out = run([{ name: 'stage.drop', value: { expression: 'healthz', drop_counter_reason: 'health' } }], lines.map((l) => entry(l)), drops);
    expect(out.map((e) => e.line)).toEqual(lines.slice(1));
    expect(drops).toEqual(['health']);

    const bySource = run(
      [
        { name: 'stage.logfmt', value: { mapping: { level: '' } } },
        { name: 'stage.drop', value: { source: 'level', value: 'debug' } },
      ],
      [entry('level=debug a'), entry('level=info b'), entry('no level')],
    );
    expect(bySource.map((e) => e.line)).toEqual(['level=info b', 'no level']);

    expect(run([{ name: 'stage.drop', value: { longer_than: '50B' } }], lines.map((l) => entry(l))).length).toBe(2);
    // Both conditions: long AND matching -> only the long line with "x" is dropped.
    expect(run([{ name: 'stage.drop', value: { longer_than: '10B', expression: 'GET' } }], [entry('GET ' + 'y'.repeat(20)), entry('GET /')]).length).toBe(1);

    const age = dropStage({ older_than: 60_000 }, () => {}, () => NOW_MS);
    expect(age.process({ ...entry('old', {}, BigInt(NOW_MS - 120_000) * 1_000_000n), extracted: {}, structuredMetadata: {} })).toBe(false);
    expect(age.process({ ...entry('new', {}, BigInt(NOW_MS - 1_000) * 1_000_000n), extracted: {}, structuredMetadata: {} })).toBe(true);
    expect(() => dropStage({}, () => {})).toThrow(/at least one/);
    expect(() => dropStage({ expression: '(' }, () => {})).toThrow(/invalid expression/);
  });

  it('luhn redacts valid card numbers only', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactLuhn('card 4111111111111111 ok 4111111111111112 id 12345', 13, '**REDACTED**')).toBe('card **REDACTED** ok 4111111111111112 id 12345');
    const [out] = run([{ name: 'stage.luhn', value: { replacement: '<cc>' } }], [entry('pay 5500005555555559 now')]);
    expect(out.line).toBe('pay <cc> now');
  });

  it('names an unknown stage', () => {
    expect(() => buildPipeline([{ name: 'stage.nope', value: {} }], () => {})).toThrow(/unsupported stage block "stage.nope"/);
  });
});
