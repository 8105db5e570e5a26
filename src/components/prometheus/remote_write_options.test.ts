// Every endpoint option of prometheus.remote_write observed at the receiver:
// remote write 2.0 (decoded by the sandbox's spec-written decoder, its headers
// and the Written response headers), sigv4 (signature recomputed by an
// independent verifier), azuread (token from a fake Entra ID endpoint),
// round_robin_dns (two receivers on 127.0.0.2/127.0.0.3 behind one made-up
// name), and the queue_config knobs (batch size, deadline, shards, capacity,
// backoff, 429 handling, sample age limit, timeout), headers and Retry-Attempt.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import protobuf from 'protobufjs';
import { snappyUncompress as uncompress } from '../../compress/snappy.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeTestContext, type TestContext } from '../../../e2e/lib/component-context.js';
import { verifySigV4 } from '../../../e2e/lib/sigv4-verify.js';
import { waitFor } from '../../../e2e/lib/wait.js';
import type { MetricsReceiver, Sample } from '../../pipeline/metrics.js';
import type { RemoteWriteArgs } from '../../remotewrite/args.js';
import { RemoteWriteReceiver } from '../../sandbox/receivers/remote-write-receiver.js';
import { RemoteWriteComponent, type RemoteWriteTuning } from './remote_write.js';

let rx: RemoteWriteReceiver;
let ctx: TestContext;
let comp: RemoteWriteComponent | undefined;
const extra: { stop(): Promise<void> }[] = [];

beforeEach(async () => {
  rx = await new RemoteWriteReceiver().start();
  ctx = makeTestContext({ id: 'prometheus.remote_write.opts' });
});
afterEach(async () => {
  await comp?.stop();
  comp = undefined;
  await rx.stop();
  for (const e of extra.splice(0)) await e.stop();
  fs.rmSync(ctx.dataPath(), { recursive: true, force: true });
});

async function build(args: RemoteWriteArgs, tuning: RemoteWriteTuning = {}): Promise<MetricsReceiver> {
  comp = new RemoteWriteComponent(ctx, args, tuning);
  await comp.update(args);
  return ctx.exports.receiver as MetricsReceiver;
}

function endpoint(more: Record<string, unknown> = {}, queue: Record<string, unknown> = {}) {
  return { url: rx.url, name: 'rx', queue_config: { batch_send_deadline: 20, max_samples_per_send: 100, min_backoff: 10, max_backoff: 100, ...queue }, ...more };
}

function samples(from: number, n: number, series = 10, t0 = Date.now()): Sample[] {
  const out: Sample[] = [];
  for (let i = from; i < from + n; i++) out.push({ labels: ['__name__', 'test_metric', 'series', String(i % series)], t: t0 + i, v: i });
  return out;
}

async function metric(name: string): Promise<number> {
  const m = await ctx.metrics.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((v) => v.labels.remote_name === 'rx').reduce((n, v) => n + v.value, 0);
}

async function metricReaches(name: string, want: number, timeoutMs = 5000): Promise<void> {
  await waitFor(`${name} = ${want}`, async () => (await metric(name)) === want, { timeoutMs, intervalMs: 10 }).catch(() => undefined);
  expect(await metric(name)).toBe(want);
}

describe('protobuf_message = "io.prometheus.write.v2.Request"', () => {
  it('sends remote write 2.0 with its Content-Type and version header; the decoder sees every sample', async () => {
    const recv = await build({ external_labels: { cluster: 'c1' }, endpoint: [endpoint({ protobuf_message: 'io.prometheus.write.v2.Request' })] });
    await recv.append(samples(0, 250));
    await rx.waitFor(() => rx.totalSamples() === 250, 10_000, '250 samples');
    expect(rx.v2Requests).toBeGreaterThan(0);
    expect(rx.v2Requests).toBe(rx.accepted);
    expect(rx.lastHeaders['content-type']).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request');
    expect(rx.lastHeaders['x-prometheus-remote-write-version']).toBe('2.0.0');
    expect(rx.lastHeaders['content-encoding']).toBe('snappy');
    expect(rx.lastV2!.symbols[0]).toBe('');
    for (const s of rx.series.values()) {
      expect(s.labels.cluster).toBe('c1');
      expect(s.order).toEqual([...s.order].sort());
      const ts = s.samples.map((x) => x.t);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    await metricReaches('prometheus_remote_storage_samples_total', 250);
    expect(await metric('prometheus_remote_storage_samples_failed_total')).toBe(0);
  });

  it('counts samples the Written headers report as not written as failed', async () => {
    rx.written = (c) => ({ ...c, samples: c.samples - 1 });
    const recv = await build({ endpoint: [endpoint({ protobuf_message: 'io.prometheus.write.v2.Request' }, { max_samples_per_send: 1000, batch_send_deadline: 200 })] });
    await recv.append(samples(0, 100));
    await rx.waitFor(() => rx.totalSamples() === 100, 10_000, '100 samples');
    await metricReaches('prometheus_remote_storage_samples_failed_total', rx.accepted);
  });

  it('treats a 2xx without Written headers (a 1.0-only receiver) as a failed batch', async () => {
    rx.written = 'none';
    const recv = await build({ endpoint: [endpoint({ protobuf_message: 'io.prometheus.write.v2.Request' })] });
    await recv.append(samples(0, 50));
    await metricReaches('prometheus_remote_storage_samples_failed_total', 50);
    expect(await metric('prometheus_remote_storage_samples_total')).toBe(0);
  });

  it('remote write 1.0 trusts a 2xx without Written headers', async () => {
    rx.written = 'none';
    const recv = await build({ endpoint: [endpoint()] });
    await recv.append(samples(0, 50));
    await metricReaches('prometheus_remote_storage_samples_total', 50);
    expect(await metric('prometheus_remote_storage_samples_failed_total')).toBe(0);
    expect(rx.v2Requests).toBe(0);
  });

  it('refuses an unknown protobuf_message', () => {
    expect(() => new RemoteWriteComponent(ctx, { endpoint: [endpoint({ protobuf_message: 'v3' })] })).toThrow(/endpoint "rx": invalid protobuf_message "v3"/);
  });
});

describe('credentials of the endpoint', () => {
  it('sigv4: each request is signed for aps in the region, verifiable from what the receiver got', async () => {
    const recv = await build({ endpoint: [endpoint({ sigv4: { region: 'eu-central-1', access_key: 'AKIAEXAMPLE', secret_key: 'rw-secret', service_name: 'aps' } })] }, { sender: { env: {} } });
    await recv.append(samples(0, 20));
    await rx.waitFor(() => rx.totalSamples() === 20, 10_000, '20 samples');
    const req = rx.lastRequest!;
    expect(verifySigV4(req.method, req.path, rx.lastHeaders, req.body, 'rw-secret')).toEqual({ accessKey: 'AKIAEXAMPLE', region: 'eu-central-1', service: 'aps' });
    expect(String(rx.lastHeaders.authorization)).toMatch(/SignedHeaders=[^,]*content-encoding;[^,]*x-prometheus-remote-write-version/);
  });

  it('sigv4: keys and region from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN / AWS_REGION', async () => {
    const env = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'sess', AWS_REGION: 'us-east-2' };
    const recv = await build({ endpoint: [endpoint({ sigv4: {} })] }, { sender: { env } });
    await recv.append(samples(0, 5));
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 samples');
    expect(rx.lastHeaders['x-amz-security-token']).toBe('sess');
    expect(verifySigV4('POST', rx.lastRequest!.path, rx.lastHeaders, rx.lastRequest!.body, 'env-secret').region).toBe('us-east-2');
  });

  it('sigv4 without any region makes the component unhealthy with the reason', async () => {
    await build({ endpoint: [endpoint({ sigv4: { access_key: 'a', secret_key: 'b' } })] }, { sender: { env: {} } });
    expect(ctx.health.state).toBe('unhealthy');
    expect(ctx.health.message).toMatch(/sigv4: region not configured in sigv4 or in default credentials chain/);
  });

  it('sigv4 with another credential source is refused with Alloy\'s message', () => {
    expect(() => new RemoteWriteComponent(ctx, { endpoint: [endpoint({ sigv4: { region: 'x' }, bearer_token: 't' })] })).toThrow(
      /at most one of sigv4, azuread, google_iam, basic_auth, oauth2, bearer_token & bearer_token_file must be configured/,
    );
  });

  it('azuread: fetches a token for the Azure Monitor audience and sends it as Bearer', async () => {
    const forms: URLSearchParams[] = [];
    const entra = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        forms.push(new URLSearchParams(body));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'entra-token', token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((r) => entra.listen(0, '127.0.0.1', () => r()));
    extra.push({ stop: () => new Promise((r) => entra.close(() => r())) });
    const env = { AZURE_AUTHORITY_HOST: `http://127.0.0.1:${(entra.address() as AddressInfo).port}/` };
    const oauth = { client_id: '00000000-0000-4000-8000-000000000001', client_secret: 'azure-secret', tenant_id: 'contoso.onmicrosoft.com' };
    const recv = await build({ endpoint: [endpoint({ azuread: { cloud: 'AzureGovernment', oauth } })] }, { sender: { env } });
    await recv.append(samples(0, 10));
    await rx.waitFor(() => rx.totalSamples() === 10, 10_000, '10 samples');
    await recv.append(samples(10, 10));
    await rx.waitFor(() => rx.totalSamples() === 20, 10_000, '20 samples');
    expect(rx.lastHeaders.authorization).toBe('Bearer entra-token');
    expect(forms).toHaveLength(1);
    // A token refused (401) before its expiry is replaced once, and the batch goes through.
    rx.failNext(401, 1);
    await recv.append(samples(20, 10));
    await rx.waitFor(() => rx.totalSamples() === 30, 10_000, '30 samples');
    expect(forms).toHaveLength(2);
    expect(forms.every((f) => f.get('scope') === 'https://monitor.azure.us//.default')).toBe(true);
    expect(forms[0]!.get('client_secret')).toBe('azure-secret');
  });
});

describe('enable_http2', () => {
  it('true is accepted with a warning naming it (requests stay HTTP/1.1)', async () => {
    const lines: string[] = [];
    Object.assign(ctx, { logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) }) });
    const recv = await build({ endpoint: [endpoint({ enable_http2: true })] });
    await recv.append(samples(0, 5));
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 samples');
    expect(lines.some((l) => l.includes('enable_http2 = true is accepted but requests use HTTP/1.1'))).toBe(true);
  });
});

describe('follow_redirects', () => {
  async function redirector(status: number): Promise<string> {
    const srv = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(status, { Location: rx.url }).end());
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    extra.push({ stop: () => new Promise((r) => srv.close(() => r())) });
    return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/old/push`;
  }

  it('follows a 307 with the body (default true)', async () => {
    const url = await redirector(307);
    const recv = await build({ endpoint: [{ ...endpoint(), url }] });
    await recv.append(samples(0, 10));
    await rx.waitFor(() => rx.totalSamples() === 10, 10_000, '10 samples via the redirect');
  });

  it('false: a redirect answer fails the batch', async () => {
    const url = await redirector(308);
    const recv = await build({ endpoint: [{ ...endpoint({ follow_redirects: false }), url }] });
    await recv.append(samples(0, 10));
    await metricReaches('prometheus_remote_storage_samples_failed_total', 10);
    expect(rx.accepted + rx.errors.length).toBe(0);
  });

  it('a 301 turns the POST into a GET without a body, as Go does (the receiver refuses it)', async () => {
    const url = await redirector(301);
    const recv = await build({ endpoint: [{ ...endpoint(), url }] });
    await recv.append(samples(0, 10));
    await metricReaches('prometheus_remote_storage_samples_failed_total', 10);
    expect(rx.errors[0]).toMatch(/method GET/);
  });
});

describe('google_iam', () => {
  it('sends the token the service account key earned at its token_uri', async () => {
    const grants: string[] = [];
    const google = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        grants.push(new URLSearchParams(body).get('grant_type') ?? '');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'google-token', expires_in: 3600, token_type: 'Bearer' }));
      });
    });
    await new Promise<void>((r) => google.listen(0, '127.0.0.1', () => r()));
    extra.push({ stop: () => new Promise((r) => google.close(() => r())) });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(ctx.dataPath(), 'sa.json');
    fs.writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: 'w@p.iam.gserviceaccount.com', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), token_uri: `http://127.0.0.1:${(google.address() as AddressInfo).port}/token` }));
    const recv = await build({ endpoint: [endpoint({ google_iam: { credentials_file: keyFile } })] }, { sender: { env: {} } });
    await recv.append(samples(0, 10));
    await rx.waitFor(() => rx.totalSamples() === 10, 10_000, '10 samples');
    expect(rx.lastHeaders.authorization).toBe('Bearer google-token');
    expect(grants).toEqual(['urn:ietf:params:oauth:grant-type:jwt-bearer']);
  });
});

describe('round_robin_dns', () => {
  it('spreads new connections over every address the name resolves to', async () => {
    const a = await new RemoteWriteReceiver().bindTo('127.0.0.2').start();
    const b = await new RemoteWriteReceiver().bindTo('127.0.0.3').start(Number(new URL(a.url).port));
    extra.push(a, b);
    a.closeConnections = b.closeConnections = true;
    const asked: string[] = [];
    const resolveHost = async (host: string) => {
      asked.push(host);
      return ['127.0.0.2', '127.0.0.3'];
    };
    const url = `http://rr-remote-write.test:${new URL(a.url).port}/api/v1/write`;
    const recv = await build({ endpoint: [{ ...endpoint({ round_robin_dns: true }, { max_samples_per_send: 10 }), url }] }, { sender: { resolveHost } });
    for (let i = 0; i < 40; i++) await recv.append(samples(i * 10, 10));
    await waitFor('400 samples over both', () => a.totalSamples() + b.totalSamples() === 400, { timeoutMs: 15_000, intervalMs: 20 });
    expect(asked.every((h) => h === 'rr-remote-write.test')).toBe(true);
    expect(asked.length).toBeGreaterThanOrEqual(a.accepted + b.accepted);
    // 40+ connections, each to a random one of two addresses: both get some (chance of not: 2^-39).
    expect(a.accepted).toBeGreaterThan(0);
    expect(b.accepted).toBeGreaterThan(0);
  });
});

describe('queue_config and request options', () => {
  it('max_samples_per_send bounds every request; headers are sent', async () => {
    const recv = await build({ endpoint: [endpoint({ headers: { 'X-Scope-OrgID': 'tenant-a' } }, { max_samples_per_send: 7, batch_send_deadline: 50 })] });
    await recv.append(samples(0, 100));
    await rx.waitFor(() => rx.totalSamples() === 100, 10_000, '100 samples');
    expect(Math.max(...rx.log.map((r) => r.samples))).toBe(7);
    expect(rx.log.every((r) => r.headers['x-scope-orgid'] === 'tenant-a')).toBe(true);
  });

  it('batch_send_deadline: a partial batch waits for the deadline', async () => {
    const recv = await build({ endpoint: [endpoint({}, { max_samples_per_send: 1000, batch_send_deadline: 1500 })] });
    const started = Date.now();
    await recv.append(samples(0, 5));
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 samples');
    expect(rx.log[0]!.at - started).toBeGreaterThanOrEqual(1400);
  });

  it('min_shards: that many requests go out at once', async () => {
    rx.slow(300);
    const recv = await build({ endpoint: [endpoint({}, { min_shards: 4, max_shards: 4, max_samples_per_send: 5 })] });
    await recv.append(samples(0, 120, 40));
    await rx.waitFor(() => rx.totalSamples() === 120, 20_000, '120 samples');
    expect(rx.maxInFlight).toBe(4);
  });

  it('capacity: the queue stops reading the WAL when full', async () => {
    rx.failNext(503, 1_000_000);
    const recv = await build({ endpoint: [endpoint({}, { capacity: 30, max_samples_per_send: 10, min_shards: 1, max_shards: 1 })] });
    for (let i = 0; i < 15; i++) await recv.append(samples(i * 10, 10));
    await waitFor('pending', async () => (await metric('prometheus_remote_storage_samples_pending')) >= 30, { timeoutMs: 5000, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const pending = await metric('prometheus_remote_storage_samples_pending');
    expect(pending).toBeGreaterThanOrEqual(30);
    expect(pending).toBeLessThan(40); // one 10-sample record past the limit at most; 150 appended
  });

  it('min_backoff / max_backoff: retries wait at least the doubling delay; Retry-Attempt counts them', async () => {
    rx.failNext(500, 4);
    const recv = await build({ endpoint: [endpoint({}, { min_backoff: 200, max_backoff: 400 })] });
    await recv.append(samples(0, 10));
    await rx.waitFor(() => rx.totalSamples() === 10, 15_000, '10 samples');
    const gaps = rx.log.slice(1).map((r, i) => r.at - rx.log[i]!.at);
    expect(gaps).toHaveLength(4);
    [200, 400, 400, 400].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 20));
    expect(rx.log.map((r) => r.headers['retry-attempt'])).toEqual([undefined, '1', '2', '3', '4']);
  });

  it('retry_on_http_429 = false drops a batch answered 429', async () => {
    rx.failNext(429, 1);
    const recv = await build({ endpoint: [endpoint({}, { retry_on_http_429: false })] });
    await recv.append(samples(0, 10));
    await metricReaches('prometheus_remote_storage_samples_failed_total', 10);
    expect(rx.totalSamples()).toBe(0);
  });

  it('sample_age_limit drops samples older than the limit, before the first send too', async () => {
    const recv = await build({ endpoint: [endpoint({}, { sample_age_limit: 60_000 })] });
    await recv.append([...samples(0, 5, 5, Date.now() - 3_600_000), ...samples(100, 5, 5)]);
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 fresh samples');
    await metricReaches('prometheus_remote_storage_samples_dropped_total', 5);
    for (const s of rx.series.values()) for (const x of s.samples) expect(x.v).toBeGreaterThanOrEqual(100);
  });

  it('remote_timeout: a request unanswered in time is abandoned and retried', async () => {
    rx.slow(800);
    const recv = await build({ endpoint: [endpoint({ remote_timeout: 150 }, { min_backoff: 50, max_backoff: 50 })] });
    await recv.append(samples(0, 10));
    await waitFor('a retry', async () => (await metric('prometheus_remote_storage_samples_retried_total')) >= 10, { timeoutMs: 10_000, intervalMs: 20 });
    rx.slow(0);
    await rx.waitFor(() => rx.totalSamples() >= 10, 10_000, 'delivery');
  });
});

describe('wal', () => {
  async function segmentsAfterSending(wal: Record<string, unknown>): Promise<() => number> {
    const recv = await build({ endpoint: [endpoint()], wal: { segment_size: 4096, max_size: 1 << 20, ...wal } });
    for (let i = 0; i < 20; i++) await recv.append(samples(i * 50, 50));
    await rx.waitFor(() => rx.totalSamples() === 1000, 15_000, '1000 samples');
    return () => (comp!.debugInfo() as { wal: { segments: number } }).wal.segments;
  }

  it('truncate_frequency deletes sent segments once min_keepalive_time has passed', async () => {
    const segments = await segmentsAfterSending({ truncate_frequency: 200, min_keepalive_time: 600, max_keepalive_time: 3_600_000 });
    await waitFor('sent segments deleted', () => segments() === 1, { timeoutMs: 10_000, intervalMs: 50 });
  });

  it('without a truncation due, sent segments younger than min_keepalive_time stay', async () => {
    const segments = await segmentsAfterSending({ truncate_frequency: 3_600_000, min_keepalive_time: 600, max_keepalive_time: 3_600_000 });
    expect(segments()).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(segments()).toBeGreaterThan(1);
  });

  it('max_keepalive_time drops unsent segments that are too old (counted as dropped)', async () => {
    rx.failNext(503, 1_000_000);
    const recv = await build({ endpoint: [endpoint({}, { capacity: 10, max_samples_per_send: 10 })], wal: { segment_size: 4096, max_size: 1 << 20, truncate_frequency: 200, min_keepalive_time: 0, max_keepalive_time: 500 } });
    for (let i = 0; i < 20; i++) await recv.append(samples(i * 50, 50));
    await waitFor('unsent samples dropped', async () => (await metric('prometheus_remote_storage_samples_dropped_total')) > 0, { timeoutMs: 10_000, intervalMs: 50 });
  });
});

describe('metadata_config', () => {
  // The 1.0 metadata message, decoded here with its own schema (prompb MetricMetadata).
  const MetaRequest = protobuf.Root.fromJSON({
    nested: {
      WriteRequest: { fields: { metadata: { rule: 'repeated', type: 'MetricMetadata', id: 3 } } },
      MetricMetadata: { fields: { type: { type: 'int32', id: 1 }, metric_family_name: { type: 'string', id: 2 }, help: { type: 'string', id: 4 }, unit: { type: 'string', id: 5 } } },
    },
  }).lookupType('WriteRequest');
  const metadataRequests = () =>
    rx.log
      .map((r) => (MetaRequest.toObject(MetaRequest.decode(uncompress(r.body!)), { defaults: true }) as { metadata: { type: number; metric_family_name: string; help: string; unit: string }[] }).metadata)
      .filter((m) => m.length > 0);
  const entries = Array.from({ length: 5 }, (_, i) => ({ family: `family_${i}`, type: i === 0 ? 'counter' : 'gauge', help: `Help ${i}.`, unit: i === 0 ? 'seconds' : '' }));

  beforeEach(() => {
    rx.keepBodies = true;
  });

  it('1.0: every send_interval, the known metadata in requests of at most max_samples_per_send', async () => {
    await build({ endpoint: [endpoint({ metadata_config: { send: true, send_interval: 200, max_samples_per_send: 2 } })] });
    comp!.metadata.update(entries);
    await waitFor('two rounds', () => metadataRequests().length >= 6, { timeoutMs: 10_000, intervalMs: 20 });
    const reqs = metadataRequests();
    expect(reqs.slice(0, 3).map((m) => m.length)).toEqual([2, 2, 1]);
    expect(reqs.slice(0, 3).flat()).toEqual(
      entries.map((e) => ({ type: e.type === 'counter' ? 1 : 2, metric_family_name: e.family, help: e.help, unit: e.unit })),
    );
    expect(rx.totalSamples()).toBe(0);
    await waitFor('metadata counted', async () => (await metric('prometheus_remote_storage_metadata_total')) >= 5, { timeoutMs: 5000, intervalMs: 20 });
  });

  it('send = false: no metadata requests', async () => {
    const recv = await build({ endpoint: [endpoint({ metadata_config: { send: false, send_interval: 100 } })] });
    comp!.metadata.update(entries);
    await new Promise((r) => setTimeout(r, 500));
    await recv.append(samples(0, 5));
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 samples');
    expect(metadataRequests()).toHaveLength(0);
  });

  it('2.0: each series carries its family\'s type, help and unit; no separate metadata requests', async () => {
    const recv = await build({ endpoint: [endpoint({ protobuf_message: 'io.prometheus.write.v2.Request', metadata_config: { send_interval: 100 } })] });
    comp!.metadata.update([{ family: 'test_metric', type: 'gauge', help: 'A test metric.', unit: 'bytes' }]);
    await recv.append(samples(0, 20));
    await rx.waitFor(() => rx.totalSamples() === 20, 10_000, '20 samples');
    for (const s of rx.series.values()) expect(s.v2?.metadata).toEqual({ type: 'gauge', help: 'A test metric.', unit: 'bytes' });
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.log.every((r) => r.headers['content-type'] === 'application/x-protobuf;proto=io.prometheus.write.v2.Request')).toBe(true);
  });
});
