// ServiceMonitor and PodMonitor endpoints with `oauth2` end to end: `alloy run`
// against the API emulator, the client id in a ConfigMap (ServiceMonitor) or
// Secret (PodMonitor), the client secret in a Secret, a token server on
// 127.0.0.1 that issues tokens for the right credentials only, and targets
// that accept only tokens it issued. Rotating the Secret makes the collector
// fetch a token with the new secret (the server revokes the old ones).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { RemoteWriteReceiver, type ReceivedSeries } from '../../src/sandbox/receivers/remote-write-receiver.js';
import { HAVE_KUBECTL, type KubeEnv, operatorConfig, startKubeEnv } from './helpers.js';
import { waitFor } from '../lib/wait.js';

const suite = HAVE_KUBECTL ? describe : describe.skip;

/** Client credentials token endpoint: Basic auth as Go's clientcredentials sends it first. */
class TokenServer {
  secret = 'first-secret';
  /** Tokens a target accepts; rotation revokes them all. */
  readonly valid = new Set<string>();
  /** token -> the client secret it was issued for. */
  readonly issuedWith = new Map<string, string>();
  readonly requests: { client: string; secret: string; form: string }[] = [];
  private server!: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let form = '';
      req.on('data', (b: Buffer) => (form += b.toString()));
      req.on('end', () => {
        const [client, secret] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString().split(':');
        this.requests.push({ client, secret, form });
        if (secret !== this.secret) return void res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid_client"}');
        const token = `${client}-${this.requests.length}`;
        this.valid.add(token);
        this.issuedWith.set(token, secret);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/oauth2/token`;
    return this;
  }

  rotate(secret: string): void {
    this.secret = secret;
    this.valid.clear();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A metrics endpoint that answers 401 unless the bearer token is one the token server issued. */
class Target {
  readonly seen: string[] = [];
  private server!: http.Server;
  port = 0;
  constructor(
    private readonly ts: TokenServer,
    private readonly body: string,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      this.seen.push(auth);
      if (!this.ts.valid.has(auth.replace(/^Bearer /, ''))) return void res.writeHead(401).end('unauthorized');
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(this.body);
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const SECRETS = (secret: string) => `apiVersion: v1
kind: Secret
metadata: {name: oauth, namespace: shop}
type: Opaque
stringData:
  client-secret: ${secret}
  pm-client-id: alloy-pm
---
apiVersion: v1
kind: ConfigMap
metadata: {name: oauth-client, namespace: shop}
data:
  client-id: alloy-sm
`;

const MONITORS = (tokenUrl: string) => `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  endpoints:
  - port: metrics
    interval: 1s
    oauth2:
      clientId: {configMap: {name: oauth-client, key: client-id}}
      clientSecret: {name: oauth, key: client-secret}
      tokenUrl: ${tokenUrl}
      scopes: [metrics.read]
      endpointParams: {audience: shop-api}
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: {name: jobs, namespace: shop}
spec:
  selector: {matchLabels: {app: jobs}}
  podMetricsEndpoints:
  - port: metrics
    interval: 1s
    oauth2:
      clientId: {secret: {name: oauth, key: pm-client-id}}
      clientSecret: {name: oauth, key: client-secret}
      tokenUrl: ${tokenUrl}
`;

suite('prometheus.operator.* with oauth2', () => {
  let k: KubeEnv;
  let rx: RemoteWriteReceiver;
  let ts: TokenServer;
  let api: Target;
  let jobs: Target;
  let alloy: AlloyProcess | undefined;

  const up = (job: string): ReceivedSeries | undefined => [...rx.series.values()].find((s) => s.labels.__name__ === 'up' && s.labels.job === job);
  const lastUp = (job: string) => up(job)?.samples.at(-1);

  beforeAll(async () => {
    ts = await new TokenServer().start();
    api = await new Target(ts, 'api_requests_total 12\n').start();
    jobs = await new Target(ts, 'jobs_done_total 3\n').start();
    rx = await new RemoteWriteReceiver().start();
    k = await startKubeEnv();
    k.api.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    const pod = (name: string, app: string, port: number) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'shop', labels: { app } },
      spec: { nodeName: 'node-a', containers: [{ name: app, image: `${app}:1`, ports: [{ name: 'metrics', containerPort: port }] }] },
      status: { phase: 'Running', podIP: '127.0.0.1', hostIP: '127.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
    });
    k.api.apply(pod('api-0', 'api', api.port));
    k.api.apply(pod('jobs-0', 'jobs', jobs.port));
    k.api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'shop', labels: { app: 'api' } }, spec: { selector: { app: 'api' }, ports: [{ name: 'metrics', port: 8080 }] } });
    k.api.apply({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'api', namespace: 'shop' },
      subsets: [{ addresses: [{ ip: '127.0.0.1', nodeName: 'node-a', targetRef: { kind: 'Pod', name: 'api-0', namespace: 'shop' } }], ports: [{ name: 'metrics', port: api.port, protocol: 'TCP' }] }],
    });
    await k.apply(SECRETS('first-secret'), 'secrets');
    await k.apply(MONITORS(ts.url), 'monitors');
    alloy = await startAlloyProcess({ config: operatorConfig(k, rx.url) });
  }, 60_000);

  afterAll(async () => {
    await alloy?.stop();
    await rx?.stop();
    await k?.close();
    for (const s of [api, jobs, ts]) await s?.stop();
  });

  test('targets are scraped with the token the token server issued; one token request serves many scrapes', async () => {
    await waitFor('ServiceMonitor target up', () => lastUp('api')?.v === 1, { timeoutMs: 20_000, intervalMs: 50 });
    await waitFor('PodMonitor target up', () => lastUp('shop/jobs')?.v === 1, { timeoutMs: 20_000, intervalMs: 50 });
    await waitFor('a few scrapes of each', () => api.seen.length >= 4 && jobs.seen.length >= 4, { timeoutMs: 10_000, intervalMs: 50 });
    // Every scrape carried an issued token (none went out without one).
    expect(api.seen.every((a) => /^Bearer alloy-sm-\d+$/.test(a))).toBe(true);
    expect(jobs.seen.every((a) => /^Bearer alloy-pm-\d+$/.test(a))).toBe(true);
    const sm = ts.requests.filter((r) => r.client === 'alloy-sm');
    const pm = ts.requests.filter((r) => r.client === 'alloy-pm');
    // One token per scrape worker holding the target; never one per scrape.
    expect(sm.length).toBe(1);
    expect(pm.length).toBe(1);
    expect(sm[0]).toEqual({ client: 'alloy-sm', secret: 'first-secret', form: 'grant_type=client_credentials&scope=metrics.read&audience=shop-api' });
    expect(pm[0]).toEqual({ client: 'alloy-pm', secret: 'first-secret', form: 'grant_type=client_credentials' });
    const samples = [...rx.series.values()].filter((s) => s.labels.__name__ === 'api_requests_total' || s.labels.__name__ === 'jobs_done_total');
    expect(samples.map((s) => s.labels.__name__).sort()).toEqual(['api_requests_total', 'jobs_done_total']);
  });

  test('rotating the client secret in the Secret: a new token is fetched with it and scrapes recover', async () => {
    const t0 = Date.now();
    ts.rotate('second-secret');
    await k.apply(SECRETS('second-secret'), 'secrets');
    await waitFor('token requests with the new secret', () => ['alloy-sm', 'alloy-pm'].every((c) => ts.requests.some((r) => r.client === c && r.secret === 'second-secret')), { timeoutMs: 10_000, intervalMs: 50 });
    for (const job of ['api', 'shop/jobs']) {
      await waitFor(`${job} up again with a new token`, () => {
        const s = up(job);
        return s !== undefined && s.samples.some((x) => x.t > t0 && x.v === 1) && lastUp(job)?.v === 1;
      }, { timeoutMs: 10_000, intervalMs: 50 });
    }
    process.stdout.write(`secret rotation reflected in ${Date.now() - t0} ms\n`);
    // The targets now see tokens issued for the new secret only.
    for (const t of [api, jobs]) expect(ts.issuedWith.get(t.seen.at(-1)!.replace(/^Bearer /, ''))).toBe('second-secret');
  });
});
