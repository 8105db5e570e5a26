import fs from 'node:fs';
import { makeTestContext, type TestContext } from '../../../e2e/lib/component-context.js';
import type { MetricsReceiver, Sample } from '../../pipeline/metrics.js';
import { RemoteWriteReceiver } from '../../sandbox/receivers/remote-write-receiver.js';
import { remoteWrite, type RemoteWriteComponent } from './remote_write.js';
import type { RemoteWriteArgs } from '../../remotewrite/args.js';
import { waitFor } from '../../../e2e/lib/wait.js';

const STALE = 0x7ff0000000000002n;
function staleNaN(): number {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(STALE);
  return b.readDoubleLE(0);
}
function bitsOf(v: number): bigint {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return b.readBigUInt64LE(0);
}

let rx: RemoteWriteReceiver;
let ctx: TestContext;
let comp: RemoteWriteComponent | undefined;

beforeEach(async () => {
  rx = await new RemoteWriteReceiver().start();
  ctx = makeTestContext({ id: 'prometheus.remote_write.test' });
});
afterEach(async () => {
  await comp?.stop();
  comp = undefined;
  await rx.stop();
  fs.rmSync(ctx.dataPath(), { recursive: true, force: true });
});

async function build(args: RemoteWriteArgs): Promise<MetricsReceiver> {
  comp = remoteWrite.build(ctx, args) as RemoteWriteComponent;
  await comp.update(args);
  return ctx.exports.receiver as MetricsReceiver;
}

function endpoint(extra: Record<string, unknown> = {}, queue: Record<string, unknown> = {}) {
  return { url: rx.url, name: 'rx', queue_config: { batch_send_deadline: 20, max_samples_per_send: 100, min_backoff: 10, max_backoff: 100, ...queue }, ...extra };
}

/** n samples over `series` series, timestamps increasing per series. */
function samples(from: number, n: number, series = 10): Sample[] {
  const out: Sample[] = [];
  for (let i = from; i < from + n; i++) {
    out.push({ labels: ['__name__', 'test_metric', 'series', String(i % series)], t: 1_700_000_000_000 + i, v: i });
  }
  return out;
}

async function metric(name: string): Promise<number> {
  const m = await ctx.metrics.getSingleMetric(name)?.get();
  return (m?.values ?? []).filter((v) => v.labels.remote_name === 'rx').reduce((n, v) => n + v.value, 0);
}

/** The sender updates its counters after the receiver answered: poll briefly (bounded). */
/** Waits until the metric reaches `want`; the expect names the metric and its value when it does not. */
async function metricReaches(name: string, want: number, timeoutMs = 5000): Promise<void> {
  await waitFor(`${name} = ${want}`, async () => (await metric(name)) === want, { timeoutMs, intervalMs: 10 }).catch(() => undefined);
  expect(await metric(name)).toBe(want);
}

describe('prometheus.remote_write', () => {
  it('delivers every sample in per-series order with the remote write headers', async () => {
    const recv = await build({ endpoint: [endpoint()] });
    for (let i = 0; i < 10; i++) await recv.append(samples(i * 100, 100));
    await recv.append([{ labels: ['__name__', 'gone'], t: 1_700_000_001_000, v: staleNaN() }]);
    await rx.waitFor(() => rx.totalSamples() === 1001, 10_000, '1001 samples');
    for (const s of rx.series.values()) {
      const ts = s.samples.map((x) => x.t);
      expect(ts).toEqual([...ts].sort((a, b) => a - b));
    }
    const gone = [...rx.series.values()].find((s) => s.labels.__name__ === 'gone')!;
    expect(bitsOf(gone.samples[0]!.v)).toBe(STALE);
    expect(rx.lastHeaders['content-encoding']).toBe('snappy');
    expect(rx.lastHeaders['content-type']).toBe('application/x-protobuf');
    expect(rx.lastHeaders['x-prometheus-remote-write-version']).toBe('0.1.0');
    expect(rx.lastHeaders['user-agent']).toMatch(/alloy-ts/);
    await metricReaches('prometheus_remote_storage_samples_total', 1001);
    expect(await metric('prometheus_remote_storage_bytes_total')).toBeGreaterThan(0);
  });

  it('adds external labels only where the series lacks them, then applies write relabeling', async () => {
    const recv = await build({
      external_labels: { cluster: 'c1', series: 'never-wins' },
      endpoint: [
        endpoint({
          write_relabel_config: [{ source_labels: ['series'], regex: '[0-4]', action: 'drop', separator: ';', target_label: '', replacement: '$1' }],
        }),
      ],
    });
    await recv.append(samples(0, 10));
    await rx.waitFor(() => rx.totalSamples() === 5, 10_000, '5 samples');
    for (const s of rx.series.values()) {
      expect(s.labels.cluster).toBe('c1');
      expect(Number(s.labels.series)).toBeGreaterThanOrEqual(5);
      expect(s.order).toEqual([...s.order].sort());
    }
    // Relabel drops count as dropped, not as failed.
    await expect(metric('prometheus_remote_storage_samples_dropped_total')).resolves.toBe(5);
  });

  it('drops a batch answered 400, counts it, and keeps sending the rest', async () => {
    rx.failNext(400, 2);
    const recv = await build({ endpoint: [endpoint({}, { max_samples_per_send: 50 })] });
    await recv.append(samples(0, 100));
    await recv.append(samples(100, 100));
    await rx.waitFor(() => rx.samplesAccepted + rx.samplesRejected === 200, 10_000, 'all batches answered');
    expect(rx.samplesRejected).toBe(100);
    expect(rx.totalSamples()).toBe(100);
    await metricReaches('prometheus_remote_storage_samples_failed_total', 100);
    const info = comp!.debugInfo() as { endpoints: { last_error: { message: string } }[] };
    expect(info.endpoints[0]!.last_error.message).toMatch(/400/);
  });

  it('retries 5xx and 429 (honouring Retry-After) without losing a sample', async () => {
    rx.failNext(503, 2);
    rx.failNext(429, 1, '1');
    const recv = await build({ endpoint: [endpoint()] });
    const started = Date.now();
    await recv.append(samples(0, 100));
    await rx.waitFor(() => rx.totalSamples() === 100, 10_000, '100 samples');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After: 1 (second)
    expect(rx.rejected).toBe(3);
    await metricReaches('prometheus_remote_storage_samples_retried_total', 300);
  });

  it('rejects bad arguments with a reason naming the endpoint', () => {
    expect(() => remoteWrite.build(ctx, { endpoint: [{ url: 'ftp://x', name: 'a' }] })).toThrow(/endpoint "a": url scheme/);
    expect(() => remoteWrite.build(ctx, { endpoint: [{ url: rx.url, queue_config: { min_shards: 5, max_shards: 2 } as never }] })).toThrow(
      /min_shards must not exceed max_shards/,
    );
  });
});

describe('prometheus.remote_write oauth2', () => {
  it('fetches the token from token_url once and sends it as Authorization: Bearer', async () => {
    const http = await import('node:http');
    const forms: string[] = [];
    const tokenServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        forms.push(`${req.headers.authorization ?? ''}|${body}`);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ access_token: 'rw-token', token_type: 'bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
    const port = (tokenServer.address() as { port: number }).port;
    try {
      const recv = await build({
        endpoint: [endpoint({ oauth2: { client_id: 'alloy', client_secret: 'shh', token_url: `http://127.0.0.1:${port}/token`, scopes: ['write'] } })],
      });
      await recv.append(samples(0, 10));
      await rx.waitFor(() => rx.totalSamples() === 10, 10_000, '10 samples');
      await recv.append(samples(10, 10));
      await rx.waitFor(() => rx.totalSamples() === 20, 10_000, '20 samples');
      expect(rx.lastHeaders?.authorization).toBe('Bearer rw-token');
      expect(forms).toHaveLength(1);
      expect(forms[0]).toBe(`Basic ${Buffer.from('alloy:shh').toString('base64')}|grant_type=client_credentials&scope=write`);
    } finally {
      tokenServer.close();
    }
  });
});
