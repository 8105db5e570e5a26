import { buildPipeline, runPipeline, type StageBlock } from './pipeline.js';
import { parseBase2Bytes } from './drop.js';
import type { LogEntry } from '../../pipeline/logs.js';

const NOW_MS = 1_700_000_000_000;
const entry = (line: string, ts = BigInt(NOW_MS) * 1_000_000n): LogEntry => ({ labels: { job: 'x' }, ts, line });

function run(blocks: StageBlock[], entries: LogEntry[], drops: string[] = []) {
  return runPipeline(buildPipeline(blocks, (r) => drops.push(r), { now: () => NOW_MS }), entries);
}
const json = (expressions: Record<string, string>): StageBlock => ({ name: 'stage.json', value: { expressions } });

describe('stage.luhn', () => {
  const CARD = '4242424242424242';
  const UUID = 'a3f1b2e4-c5d6-7e8f-4242-424242424242'; // its last group is a 12-digit Luhn-valid number
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['default replacement', {}, `credit card approved ${CARD} ok`, 'credit card approved **REDACTED** ok'],
    ['custom replacement', { replacement: '**DELETED**' }, `cc ${CARD}`, 'cc **DELETED**'],
    ['a non-Luhn number stays', {}, 'id 4242424242424241', 'id 4242424242424241'],
    ['shorter than min_length (13) stays', {}, 'n 424242424242', 'n 424242424242'],
    ['min_length lowers the bar', { min_length: 12 }, 'n 424242424242', 'n **REDACTED**'],
    ['min_length 0 means the default 13', { min_length: 0 }, 'n 424242424242', 'n 424242424242'],
    ['delimiters join the groups', { delimiters: '-' }, 'cc 4242-4242-4242-4242 end', 'cc **REDACTED** end'],
    ['a trailing delimiter is kept', { delimiters: '- ' }, 'cc 4242 4242 4242 4242 end', 'cc **REDACTED** end'],
    ['without delimiters groups are separate numbers', {}, 'cc 4242-4242-4242-4242', 'cc 4242-4242-4242-4242'],
    ['delimiters do not start a number', { delimiters: '-' }, '--- 4242424242424242-', '--- **REDACTED**-'],
    ['skip_regex protects numbers inside its matches', { min_length: 12, skip_regex: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' }, `cc ${CARD} session=${UUID}`, `cc **REDACTED** session=${UUID}`],
    ['without skip_regex the UUID group is redacted', { min_length: 12 }, `session=${UUID}`, 'session=a3f1b2e4-c5d6-7e8f-4242-**REDACTED**'],
    ['a number beyond a 64-bit integer is not checked (Alloy converts with Atoi)', {}, 'n 42424242424242424242', 'n 42424242424242424242'],
  ];
  it.each(cases)('%s', (_name, args, line, want) => {
    expect(run([{ name: 'stage.luhn', value: args }], [entry(line)])[0].line).toBe(want);
  });

  it('source: the redacted extracted value becomes the line (as in Alloy); missing or non-string source leaves the line', () => {
    const blocks = [json({ message: 'msg' }), { name: 'stage.luhn', value: { source: 'message' } }];
    expect(run(blocks, [entry(`{"msg":"card ${CARD}","other":1}`)])[0].line).toBe('card **REDACTED**');
    expect(run(blocks, [entry('{"other":1}')])[0].line).toBe('{"other":1}');
    expect(run(blocks, [entry('{"msg":42}')])[0].line).toBe('{"msg":42}');
  });

  it('rejects bad configuration naming the stage', () => {
    expect(() => buildPipeline([{ name: 'stage.luhn', value: { skip_regex: '(' } }], () => {})).toThrow(/stage.luhn \(stage 1\): could not compile regular expression skip_regex/);
    expect(() => buildPipeline([{ name: 'stage.luhn', value: { source: '' } }], () => {})).toThrow(/stage.luhn \(stage 1\): empty source/);
  });
});

describe('stage.drop', () => {
  const drop = (args: Record<string, unknown>): StageBlock => ({ name: 'stage.drop', value: args });
  // stage.json sets every expression it has (null when the field is missing, as Alloy's does),
  // so a field counts as absent here by not being extracted at all: only the line's own fields are.
  const extract = (line: string): StageBlock[] => {
    let doc: Record<string, unknown> = {};
    try {
      doc = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return [];
    }
    const present = Object.keys(doc).filter((k) => ['app', 'level', 'n', 'obj'].includes(k));
    return present.length ? [json(Object.fromEntries(present.map((k) => [k, ''])))] : [];
  };
  const cases: [string, Record<string, unknown>, string, boolean][] = [
    ['expression matches the line anywhere', { expression: 'debug' }, 'a debug line', true],
    ['expression not matching keeps', { expression: '^debug' }, 'a debug line', false],
    ['source present (no value/expression) drops', { source: 'app' }, '{"app":"x"}', true],
    ['source absent keeps', { source: 'app' }, '{"level":"x"}', false],
    ['all of several sources must be present', { source: 'app,level' }, '{"app":"x"}', false],
    ['value is an exact match on the source', { source: 'app', value: 'example' }, '{"app":"example"}', true],
    ['value is not a substring match', { source: 'app', value: 'exam' }, '{"app":"example"}', false],
    ['value matches metacharacters literally', { source: 'app', value: 'a.b' }, '{"app":"axb"}', false],
    ['sources are joined by separator (default ";")', { source: 'app,level', value: 'web;info' }, '{"app":"web","level":"info"}', true],
    ['custom separator', { source: 'app,level', separator: '|', expression: '^web\\|info$' }, '{"app":"web","level":"info"}', true],
    ['missing sources are left out of the join', { source: 'app,level', value: 'web' }, '{"app":"web"}', true],
    ['numbers are compared in their string form', { source: 'n', value: '5' }, '{"n":5}', true],
    ['an object source is matched as its JSON text (stage.json marshals objects)', { source: 'obj', expression: '^\\{"a":1\\}$' }, '{"obj":{"a":1}}', true],
    ['longer_than (1KB = 1024 bytes)', { longer_than: '1KB' }, 'x'.repeat(1025), true],
    ['longer_than not exceeded', { longer_than: '1KB' }, 'x'.repeat(1024), false],
    ['longer_than counts bytes, not characters', { longer_than: '4B' }, 'ééé', true],
    ['conditions are ANDed: long but not matching', { longer_than: '8B', expression: 'debug' }, 'x'.repeat(20), false],
    ['conditions are ANDed: long and matching', { longer_than: '8B', expression: 'debug' }, 'debug '.repeat(4), true],
  ];
  it.each(cases)('%s', (_name, args, line, dropped) => {
    const drops: string[] = [];
    const out = run([...extract(line), drop(args)], [entry(line)], drops);
    expect(out.length).toBe(dropped ? 0 : 1);
    expect(drops).toEqual(dropped ? ['drop_stage'] : []);
  });

  it('older_than drops entries whose timestamp is before now minus the duration; drop_counter_reason names the count', () => {
    const drops: string[] = [];
    const old = entry('old', BigInt(NOW_MS - 25 * 3_600_000) * 1_000_000n);
    const fresh = entry('fresh', BigInt(NOW_MS - 3_600_000) * 1_000_000n);
    const out = run([drop({ older_than: 24 * 3_600_000, drop_counter_reason: 'too old' })], [old, fresh], drops);
    expect(out.map((e) => e.line)).toEqual(['fresh']);
    expect(drops).toEqual(['too old']);
  });

  it('sizes are base-2 with a unit, as Alloy parses them', () => {
    expect(parseBase2Bytes('8KB')).toBe(8192);
    expect(parseBase2Bytes('8KiB')).toBe(8192);
    expect(parseBase2Bytes('1MB512KB')).toBe(1024 * 1024 + 512 * 1024);
    expect(parseBase2Bytes('1.5KB')).toBe(1536);
    expect(parseBase2Bytes('0')).toBe(0);
    expect(() => parseBase2Bytes('100')).toThrow(/invalid size/);
    expect(() => parseBase2Bytes('1kb')).toThrow(/unknown unit "kb"/);
  });

  it('rejects bad configuration naming the stage', () => {
    const build = (v: Record<string, unknown>) => () => buildPipeline([drop(v)], () => {});
    expect(build({})).toThrow(/stage.drop \(stage 1\): drop stage config must contain at least one of `source`, `expression`, `older_than` or `longer_than`/);
    expect(build({ source: 'a', value: 'x', expression: 'y' })).toThrow(/`value` and `expression` cannot both be defined/);
    expect(build({ value: 'x', longer_than: '1KB' })).toThrow(/must contain `source` if `value` is specified/);
    expect(build({ expression: '(' })).toThrow(/stage.drop \(stage 1\): invalid expression "\("/);
    expect(build({ longer_than: '12 apples' })).toThrow(/stage.drop \(stage 1\): longer_than: invalid size/);
  });
});
