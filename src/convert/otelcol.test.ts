// Conversions of OpenTelemetry Collector configs: Alloy's own testdata pairs
// (src/convert/otelcol/testdata, copied from grafana/alloy's otelcolconvert),
// with the few documented differences of our components applied to Alloy's
// expected output, plus grouping, labels and the diagnostics of what we lack.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from '../syntax/format.js';
import { parse } from '../syntax/parser.js';
import { validateConfig } from '../cli/validate.js';
import { convert } from './index.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'otelcol/testdata');
const errorsOf = (r: ReturnType<typeof convert>) => r.diagnostics.list.filter((d) => d.severity === 'Error' || d.severity === 'Critical').map((d) => d.summary);
const warningsOf = (r: ReturnType<typeof convert>) => r.diagnostics.list.filter((d) => d.severity === 'Warning').map((d) => d.summary);

/** Lines of Alloy's expected output for settings our components do not have (reported as warnings instead). */
const ADAPT: Record<string, { drop?: RegExp[]; replace?: [RegExp, string][]; warnings?: string[]; invalid?: string[] }> = {
  batch: {},
  basicauth: {},
  memorylimiter: {},
  headerssetter: {},
  // Our otlphttp client has no http2_ping_timeout (Alloy writes the Collector's 0s) nor proxy_url.
  bearertoken: { drop: [/http2_ping_timeout/] },
  // Alloy's testdata endpoint has no scheme, which our otlphttp exporter refuses when the config loads.
  otlphttp: {
    drop: [/http2_ping_timeout/, /proxy_url/],
    warnings: ['exporter "otlphttp": setting "proxy_url" is not converted and was left out'],
    invalid: ['converted.alloy:21:2: endpoint: "database:4318" must be an http:// or https:// URL'],
  },
  // Our debug exporter takes the level in lower case; the default level is not written.
  debug: { replace: [[/"Detailed"/, '"detailed"'], [/verbosity = "Basic"/, '']] },
  attributes: {},
  filter: {},
  transform: {},
  k8sattributes: {},
  'envvars/normal_format': {},
  'envvars/no_scheme': {},
  'envvars/escaped_format': {},
  'envvars/default_value_format': {},
};

/** The converted config as `alloy validate` sees it: every component known, every argument decoded and checked. */
const validates = (output: string | undefined) => validateConfig([{ name: 'converted.alloy', source: output ?? '' }], 'converted.alloy', 'experimental');

describe('alloy convert: otelcol, Alloy testdata pairs', () => {
  for (const [name, adapt] of Object.entries(ADAPT)) {
    test(name, () => {
      const r = convert(fs.readFileSync(path.join(DIR, `${name}.yaml`), 'utf8'), 'otelcol');
      expect(errorsOf(r)).toEqual([]);
      expect(warningsOf(r)).toEqual(adapt.warnings ?? []);
      let want = fs.readFileSync(path.join(DIR, `${name}.alloy`), 'utf8');
      want = want.split('\n').filter((l) => !(adapt.drop ?? []).some((re) => re.test(l))).join('\n');
      for (const [re, to] of adapt.replace ?? []) want = want.replace(re, to);
      expect(r.output).toBe(format(parse(want, `${name}.alloy`)));
      expect(validates(r.output)).toEqual(adapt.invalid ?? []);
    });
  }

  test('envvars/unknown_scheme: a reference with a scheme other than env is critical (no output)', () => {
    const r = convert(fs.readFileSync(path.join(DIR, 'envvars/unknown_scheme.yaml'), 'utf8'), 'otelcol');
    expect(r.output).toBeUndefined();
    // Alloy's message, with the place of the reference added.
    const want = fs.readFileSync(path.join(DIR, 'envvars/unknown_scheme.diags'), 'utf8').trim().replace('configuration: ', 'configuration: receivers.otlp.protocols.grpc.endpoint: ');
    expect(r.diagnostics.list.map((d) => `(${d.severity}) ${d.summary}`)).toEqual([want]);
  });
});

describe('alloy convert: otelcol, pipelines and diagnostics', () => {
  test('named pipelines form groups: labels "<group>_<name>", a shared receiver is built once and feeds both groups', () => {
    const r = convert(`receivers:
  otlp:
    protocols: { grpc: { endpoint: 127.0.0.1:4317 } }
processors:
  batch/fast: { timeout: 50ms }
  memory_limiter: { check_interval: 1s, limit_mib: 400 }
exporters:
  otlp/a: { endpoint: a:4317, tls: { insecure: true } }
  debug:
service:
  pipelines:
    traces/edge: { receivers: [otlp], processors: [memory_limiter, batch/fast], exporters: [otlp/a] }
    logs: { receivers: [otlp], exporters: [debug] }
`, 'otelcol');
    expect(errorsOf(r)).toEqual([]);
    expect(r.output).toBe(format(parse(`
otelcol.receiver.otlp "default" {
  grpc { endpoint = "127.0.0.1:4317" }
  output {
    logs   = [otelcol.exporter.debug.default.input]
    traces = [otelcol.processor.memory_limiter.edge_default.input]
  }
}
otelcol.exporter.debug "default" { }
otelcol.processor.memory_limiter "edge_default" {
  check_interval = "1s"
  limit          = "400MiB"
  output { traces = [otelcol.processor.batch.edge_fast.input] }
}
otelcol.processor.batch "edge_fast" {
  timeout             = "50ms"
  send_batch_size     = 8192
  send_batch_max_size = 0
  output { traces = [otelcol.exporter.otlp.edge_a.input] }
}
otelcol.exporter.otlp "edge_a" {
  client {
    endpoint = "a:4317"
    tls { insecure = true }
  }
}
`, 'want.alloy')));
  });

  test('component types without an Alloy mapping are errors naming them, the supported rest still converts', () => {
    const r = convert(`receivers:
  otlp: { protocols: { grpc: } }
  zipkin:
processors:
  tail_sampling: { policies: [] }
exporters:
  kafka:
  otlp: { endpoint: x:4317 }
extensions:
  oauth2client: { client_id: a }
service:
  extensions: [oauth2client]
  pipelines:
    traces: { receivers: [otlp, zipkin], processors: [tail_sampling], exporters: [otlp, kafka] }
`, 'otelcol');
    expect(errorsOf(r)).toEqual([
      'The converter does not support converting the provided extension "oauth2client": no Alloy component for extension type "oauth2client"',
      'The converter does not support converting the provided receiver "zipkin": no Alloy component for receiver type "zipkin"',
      'The converter does not support converting the provided processor "tail_sampling": no Alloy component for processor type "tail_sampling"',
      'The converter does not support converting the provided exporter "kafka": no Alloy component for exporter type "kafka"',
    ]);
    expect(r.output).toContain('otelcol.exporter.otlp "default"');
    expect(r.output).not.toMatch(/zipkin|kafka|tail_sampling|oauth2/);
  });

  test('undefined references and bad pipeline keys are critical; unknown settings are warnings', () => {
    expect(errorsOf(convert('service:\n  pipelines:\n    traces: { receivers: [otlp], exporters: [debug] }\nexporters: { debug: }\n', 'otelcol'))).toEqual([
      'service.pipelines references receiver "otlp", which is not defined under receivers',
    ]);
    expect(errorsOf(convert('service:\n  pipelines:\n    spans: { receivers: [] }\n', 'otelcol'))).toEqual([
      'failed to interpret config: unknown pipeline type "spans" in pipeline "spans"',
    ]);
    const r = convert('receivers: { otlp: { protocols: { http: }, bogus: 1 } }\nexporters: { debug: }\nservice: { pipelines: { logs: { receivers: [otlp], exporters: [debug] } } }\n', 'otelcol');
    expect(warningsOf(r)).toEqual(['receiver "otlp": setting "bogus" is not converted and was left out']);
    expect(r.output).toContain('read_header_timeout = "0s"');
  });

  test('an authenticator that is not an activated extension is an error', () => {
    const r = convert('receivers: { otlp: { protocols: { grpc: } } }\nexporters: { otlp: { endpoint: x:1, auth: { authenticator: basicauth } } }\nextensions: { basicauth: { client_auth: { username: u, password: p } } }\nservice: { pipelines: { traces: { receivers: [otlp], exporters: [otlp] } } }\n', 'otelcol');
    expect(errorsOf(r)).toEqual(['exporter "otlp": authenticator "basicauth" is not an extension listed in service.extensions that the converter supports']);
  });
});
