import { openMetrics, prometheusText, formatFor, acceptHeader, ParseError } from './index.js';
import type { ExpositionFormat } from './types.js';

type Row = [labels: string[], value: number, ts: number];

function run(f: ExpositionFormat, body: string): Row[] {
  const rows: Row[] = [];
  f.parse(body, (series, v, ts) => rows.push([f.labels(series), v, ts]));
  return rows;
}

describe('prometheus text 0.0.4', () => {
  test('golden: types, help, escapes, timestamps, specials', () => {
    const body = [
      '# HELP http_requests_total The total \\\\ number\\n of "requests".',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{ method = "post" , code="400" , } 3',
      '  \t',
      '# a free comment',
      '#no space comment',
      'escapes{a="back\\\\slash",b="quo\\"te",c="new\\nline",d="tab\\tstays",e="}{,= "} -Inf',
      'nocomma{a="1" b="2"} +Inf',
      'nan NaN',
      'special{x="y"} -0.5e-3\t',
      'msdp 1.5e+3 0',
      'rawnl{a="x',
      'y"} 2',
      '# TYPE h histogram',
      'h_bucket{le="0.5"} 1',
      'h_bucket{le="+Inf"} 2',
      'h_sum 3.5',
      'h_count 2',
      'empty{} 7',
      '',
    ].join('\n');
    const rows = run(prometheusText, body);
    expect(rows.map((r) => r[0])).toEqual([
      ['__name__', 'http_requests_total', 'method', 'post', 'code', '200'],
      ['__name__', 'http_requests_total', 'method', 'post', 'code', '400'],
      ['__name__', 'escapes', 'a', 'back\\slash', 'b', 'quo"te', 'c', 'new\nline', 'd', 'tab\\tstays', 'e', '}{,= '],
      ['__name__', 'nocomma', 'a', '1', 'b', '2'],
      ['__name__', 'nan'],
      ['__name__', 'special', 'x', 'y'],
      ['__name__', 'msdp'],
      ['__name__', 'rawnl', 'a', 'x\ny'],
      ['__name__', 'h_bucket', 'le', '0.5'],
      ['__name__', 'h_bucket', 'le', '+Inf'],
      ['__name__', 'h_sum'],
      ['__name__', 'h_count'],
      ['__name__', 'empty'],
    ]);
    expect(rows.map((r) => r[1])).toEqual([1027, 3, -Infinity, Infinity, NaN, -0.0005, 1500, 2, 1, 2, 3.5, 2, 7]);
    expect(rows[0][2]).toBe(1395066363000);
    expect(rows[6][2]).toBe(0);
    expect(Number.isNaN(rows[1][2])).toBe(true);
  });

  test.each([
    ['missing final newline', 'a 1'],
    ['missing value', 'a\n'],
    ['bad value', 'a 1x\n'],
    ['hex value', 'a 0x10\n'],
    ['underscore', 'a 1_000\n'],
    ['out of range', 'a 1e400\n'],
    ['signed nan', 'a +NaN\n'],
    ['bad timestamp', 'a 1 12a\n'],
    ['negative timestamp', 'a 1 -5\n'],
    ['float timestamp', 'a 1 1.5\n'],
    ['extra token', 'a 1 2 3\n'],
    ['bad type', '# TYPE a foo\n'],
    ['bad start', '{a="b"} 1\n'],
    ['unterminated labels', 'a{b="c" 1\n'],
    ['bad label name', 'a{1b="c"} 1\n'],
    ['unquoted value', 'a{b=c} 1\n'],
    ['help at eof', '# HELP a text'],
  ])('rejects %s', (_why, body) => {
    expect(() => run(prometheusText, body)).toThrow(ParseError);
  });

  test('inf spellings follow Go', () => {
    const rows = run(prometheusText, 'a inf\nb -Infinity\nc +inf\nd nan\n');
    expect(rows.map((r) => r[1])).toEqual([Infinity, -Infinity, Infinity, NaN]);
  });
});

describe('openmetrics 1.0', () => {
  test('golden: seconds timestamps, exemplars, created, units, EOF', () => {
    const body = [
      '# TYPE foo counter',
      '# HELP foo Help \\n text',
      '# UNIT foo_seconds seconds',
      'foo_total{a="x\\"y\\\\z\\n"} 17.0 1520879607.789 # {trace_id="abc"} 1.0 1520879607.7',
      'foo_created{a="x"} 1520430000.123',
      'foo_total 1 # {} 2',
      '# TYPE h histogram',
      'h_bucket{le="1.0"} 0',
      'h_bucket{le="+Inf"} 3 -1.5',
      'h_sum 4.5',
      'h_count 3',
      '# TYPE s stateset',
      's{s="a"} 1',
      'n NaN',
      '# EOF',
    ].join('\n');
    const rows = run(openMetrics, body);
    expect(rows.map((r) => r[0])).toEqual([
      ['__name__', 'foo_total', 'a', 'x"y\\z\n'],
      ['__name__', 'foo_created', 'a', 'x'],
      ['__name__', 'foo_total'],
      ['__name__', 'h_bucket', 'le', '1.0'],
      ['__name__', 'h_bucket', 'le', '+Inf'],
      ['__name__', 'h_sum'],
      ['__name__', 'h_count'],
      ['__name__', 's', 's', 'a'],
      ['__name__', 'n'],
    ]);
    expect(rows[0][1]).toBe(17);
    expect(rows[0][2]).toBe(1520879607789);
    expect(rows[4][2]).toBe(-1500);
    expect(Number.isNaN(rows[1][2])).toBe(true);
    expect(Number.isNaN(rows[8][1])).toBe(true);
  });

  test('EOF with trailing newline is fine, timestamps truncate like Go', () => {
    const rows = run(openMetrics, 'a 1 1.0019\n# EOF\n');
    expect(rows).toEqual([[['__name__', 'a'], 1, 1001]]);
  });

  test.each([
    ['no EOF', 'a 1\n'],
    ['data after EOF', 'a 1\n# EOF\nb 2\n'],
    ['blank line', 'a 1\n\n# EOF\n'],
    ['double space', 'a  1\n# EOF\n'],
    ['space in labels', 'a{b="c", d="e"} 1\n# EOF\n'],
    ['trailing comma', 'a{b="c",} 1\n# EOF\n'],
    ['free comment', '# hello\n# EOF\n'],
    ['bad type', '# TYPE a untyped\n# EOF\n'],
    ['bad unit', '# UNIT a_bytes seconds\n# EOF\n'],
    ['nan timestamp', 'a 1 NaN\n# EOF\n'],
    ['bad exemplar', 'a 1 # {x} 1\n# EOF\n'],
    ['raw newline in value', 'a{b="c\nd"} 1\n# EOF\n'],
  ])('rejects %s', (_why, body) => {
    expect(() => run(openMetrics, body)).toThrow(ParseError);
  });
});

describe('negotiation', () => {
  test('content type picks the parser', () => {
    expect(formatFor('application/openmetrics-text; version=1.0.0; charset=utf-8')).toBe(openMetrics);
    expect(formatFor('text/plain; version=0.0.4')).toBe(prometheusText);
    expect(formatFor(undefined)).toBe(prometheusText);
    expect(formatFor('application/json')).toBe(prometheusText);
  });
  test('accept header weights', () => {
    // Prometheus 3: five known protocols + 1; the 1.0.0 text formats carry the escaping scheme.
    expect(acceptHeader(['OpenMetricsText1.0.0', 'PrometheusText0.0.4'])).toBe(
      'application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.6,text/plain;version=0.0.4;q=0.5,*/*;q=0.4',
    );
    expect(acceptHeader(['PrometheusProto', 'PrometheusText1.0.0'], 'allow-utf-8')).toBe(
      'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.5,*/*;q=0.4',
    );
  });
});
