// Table tests of loki.process's parsing and transforming stages: an input
// entry (line, labels, structured metadata, extracted seed) through a list of
// stage blocks -> what comes out (lines, labels, extracted, metadata).
import { Registry } from 'prom-client';
import { buildPipeline, type StageBlock } from './pipeline.js';
import { runEntry } from './runner.js';
import { compilePattern } from './pattern.js';
import { parseCri } from './cri.js';
import { parseLogqlSelector } from './logql-selector.js';
import type { StageEntry, StageEnv } from './types.js';

const TS = 1_000n;

interface In {
  line: string;
  labels?: Record<string, string>;
  sm?: Record<string, string>;
  extracted?: Record<string, unknown>;
  ts?: bigint;
}

function entry(i: In): StageEntry {
  const labels = { ...(i.labels ?? { job: 'x' }) };
  return { labels, ts: i.ts ?? TS, line: i.line, extracted: { ...labels, ...(i.extracted ?? {}) }, structuredMetadata: { ...(i.sm ?? {}) } };
}

function run(blocks: StageBlock[], inputs: In[], env: StageEnv = {}, drops: string[] = []): StageEntry[] {
  const stages = buildPipeline(blocks, (r) => drops.push(r), env);
  return inputs.flatMap((i) => runEntry(stages, entry(i)));
}

const one = (blocks: StageBlock[], input: In, env?: StageEnv) => {
  const out = run(blocks, [input], env);
  expect(out.length).toBe(1);
  return out[0];
};

const s = (name: string, value: Record<string, unknown> = {}): StageBlock => ({ name: `stage.${name}`, value });

describe('stage.cri', () => {
  it('parses the CRI header into line, timestamp, stream label and extracted fields', () => {
    const e = one([s('cri')], { line: '2019-04-30T02:12:41.8443515Z stdout F message here' });
    expect(e.line).toBe('message here');
    expect(e.labels.stream).toBe('stdout');
    expect(e.ts).toBe(1556590361844351500n);
    expect(e.extracted).toMatchObject({ content: 'message here', stream: 'stdout', flags: 'F', time: '2019-04-30T02:12:41.8443515Z' });
  });

  it('is lenient like Alloy: the flag is optional, a non-CRI line passes untouched', () => {
    expect(parseCri('2019-01-01T00:00:00Z stderr hello')).toEqual({ time: '2019-01-01T00:00:00Z', stream: 'stderr', flag: 'F', content: 'hello' });
    const e = one([s('cri')], { line: 'not a cri line' });
    expect(e.line).toBe('not a cri line');
    expect(e.labels.stream).toBeUndefined();
  });

  it('joins partial lines per stream until the full line', () => {
    const out = run([s('cri')], [
      { line: '2024-01-01T00:00:00Z stdout P part1 ', labels: { pod: 'a' } },
      { line: '2024-01-01T00:00:01Z stdout P b-only', labels: { pod: 'b' } },
      { line: '2024-01-01T00:00:02Z stdout P part2 ', labels: { pod: 'a' } },
      { line: '2024-01-01T00:00:03Z stdout F end', labels: { pod: 'a' } },
      { line: '2024-01-01T00:00:04Z stdout F done', labels: { pod: 'b' } },
    ]);
    expect(out.map((e) => [e.labels.pod, e.line])).toEqual([
      ['a', 'part1 part2 end'],
      ['b', 'b-onlydone'],
    ]);
  });

  it('flushes held partial lines when max_partial_lines streams are pending, counting them', async () => {
    const metrics = new Registry();
    const out = run([s('cri', { max_partial_lines: 2 })], [
      { line: 't stdout P a1', labels: { pod: 'a' } },
      { line: 't stdout P b1', labels: { pod: 'b' } },
      { line: 't stdout P c1', labels: { pod: 'c' } }, // third stream: a1 and b1 go out as they are
      { line: 't stdout F c2', labels: { pod: 'c' } },
    ], { registry: metrics });
    expect(out.map((e) => e.line)).toEqual(['a1', 'b1', 'c1c2']);
    expect(await metrics.getSingleMetricAsString('loki_process_cri_partial_lines_flushed_total')).toMatch(/ 2$/);
  });

  it('truncates joined partial lines with max_partial_line_size_truncate', async () => {
    const metrics = new Registry();
    const out = run([s('cri', { max_partial_line_size: 5, max_partial_line_size_truncate: true })], [
      { line: 't stdout P abc' },
      { line: 't stdout P def' },
      { line: 't stdout F ghi' },
    ], { registry: metrics });
    expect(out.map((e) => e.line)).toEqual(['abcde']);
    expect(await metrics.getSingleMetricAsString('loki_process_cri_lines_truncated_total')).toMatch(/ 2$/);
    // Without the truncate switch the size is not enforced.
    expect(run([s('cri', { max_partial_line_size: 5 })], [{ line: 't stdout P abc' }, { line: 't stdout F defgh' }])[0].line).toBe('abcdefgh');
  });

  it('rejects max_partial_lines <= 0', () => {
    expect(() => buildPipeline([s('cri', { max_partial_lines: 0 })], () => {})).toThrow(/stage.cri \(stage 1\): max_partial_lines must be greater than 0/);
  });
});

describe('stage.docker', () => {
  it('unpacks the json-file format', () => {
    const e = one([s('docker')], { line: '{"log":"log message\\n","stream":"stderr","time":"2019-04-30T02:12:41.8443515Z","attrs":{"tag":"x"}}' });
    expect(e.line).toBe('log message\n');
    expect(e.labels.stream).toBe('stderr');
    expect(e.ts).toBe(1556590361844351500n);
    expect(e.extracted).toMatchObject({ output: 'log message\n', stream: 'stderr', timestamp: '2019-04-30T02:12:41.8443515Z' });
  });
  it('leaves non-docker lines alone (not JSON, or no log field)', () => {
    expect(one([s('docker')], { line: 'plain' }).line).toBe('plain');
    expect(one([s('docker')], { line: '{"msg":"x"}' }).line).toBe('{"msg":"x"}');
  });
});

describe('stage.regex', () => {
  it('extracts named groups from the line or a source; labels_from_groups sets labels', () => {
    const e = one([s('regex', { expression: '^(?s)(?P<time>\\S+?) (?P<stream>stdout|stderr) (?P<flags>\\S+?) (?P<content>.*)$' })], { line: "2019-01-01T01:00:00.000000001Z stderr P i'm a log message!" });
    expect(e.extracted).toMatchObject({ time: '2019-01-01T01:00:00.000000001Z', stream: 'stderr', flags: 'P', content: "i'm a log message!" });
    expect(e.labels.stream).toBeUndefined();
    const l = one([s('regex', { expression: '^(?P<year>\\d+)', source: 'time', labels_from_groups: true })], { line: 'x', extracted: { time: '2022-01-01' } });
    expect(l.extracted.year).toBe('2022');
    expect(l.labels.year).toBe('2022');
  });
  it('does nothing when the source is missing or the regex does not match', () => {
    const e = one([s('regex', { expression: '(?P<n>\\d+)', source: 'nope' })], { line: '123' });
    expect(e.extracted.n).toBeUndefined();
    expect(one([s('regex', { expression: '(?P<n>\\d+)' })], { line: 'abc' }).extracted.n).toBeUndefined();
  });
  it('rejects a bad expression and an empty source, naming the stage', () => {
    expect(() => buildPipeline([s('regex', { expression: '(?P<x' })], () => {})).toThrow(/stage.regex \(stage 1\): .*could not compile regular expression/);
    expect(() => buildPipeline([s('regex', { expression: 'a', source: '' })], () => {})).toThrow(/stage.regex \(stage 1\): empty source/);
    // RE2: backreferences are not supported, as in Go.
    expect(() => buildPipeline([s('regex', { expression: '(a)\\1' })], () => {})).toThrow(/could not compile/);
  });
});

describe('stage.pattern', () => {
  it('captures up to the next literal; <_> skips; the last capture takes the rest', () => {
    const e = one([s('pattern', { pattern: '<time> <stream> <flags> <content>' })], { line: "2019-01-01T01:00:00.000000001Z stderr P i'm a log message!" });
    expect(e.extracted).toMatchObject({ time: '2019-01-01T01:00:00.000000001Z', stream: 'stderr', flags: 'P', content: "i'm a log message!" });
    const p = one([s('pattern', { pattern: '<year>-<month>-<day>T<_>.<nano>Z', source: 'time', labels_from_groups: true })], { line: 'x', extracted: { time: '2022-01-02T01:00:00.000000001Z' } });
    expect(p.extracted).toMatchObject({ year: '2022', month: '01', day: '02', nano: '000000001' });
    expect(p.labels).toMatchObject({ year: '2022', month: '01', day: '02', nano: '000000001' });
  });
  it('matches as Loki does: a leading literal must be at the start; a missing literal ends with the rest', () => {
    const m = compilePattern('[<level>] <msg> (<dur>)');
    expect(m.matches('[warn] slow query (3s)')).toEqual(['warn', 'slow query', '3s']);
    expect(m.matches('x [warn] y')).toBeUndefined();
    expect(m.matches('[warn] no duration')).toEqual(['warn', 'no duration']);
    expect(m.matches('')).toBeUndefined();
  });
  it('rejects patterns Loki rejects', () => {
    expect(() => buildPipeline([s('pattern', { pattern: 'no captures' })], () => {})).toThrow(/stage.pattern \(stage 1\).*at least one capture is required/);
    expect(() => buildPipeline([s('pattern', { pattern: '<a><b>' })], () => {})).toThrow(/consecutive capture/);
    expect(() => buildPipeline([s('pattern', { pattern: '<a> <a>' })], () => {})).toThrow(/duplicate capture name \(a\)/);
    expect(() => buildPipeline([s('pattern', { pattern: '<a>', source: '' })], () => {})).toThrow(/empty source/);
  });
});

describe('stage.json', () => {
  it('full JMESPath, regex over top-level keys, complex values as JSON text, null kept', () => {
    const e = one([s('json', { expressions: { ua: '"request_User-Agent"', big: 'items[?n > `1`].n', first: 'items[0]', none: 'missing' }, regex: '^lvl' })], {
      line: '{"request_User-Agent":"curl","items":[{"n":1},{"n":2},{"n":3}],"lvl_a":"x","lvl_b":5,"other":1}',
    });
    expect(e.extracted).toMatchObject({ ua: 'curl', big: '[2,3]', first: '{"n":1}', none: null, lvl_a: 'x', lvl_b: 5 });
    expect(e.extracted.other).toBeUndefined();
  });
  it('parses an extracted source; a JSON array input is malformed (drop_malformed drops it)', () => {
    const e = one([s('json', { expressions: { extra: '' } }), s('json', { source: 'extra', expressions: { username: 'user' } })], { line: '{"extra":"{\\"user\\":\\"alloy\\"}"}' });
    expect(e.extracted.username).toBe('alloy');
    const drops: string[] = [];
    expect(run([s('json', { expressions: { a: '' }, drop_malformed: true })], [{ line: '[1,2]' }, { line: '{"a":1}' }], {}, drops).map((x) => x.line)).toEqual(['{"a":1}']);
  });
  it('requires expressions or regex; rejects bad JMESPath, bad regex and an empty source', () => {
    expect(() => buildPipeline([s('json', {})], () => {})).toThrow(/stage.json \(stage 1\): JMES expressions or regex is required/);
    expect(() => buildPipeline([s('json', { expressions: { a: 'a[' } })], () => {})).toThrow(/could not compile JMES expression/);
    expect(() => buildPipeline([s('json', { regex: '(' })], () => {})).toThrow(/could not compile regular expression/);
    expect(() => buildPipeline([s('json', { regex: 'a', source: '' })], () => {})).toThrow(/empty source/);
  });
});

describe('stage.logfmt', () => {
  it('mapping and regex', () => {
    const e = one([s('logfmt', { mapping: { extra: '' }, regex: '^d' })], { line: 'time=1 app=loki duration=125 dim=3 extra="user=example_name"' });
    expect(e.extracted).toMatchObject({ extra: 'user=example_name', duration: '125', dim: '3' });
    expect(e.extracted.app).toBeUndefined();
    const u = one([s('logfmt', { mapping: { extra: '' } }), s('logfmt', { mapping: { username: 'user' }, source: 'extra' })], { line: 'extra="user=example_name"' });
    expect(u.extracted.username).toBe('example_name');
    expect(() => buildPipeline([s('logfmt', {})], () => {})).toThrow(/logfmt mapping or regex is required/);
  });
});

describe('labels, label_drop, label_keep, static_labels', () => {
  it('labels from extracted (default) or structured metadata', () => {
    const e = one([s('labels', { values: { env: '', user: 'username' } })], { line: 'x', extracted: { env: 'prod', username: 'ann' } });
    expect(e.labels).toEqual({ job: 'x', env: 'prod', user: 'ann' });
    // An empty value empties (removes) the label; a missing one leaves it.
    expect(one([s('labels', { values: { env: '', job: 'nope' } })], { line: 'x', labels: { job: 'x', env: 'old' }, extracted: { env: '' } }).labels).toEqual({ job: 'x' });
    const m = one([s('labels', { source_type: 'structured_metadata', values: { env: '', user: 'username' } }), s('structured_metadata_drop', { values: ['env', 'username'] })], {
      line: 'x',
      sm: { env: 'dev', username: 'bob', keep: '1' },
    });
    expect(m.labels).toEqual({ job: 'x', env: 'dev', user: 'bob' });
    expect(m.structuredMetadata).toEqual({ keep: '1' });
    expect(() => buildPipeline([s('labels', { values: {}, source_type: 'nope' })], () => {})).toThrow(/invalid labels source_type: nope/);
  });
  it('static_labels sets fixed labels, skipping empty values; an empty map is allowed', () => {
    expect(one([s('static_labels', { values: { env: 'prod', job: '', team: null } })], { line: 'x' }).labels).toEqual({ job: 'x', env: 'prod' });
    expect(one([s('static_labels', { values: {} })], { line: 'x' }).labels).toEqual({ job: 'x' });
    expect(() => buildPipeline([s('static_labels', { values: { 'bad-name': 'v' } })], () => {})).toThrow(/invalid label name "bad-name"/);
  });
  it('label_drop removes, label_keep keeps only the named', () => {
    const labels = { a: '1', b: '2', c: '3' };
    expect(one([s('label_drop', { values: ['a', 'zz'] })], { line: 'x', labels }).labels).toEqual({ b: '2', c: '3' });
    expect(one([s('label_keep', { values: ['a', 'c'] })], { line: 'x', labels }).labels).toEqual({ a: '1', c: '3' });
    expect(() => buildPipeline([s('label_keep', { values: [] })], () => {})).toThrow(/stage.label_keep/);
  });
  it('the extracted map starts with the labels, so stages can read them', () => {
    const e = one([s('template', { source: 'ns_upper', template: '{{ ToUpper .namespace }}' })], { line: 'x', labels: { namespace: 'kube-system' } });
    expect(e.extracted.ns_upper).toBe('KUBE-SYSTEM');
  });
});

describe('stage.structured_metadata', () => {
  it('from extracted by values and regex; labels named the same way move to metadata', () => {
    const e = one([s('structured_metadata', { values: { env: '', user: 'username' }, regex: 'pod_.*' })], {
      line: 'x',
      labels: { job: 'x', pod_uid: 'u1', env: 'lbl-env' },
      extracted: { username: 'ann', pod_ip: '10.0.0.1', unrelated: 'z' },
    });
    expect(e.structuredMetadata).toEqual({ env: 'lbl-env', user: 'ann', pod_uid: 'u1', pod_ip: '10.0.0.1' });
    expect(e.labels).toEqual({ job: 'x' });
    expect(() => buildPipeline([s('structured_metadata', { regex: '(' })], () => {})).toThrow(/stage.structured_metadata \(stage 1\)/);
    expect(() => buildPipeline([s('structured_metadata', { values: { 'bad-name': '' } })], () => {})).toThrow(/invalid label name: bad-name/);
  });
});

describe('stage.output, stage.replace, stage.decolorize', () => {
  it('output replaces the line with an extracted value, leaves it when missing', () => {
    expect(one([s('json', { expressions: { message: '' } }), s('output', { source: 'message' })], { line: '{"message":"hello, world!"}' }).line).toBe('hello, world!');
    expect(one([s('output', { source: 'nope' })], { line: 'orig' }).line).toBe('orig');
    expect(() => buildPipeline([s('output', { source: '' })], () => {})).toThrow(/stage.output/);
  });
  it('replace rewrites every capture group; empty replace removes it; templates see .Value and named groups are extracted', () => {
    expect(one([s('replace', { expression: 'password (\\S+)', replace: '*****' })], { line: 'with password xyz!' }).line).toBe('with password *****');
    expect(one([s('replace', { expression: 'password (\\S+)' })], { line: 'a password xyz b password q' }).line).toBe('a password  b password ');
    const e = one([s('replace', { expression: '^(?P<ip>\\S+) (?P<identd>\\S+) (?P<user>\\S+) \\[(?P<timestamp>[\\w:/]+\\s[+\\-]\\d{4})\\]', replace: '{{ .Value | ToUpper }}' })], {
      line: '11.11.11.11 - frank [01/Jan/2023:00:00:01 +0200]',
    });
    expect(e.line).toBe('11.11.11.11 - FRANK [01/JAN/2023:00:00:01 +0200]');
    expect(e.extracted).toMatchObject({ ip: '11.11.11.11', identd: '-', user: 'FRANK', timestamp: '01/JAN/2023:00:00:01 +0200' });
    const src = one([s('json', { expressions: { msg: '' } }), s('replace', { expression: '\\S+ - "POST (\\S+) .*', source: 'msg', replace: 'redacted_url' })], { line: '{"msg":"11.11.11.11 - \\"POST /loki/api/push/ HTTP/1.1\\" 200"}' });
    expect(src.extracted.msg).toBe('11.11.11.11 - "POST redacted_url HTTP/1.1" 200');
    expect(() => buildPipeline([s('replace', { expression: '(' })], () => {})).toThrow(/stage.replace \(stage 1\).*could not compile/);
    expect(() => buildPipeline([s('replace', { expression: '(a)', replace: '{{ .Value ' })], () => {})).toThrow(/stage.replace \(stage 1\): failed to compile template/);
  });
  it('replace with nested groups: the outer group is rewritten once, inner groups keep their own values (Alloy test vector)', () => {
    const line = '11.11.11.11 - frank [25/Jan/2000:14:00:01 -0500] "GET /1986.js HTTP/1.1" 200 932 "-" "Mozilla/5.0 (Windows; U; Windows NT 5.1; de; rv:1.9.1.7) Gecko/20091221 Firefox/3.5.7 GTB6"';
    const e = one([s('replace', {
      expression: '(?P<ip_user>^(?P<ip>\\S+) (?P<identd>\\S+) (?P<user>\\S+)) \\[(?P<timestamp>[\\w:/]+\\s[+\\-]\\d{4})\\] "(?P<action_path>(?P<action>\\S+)\\s?(?P<path>\\S+)?)\\s?(?P<protocol>\\S+)?" (?P<status>\\d{3}|-) (\\d+|-)\\s?"?(?P<referer>[^"]*)"?\\s?"?(?P<useragent>[^"]*)?"?$',
      replace: '{{ if eq .Value "200" }}{{ Replace .Value "200" "HttpStatusOk" -1 }}{{ else }}{{ .Value | ToUpper }}{{ end }}',
    })], { line, labels: {} });
    expect(e.line).toBe('11.11.11.11 - FRANK [25/JAN/2000:14:00:01 -0500] "GET /1986.JS HTTP/1.1" HttpStatusOk 932 "-" "MOZILLA/5.0 (WINDOWS; U; WINDOWS NT 5.1; DE; RV:1.9.1.7) GECKO/20091221 FIREFOX/3.5.7 GTB6"');
    expect(e.extracted).toEqual({
      ip_user: '11.11.11.11 - FRANK', action_path: 'GET /1986.JS', ip: '11.11.11.11', identd: '-', user: 'FRANK', timestamp: '25/JAN/2000:14:00:01 -0500',
      action: 'GET', path: '/1986.JS', protocol: 'HTTP/1.1', status: 'HttpStatusOk', referer: '-',
      useragent: 'MOZILLA/5.0 (WINDOWS; U; WINDOWS NT 5.1; DE; RV:1.9.1.7) GECKO/20091221 FIREFOX/3.5.7 GTB6',
    });
    // Adjacent groups of successive matches: every match is rewritten.
    expect(one([s('replace', { expression: '(a|b|c)', replace: '' })], { line: 'abc' }).line).toBe('');
  });
  it('decolorize strips ANSI codes', () => {
    expect(one([s('decolorize')], { line: '[2022-11-04 22:17:57.811] \u001b[0;32mhttp\u001b[0m: GET /_health (0 ms) 204' }).line).toBe('[2022-11-04 22:17:57.811] http: GET /_health (0 ms) 204');
  });
});

describe('stage.template', () => {
  it('creates, transforms and deletes extracted keys; .Entry is the line; a failing template changes nothing', () => {
    expect(one([s('template', { source: 'new_key', template: 'hello_world' })], { line: 'x' }).extracted.new_key).toBe('hello_world');
    expect(one([s('template', { source: 'app', template: '{{ ToLower .Value }}_some_suffix' })], { line: 'x', extracted: { app: 'LOKI' } }).extracted.app).toBe('loki_some_suffix');
    const msg = one([s('template', { source: 'message', template: '{{.app }}: {{ .Entry }}' }), s('output', { source: 'message' })], { line: 'hello', extracted: { app: 'api' } });
    expect(msg.line).toBe('api: hello');
    expect('gone' in one([s('template', { source: 'gone', template: '{{ if eq .Value "x" }}{{ end }}' })], { line: 'l', extracted: { gone: 'x' } }).extracted).toBe(false);
    // ToUpper of a missing key fails at execution: the value stays.
    expect(one([s('template', { source: 'k', template: '{{ ToUpper .missing }}' })], { line: 'l', extracted: { k: 'keep' } }).extracted.k).toBe('keep');
    // A missing key printed is Go's "<no value>".
    expect(one([s('template', { source: 'k', template: '{{ .missing }}' })], { line: 'l' }).extracted.k).toBe('<no value>');
  });
  it('rejects an unknown function and a malformed template at load time, naming the stage', () => {
    expect(() => buildPipeline([s('template', { source: 'a', template: '{{ NoSuchFunc .Value }}' })], () => {})).toThrow(/stage.template \(stage 1\): failed to compile template.*function "NoSuchFunc" not defined/);
    expect(() => buildPipeline([s('template', { source: 'a', template: '{{ if .Value }}x' })], () => {})).toThrow(/stage.template \(stage 1\).*has no \{\{end\}\}/);
    expect(() => buildPipeline([s('template', { source: '', template: 'x' })], () => {})).toThrow(/template source value is required/);
  });
});

describe('stage.pack', () => {
  it('packs extracted values (sorted, _entry last), removes those labels, ingest_timestamp', () => {
    const e = one([s('pack', { labels: ['env', 'user_id', 'missing'], ingest_timestamp: false })], {
      line: 'something went wrong',
      labels: { level: 'error', env: 'dev', user_id: 'f8fas0r' },
    });
    expect(e.line).toBe('{"env":"dev","user_id":"f8fas0r","_entry":"something went wrong"}');
    expect(e.labels).toEqual({ level: 'error' });
    expect(e.ts).toBe(TS);
    const before = BigInt(Date.now()) * 1_000_000n;
    expect(one([s('pack', { labels: ['env'] })], { line: 'l', labels: { env: 'x' } }).ts >= before).toBe(true);
  });
});

describe('stage.truncate', () => {
  it('cuts line and labels to the limit including the suffix, records "truncated", counts per field', async () => {
    const metrics = new Registry();
    const e = one(
      [s('truncate', { rule: [{ limit: '12B', suffix: '...' }, { limit: '12B', suffix: '...', source_type: 'label' }] })],
      { line: "I'm a log message!", labels: { label1: 'hi', label2: 'hello world' } },
      { registry: metrics },
    );
    expect(e.line).toBe("I'm a log...");
    // The suffix counts toward the limit: 9 bytes kept + "..." (Alloy's code; its docs' "hello..." is off).
    expect(e.labels).toEqual({ label1: 'hi', label2: 'hello wor...' });
    expect(e.extracted.truncated).toBe('label,line');
    const text = await metrics.getSingleMetricAsString('loki_process_truncated_fields_total');
    expect(text).toMatch(/field="line"\} 1/);
    expect(text).toMatch(/field="label"\} 1/);
  });
  it('structured metadata and extracted by sources; never splits a UTF-8 character', () => {
    const e = one([s('truncate', { rule: [{ limit: 4, source_type: 'structured_metadata', sources: ['m1'] }, { limit: 3, source_type: 'extracted', sources: ['x', 'n'] }] })], {
      line: 'l',
      labels: {},
      sm: { m1: 'abcdef', m2: 'abcdef' },
      extracted: { x: 'ééé', n: 12345 },
    });
    expect(e.structuredMetadata).toEqual({ m1: 'abcd', m2: 'abcdef' });
    expect(e.extracted.x).toBe('é');
    expect(e.extracted.n).toBe(12345);
    expect(e.extracted.truncated).toBe('extracted,structured_metadata');
  });
  it('validates rules as Alloy does', () => {
    expect(() => buildPipeline([s('truncate', { rule: [{ limit: '0B' }] })], () => {})).toThrow(/limit must be greater than zero/);
    expect(() => buildPipeline([s('truncate', { rule: [{ limit: '10B', sources: ['a'] }] })], () => {})).toThrow(/sources cannot be set when source_type is 'line'/);
    expect(() => buildPipeline([s('truncate', { rule: [{ limit: '3B', suffix: '...' }] })], () => {})).toThrow(/suffix length cannot be greater than or equal to limit/);
    expect(() => buildPipeline([s('truncate', { rule: [{ limit: '3B', source_type: 'x' }] })], () => {})).toThrow(/stage.truncate \(stage 1\): rule 1: source_type must be one of/);
  });
});

describe('stage.tenant', () => {
  it('sets __tenant_id__ from value, source or label; nothing when empty', () => {
    expect(one([s('tenant', { value: 'team-a' })], { line: 'x' }).labels.__tenant_id__).toBe('team-a');
    expect(one([s('json', { expressions: { customer_id: '' } }), s('tenant', { source: 'customer_id' })], { line: '{"customer_id":42}' }).labels.__tenant_id__).toBe('42');
    expect(one([s('tenant', { label: 'namespace' })], { line: 'x', labels: { namespace: 'ns1' } }).labels.__tenant_id__).toBe('ns1');
    expect(one([s('tenant', { source: 'missing' })], { line: 'x' }).labels.__tenant_id__).toBeUndefined();
  });
  it('requires exactly one of label, source, value', () => {
    expect(() => buildPipeline([s('tenant', {})], () => {})).toThrow(/label, source or value config are required/);
    expect(() => buildPipeline([s('tenant', { value: 'a', label: 'b' })], () => {})).toThrow(/mutually exclusive/);
  });
});

describe('stage.match', () => {
  const blocks = (extra: StageBlock[] = []): StageBlock[] => [
    s('json', { expressions: { appname: 'app' } }),
    s('labels', { values: { applbl: 'appname' } }),
    matchBlock({ selector: '{applbl="example1"}' }, [s('json', { expressions: { msg: 'message' } })]),
    matchBlock({ selector: '{applbl="qux"}' }, [s('json', { expressions: { msg: 'msg' } })]),
    matchBlock({ selector: '{applbl="example2"} |~ ".*noisy error.*"', action: 'drop', drop_counter_reason: 'discard_noisy_errors' }),
    s('output', { source: 'msg' }),
    ...extra,
  ];
  it("runs Alloy's documented example: nested stages on a match, drop with a reason", () => {
    const drops: string[] = [];
    const out = run(blocks(), [
      { line: '{"app":"example1","level":"WARN","message":"app1 log line"}' },
      { line: '{"app":"example2","level":"ERROR","message":"example noisy error"}' },
      { line: '{"app":"example2","level":"ERROR","message":"quiet"}' },
    ], {}, drops);
    expect(out.map((e) => e.line)).toEqual(['app1 log line', '{"app":"example2","level":"ERROR","message":"quiet"}']);
    expect(drops).toEqual(['discard_noisy_errors']);
  });
  it('nests match in match, with stateful stages (cri) inside, and drops what a nested stage drops', () => {
    const pipeline = [
      matchBlock({ selector: '{ns=~"prod|staging"}', pipeline_name: 'outer' }, [
        s('cri'),
        matchBlock({ selector: '{stream="stderr"} != "ignore"' }, [s('static_labels', { values: { err: 'true' } })]),
        matchBlock({ selector: '{ns="staging"}', action: 'drop' }),
      ]),
    ];
    const out = run(pipeline, [
      { line: 't stderr P a', labels: { ns: 'prod' } },
      { line: 't stderr F b', labels: { ns: 'prod' } },
      { line: 't stderr F ignore me', labels: { ns: 'prod' } },
      { line: 't stdout F s', labels: { ns: 'staging' } },
      { line: 't stdout F dev', labels: { ns: 'dev' } },
    ]);
    expect(out.map((e) => [e.line, e.labels.err ?? '-'])).toEqual([
      ['ab', 'true'],
      ['ignore me', '-'],
      ['t stdout F dev', '-'],
    ]);
  });
  it('validates selector, action and nested stages; errors in nested stages name them', () => {
    expect(() => buildPipeline([matchBlock({ selector: '' }, [s('decolorize')])], () => {})).toThrow(/selector statement required/);
    expect(() => buildPipeline([matchBlock({ selector: '{a="b"' }, [s('decolorize')])], () => {})).toThrow(/stage.match \(stage 1\): invalid selector syntax/);
    expect(() => buildPipeline([matchBlock({ selector: '{a="b"}', action: 'maybe' }, [s('decolorize')])], () => {})).toThrow(/should be 'keep' or 'drop'/);
    expect(() => buildPipeline([matchBlock({ selector: '{a="b"}' })], () => {})).toThrow(/requires at least one additional stage/);
    expect(() => buildPipeline([matchBlock({ selector: '{a="b"}', action: 'drop' }, [s('decolorize')])], () => {})).toThrow(/cannot contains stages/);
    expect(() => buildPipeline([matchBlock({ selector: '{a="b"}' }, [s('decolorize'), s('regex', { expression: '(' })])], () => {})).toThrow(/stage.match \(stage 1\): stage.regex \(stage 2\)/);
  });
  it('selector semantics: anchored label regexes, empty matches missing, unanchored line regexes', () => {
    const sel = parseLogqlSelector('{app=~"api|web", env!="dev", team=""} |= "GET" !~ "health[a-z]"');
    expect(sel.matches({ app: 'api', env: 'prod' }, 'GET /x')).toBe(true);
    expect(sel.matches({ app: 'api-2', env: 'prod' }, 'GET /x')).toBe(false);
    expect(sel.matches({ app: 'web' }, 'GET /healthz')).toBe(false);
    expect(sel.matches({ app: 'web', team: 't' }, 'GET /')).toBe(false);
    expect(() => parseLogqlSelector('{app=~"("}')).toThrow(/invalid regular expression/);
  });
});

describe('stage.split_json', () => {
  it('one entry per element, raw element text, independent copies; the following stages run on each', () => {
    const out = run([s('split_json'), s('json', { expressions: { level: '' } }), s('labels', { values: { level: '' } })], [
      { line: '[{"level":"info","msg":"one"}, {"level":"error", "msg" : "two"} ,"s,]", [1, 2]]', sm: { m: '1' } },
    ]);
    expect(out.map((e) => e.line)).toEqual(['{"level":"info","msg":"one"}', '{"level":"error", "msg" : "two"}', '"s,]"', '[1, 2]']);
    expect(out.map((e) => e.labels.level ?? '-')).toEqual(['info', 'error', '-', '-']);
    expect(out.every((e) => e.ts === TS && e.structuredMetadata.m === '1')).toBe(true);
    expect(new Set(out.map((e) => e.labels)).size).toBe(4);
  });
  it('from an extracted source; empty array drops; non-arrays and bad JSON pass unchanged', () => {
    const out = run([s('json', { expressions: { records: '' } }), s('split_json', { source: 'records' })], [{ line: '{"records":[{"a":1},{"a":2}]}' }]);
    expect(out.map((e) => e.line)).toEqual(['{"a":1}', '{"a":2}']);
    expect(run([s('split_json')], [{ line: '[]' }, { line: '{"a":[1]}' }, { line: '[1,' }]).map((e) => e.line)).toEqual(['{"a":[1]}', '[1,']);
    expect(run([s('split_json', { source: 'nope' })], [{ line: '[1,2]' }]).map((e) => e.line)).toEqual(['[1,2]']);
    expect(() => buildPipeline([s('split_json', { source: '' })], () => {})).toThrow(/stage.split_json \(stage 1\): source cannot be empty/);
  });
});

describe('stage.eventlogmessage and stage.windowsevent', () => {
  it("eventlogmessage: Alloy's example (overwrite_existing), and _extracted suffixes without it", () => {
    const msg = 'Message type:\r\nOverwritten: new\r\nImage: C:\\Users\\User\\alloy.exe';
    const e = one([s('eventlogmessage', { source: 'message', overwrite_existing: true })], { line: 'x', extracted: { message: msg, Overwritten: 'old' } });
    expect(e.extracted).toMatchObject({ Image: 'C:\\Users\\User\\alloy.exe', Message_type: '', Overwritten: 'new' });
    const n = one([s('eventlogmessage', {})], { line: 'x', extracted: { message: msg, Overwritten: 'old' } });
    expect(n.extracted).toMatchObject({ Overwritten: 'old', Overwritten_extracted: 'new' });
    const d = one([s('eventlogmessage', { drop_invalid_labels: true })], { line: 'x', extracted: { message: msg } });
    expect(d.extracted.Message_type).toBeUndefined();
    expect(() => buildPipeline([s('eventlogmessage', { source: 'bad-name' })], () => {})).toThrow(/invalid label name: bad-name/);
  });
  it("windowsevent: Alloy's example sections, prefixes and continuation lines", () => {
    const message =
      'Special privileges assigned to new logon.\r\n\r\nSubject:\r\n\tSecurity ID:\t\tS-1-1-1\r\n\tAccount Name:\t\tSYSTEM\r\n\tAccount Domain:\t\tNT AUTHORITY\r\n\tLogon ID:\t\t0xAAA\r\n\r\nPrivileges:\t\tSeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege';
    const e = one([s('windowsevent', { overwrite_existing: true })], { line: 'x', extracted: { message } });
    expect(e.extracted).toMatchObject({
      Description: 'Special privileges assigned to new logon.',
      Subject_SecurityID: 'S-1-1-1',
      Subject_AccountName: 'SYSTEM',
      Subject_AccountDomain: 'NT AUTHORITY',
      Subject_LogonID: '0xAAA',
      Privileges: 'SeAssignPrimaryTokenPrivilege,SeTcbPrivilege,SeSecurityPrivilege',
    });
    // Keys are checked as UTF-8 label names (Alloy's IsValid), unlike eventlogmessage's legacy check.
    const k = one([s('windowsevent', {})], { line: 'x', extracted: { message: 'd\r\n\r\nLogon-Type: 5\r\nAccount Name: x' } });
    expect(k.extracted).toMatchObject({ Description: 'd', 'Logon-Type': '5', AccountName: 'x' });
    const legacy = one([s('eventlogmessage', {})], { line: 'x', extracted: { message: 'Logon-Type: 5' } });
    expect(legacy.extracted.Logon_Type).toBe('5');
  });
});

function matchBlock(attrs: Record<string, unknown>, nested: StageBlock[] = []): StageBlock {
  const value: Record<string, unknown> = { ...attrs };
  Object.defineProperty(value, '_blocks', { value: nested, enumerable: false });
  return { name: 'stage.match', value };
}
