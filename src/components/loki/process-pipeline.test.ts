// A k8s-monitoring-like pod logs pipeline, written in Alloy syntax and
// decoded with loki.process's real schema, runs entries through
// loki.process into loki.write and the sandbox Loki receiver: the test
// checks what Loki gets (lines, timestamps, stream labels, structured
// metadata, tenants) and what was dropped.
import '../index.js';
import { decodeBlock } from '../../runtime/decode.js';
import { getComponent } from '../../runtime/registry.js';
import { parse } from '../../syntax/parser.js';
import { stdlib } from '../../syntax/stdlib.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { startLokiReceiver, type LokiReceiver } from '../../sandbox/receivers/loki-receiver.js';
import { lokiProcess, type LokiProcessArgs } from './process.js';
import { lokiWrite, type LokiWriteArgs } from './write.js';
import type { LogsReceiver } from '../../pipeline/logs.js';

const CONFIG = `
loki.process "pod_logs" {
  forward_to = [loki.write.default.receiver]

  stage.match {
    selector = "{tmp_container_runtime=~\\"containerd|cri-o\\"}"
    pipeline_name = "cri"
    stage.cri {}
    stage.labels { values = { flags = "", stream = "" } }
  }

  stage.match {
    selector = "{tmp_container_runtime=\\"docker\\"}"
    stage.docker {}
  }

  stage.match {
    selector = "{namespace=\\"kube-system\\"} |= \\"level=debug\\""
    action   = "drop"
    drop_counter_reason = "kube_system_debug"
  }

  stage.structured_metadata {
    values = { pod = "", node = "node_name" }
  }

  stage.label_keep {
    values = ["app", "container", "namespace", "stream", "flags"]
  }

  stage.match {
    selector = "{app=\\"api\\"}"
    stage.logfmt { mapping = { level = "", trace_id = "traceID" } }
    stage.structured_metadata { values = { trace_id = "" } }
    stage.labels { values = { level = "" } }
    stage.match {
      selector = "{level=\\"error\\"}"
      stage.template {
        source   = "msg_upper"
        template = "{{ .Entry | ToUpper }}"
      }
      stage.output { source = "msg_upper" }
    }
    stage.tenant { value = "team-api" }
  }
}
`;

describe('loki.process config decoding', () => {
  const decode = (body: string) => {
    const file = parse(`loki.process "x" {\n  forward_to = []\n${body}\n}\n`, 'bad.alloy');
    const block = file.body[0] as any;
    return decodeBlock(block.body, getComponent('loki.process')!.args, { lookup: (n) => (stdlib as any)[n] }, block.pos);
  };
  it('reports a bad stage at its block, nested ones too (as alloy validate and reload see it)', () => {
    expect(() => decode('  stage.regex { expression = "(?P<x" }')).toThrow(/bad.alloy:3:3.*stage.regex.*could not compile regular expression/);
    expect(() => decode('  stage.match {\n    selector = "{a=\\"b\\"}"\n    stage.template {\n      source = "s"\n      template = "{{ Nope }}"\n    }\n  }')).toThrow(/bad.alloy:5:5.*function "Nope" not defined/);
    expect(() => decode('  stage.cri { max_partial_lines = 0 }')).toThrow(/max_partial_lines must be greater than 0/);
    expect(() => decode('  stage.match { selector = "{a=\\"b\\"}" }')).toThrow(/requires at least one additional stage/);
    const ok = decode('  stage.match {\n    selector = "{a=\\"b\\"}"\n    stage.match {\n      selector = "{c=\\"d\\"}"\n      stage.decolorize {}\n    }\n  }');
    expect((ok as any)._blocks[0].value._blocks[0].value._blocks[0].name).toBe('stage.decolorize');
  });
});

describe('loki.process pod logs pipeline into loki.write', () => {
  let loki: LokiReceiver;
  beforeEach(async () => {
    loki = await startLokiReceiver();
  });
  afterEach(async () => {
    await loki.close();
  });

  it('delivers parsed, relabelled entries with structured metadata and tenants', async () => {
    const writeCtx = makeTestContext({ id: 'loki.write.default' });
    const writeArgs: LokiWriteArgs = { endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 10, max_backoff_period: 40 }] };
    const write = lokiWrite.build(writeCtx, writeArgs);
    await write.update(writeArgs);
    const writeReceiver = writeCtx.exports.receiver as LogsReceiver;

    const file = parse(CONFIG, 'pod-logs.alloy');
    const block = file.body[0] as any;
    const scope = {
      lookup: (n: string) => (n === 'loki' ? ({ write: { default: { receiver: writeReceiver } } } as any) : (stdlib as any)[n]),
    };
    const args = decodeBlock(block.body, getComponent('loki.process')!.args, scope, block.pos) as LokiProcessArgs;
    const ctx = makeTestContext({ id: 'loki.process.pod_logs' });
    const proc = lokiProcess.build(ctx, args);
    await proc.update(args);
    const input = ctx.exports.receiver as LogsReceiver;

    const pod = (name: string, runtime: string, app: string, namespace = 'apps') => ({
      namespace,
      pod: name,
      container: 'main',
      app,
      node_name: 'node-1',
      tmp_container_runtime: runtime,
      job: `${namespace}/${app}`,
    });
    const api = pod('api-7d9', 'containerd', 'api');
    const web = pod('web-1', 'docker', 'web');
    const dns = pod('coredns-1', 'cri-o', 'coredns', 'kube-system');
    try {
      await input.append([
        { labels: api, ts: 1n, line: '2024-05-01T10:00:00.000000001Z stdout P level=info traceID=abc msg="first ' },
        { labels: api, ts: 2n, line: '2024-05-01T10:00:00.000000002Z stdout F half"' },
        { labels: api, ts: 3n, line: '2024-05-01T10:00:01Z stderr F level=error traceID=def msg=boom' },
        { labels: web, ts: 4n, line: '{"log":"GET / 200\\n","stream":"stdout","time":"2024-05-01T10:00:02.5Z"}' },
        { labels: dns, ts: 5n, line: '2024-05-01T10:00:03Z stdout F level=debug noisy' },
        { labels: dns, ts: 6n, line: '2024-05-01T10:00:04Z stdout F level=info kept' },
      ]);
      await loki.waitFor(() => loki.totalEntries() >= 4, 10_000, 'four entries');

      const streams = [...loki.streams.values()].map((s) => ({ labels: s.labels, entries: s.entries }));
      const find = (pred: (l: Record<string, string>) => boolean) => streams.filter((s) => pred(s.labels)).flatMap((s) => s.entries.map((e) => ({ ...e, labels: s.labels })));

      // The partial CRI line was joined with its full line; the api stream got level and trace_id.
      const apiInfo = find((l) => l.app === 'api' && l.level === 'info');
      expect(apiInfo.map((e) => e.line)).toEqual(['level=info traceID=abc msg="first half"']);
      expect(apiInfo[0].ts).toBe(1714557600000000002n);
      expect(apiInfo[0].labels).toEqual({ app: 'api', container: 'main', namespace: 'apps', stream: 'stdout', flags: 'F', level: 'info' });
      expect(apiInfo[0].structuredMetadata).toEqual({ pod: 'api-7d9', node: 'node-1', trace_id: 'abc' });

      // The nested match rewrote the error line through a template.
      const apiErr = find((l) => l.app === 'api' && l.level === 'error');
      expect(apiErr.map((e) => e.line)).toEqual(['LEVEL=ERROR TRACEID=DEF MSG=BOOM']);
      expect(apiErr[0].labels.stream).toBe('stderr');

      // Docker format unpacked; pod/node moved to structured metadata, temporary labels gone.
      const webEntries = find((l) => l.app === 'web');
      expect(webEntries.map((e) => [e.line, e.ts, e.labels.stream])).toEqual([['GET / 200\n', 1714557602500000000n, 'stdout']]);
      expect(webEntries[0].structuredMetadata).toEqual({ pod: 'web-1', node: 'node-1' });
      expect(Object.keys(webEntries[0].labels).sort()).toEqual(['app', 'container', 'namespace', 'stream']);

      // kube-system debug dropped (counted), the rest kept.
      expect(find((l) => l.namespace === 'kube-system').map((e) => e.line)).toEqual(['level=info kept']);
      expect(await ctx.metrics.getSingleMetricAsString('loki_process_dropped_lines_total')).toMatch(/reason="kube_system_debug".*\} 1/);

      // stage.tenant: the api entries were pushed as tenant team-api, the others without a tenant.
      expect(loki.linesByTenant.get('team-api')?.sort()).toEqual(['LEVEL=ERROR TRACEID=DEF MSG=BOOM', 'level=info traceID=abc msg="first half"']);
      expect(loki.linesByTenant.get('')?.sort()).toEqual(['GET / 200\n', 'level=info kept']);
      for (const s of streams) expect(s.labels.__tenant_id__).toBeUndefined();
    } finally {
      await write.stop?.();
    }
  });
});
