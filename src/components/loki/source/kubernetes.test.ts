// loki.source.kubernetes arguments: targets named by the __pod_*__ labels,
// the client block's HTTP settings reaching the API server on the log
// requests (through a proxy, with http_headers), and Alloy's validation of
// the client and clustering blocks as positioned errors.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestContext } from '../../../../e2e/lib/component-context.js';
import { TestProxy } from '../../../../e2e/lib/test-proxy.js';
import { waitFor } from '../../../../e2e/lib/wait.js';
import { validateConfig } from '../../../cli/validate.js';
import type { LogEntry } from '../../../pipeline/logs.js';
import { logsReceiver } from '../../../pipeline/logs.js';
import { lokiSourceKubernetes, toTailTarget, type LokiSourceKubernetesArgs } from './kubernetes.js';
import { loadKubeClient } from '../../../kube/client.js';

const POD = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { restartPolicy: 'Always' },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: 0, state: { running: {} } }] },
};

describe('loki.source.kubernetes', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  it('takes the pod coordinates from __pod_*__ labels when discovery labels are absent', () => {
    const tt = toTailTarget({ __pod_namespace__: 'ns', __pod_name__: 'p', __pod_container_name__: 'c', __pod_uid__: 'u1', app: 'x' });
    expect(tt).toMatchObject({ namespace: 'ns', pod: 'p', container: 'c', uid: 'u1', labels: { app: 'x', namespace: 'ns', pod: 'p', container: 'c' } });
    // Discovery's labels win when both are there.
    expect(toTailTarget({ __meta_kubernetes_namespace: 'a', __pod_namespace__: 'b', __pod_name__: 'p', __pod_container_name__: 'c' })?.namespace).toBe('a');
    expect(toTailTarget({ __pod_name__: 'p', __pod_container_name__: 'c' })).toBeUndefined();
  });

  it('the client block (proxy_url, http_headers) applies to the pod and log requests', async () => {
    const headers: (string | undefined)[] = [];
    const server = http.createServer((req, res) => {
      headers.push(req.headers['x-cluster'] as string | undefined);
      if (req.url?.startsWith('/api/v1/namespaces/ns/pods/p/log')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('2024-01-02T03:04:05.000000001Z hello\n');
        return;
      }
      if (req.url === '/api/v1/namespaces/ns/pods/p') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(POD));
      res.writeHead(404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const proxy = new TestProxy();
    const proxyUrl = await proxy.listen();
    const saved = process.env.ALLOY_LOGS_SHARED_POSITIONS;
    process.env.ALLOY_LOGS_SHARED_POSITIONS = 'false';
    const got: LogEntry[] = [];
    const ctx = makeTestContext({ id: 'loki.source.kubernetes.t' });
    const comp = lokiSourceKubernetes.build(ctx, {} as LokiSourceKubernetesArgs);
    try {
      await comp.update({
        targets: [{ __pod_namespace__: 'ns', __pod_name__: 'p', __pod_container_name__: 'c', __pod_uid__: 'u1' }],
        forward_to: [logsReceiver({ append: async (e: LogEntry[]) => void got.push(...e) })],
        client: { api_server: apiUrl, proxy_url: proxyUrl, http_headers: { 'X-Cluster': ['east'] } },
      });
      await waitFor('a line through the proxy', () => got.length > 0, { timeoutMs: 15_000 });
      expect(got[0]!.line).toBe('hello');
      expect(proxy.forwarded.some((f) => f.url.startsWith(`${apiUrl}/api/v1/namespaces/ns/pods/p/log`))).toBe(true);
      expect(headers.length).toBeGreaterThan(0);
      expect(headers.every((h) => h === 'east')).toBe(true);
    } finally {
      await comp.stop?.();
      if (saved === undefined) delete process.env.ALLOY_LOGS_SHARED_POSITIONS;
      else process.env.ALLOY_LOGS_SHARED_POSITIONS = saved;
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await proxy.close();
    }
  }, 30_000);

  const validate = (body: string) =>
    validateConfig([{ name: 'k.alloy', source: `loki.source.kubernetes "k" {\n  targets = []\n  forward_to = []\n${body}\n}\n` }], 'k.alloy', 'experimental').join('\n');

  it.each([
    ['  clustering {}', /k\.alloy:4:\d+.*enabled/],
    ['  client {\n    api_server = "http://127.0.0.1:1"\n    kubeconfig_file = "/k"\n  }', /k\.alloy:4:\d+.*kubeconfig_file.*api_server/],
    ['  client {\n    http_headers = { "A" = ["b"] }\n  }', /k\.alloy:4:\d+.*api_server must be set/],
    ['  client {\n    api_server = "http://127.0.0.1:1"\n    bearer_token = "a"\n    bearer_token_file = "/t"\n  }', /k\.alloy:4:\d+.*at most one/],
    ['  client {\n    api_server = "http://127.0.0.1:1"\n    proxy_urls = "x"\n  }', /k\.alloy:6:\d+.*proxy_urls/],
    ['  client {\n    api_server = "http://127.0.0.1:1"\n    tls_config {\n      min_version = "TLS99"\n    }\n  }', /k\.alloy:\d+:\d+.*min_version/],
  ])('%s is refused with a positioned error', (body, re) => {
    expect(validate(body)).toMatch(re);
  });

  it('a full client block with api_server validates', () => {
    expect(
      validate(`  client {
    api_server = "https://127.0.0.1:6443"
    proxy_url = "http://127.0.0.1:3128"
    no_proxy = "10.0.0.0/8"
    proxy_connect_header = { "X-A" = ["b"] }
    follow_redirects = false
    enable_http2 = false
    http_headers = { "X-B" = ["c"] }
    tls_config {
      cert_pem = "x"
      key_pem = "y"
      min_version = "TLS12"
    }
  }
  clustering { enabled = true }`),
    ).toBe('');
  });
});
