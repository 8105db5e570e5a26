// loki.write's endpoint, queue_config and top-level options, each checked at
// the wire (the sandbox Loki receiver, or a scripted server counting requests).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLokiReceiver, type LokiReceiver } from '../../sandbox/receivers/loki-receiver.js';
import { lokiWrite, type LokiWriteArgs } from './write.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import { waitFor } from '../../../e2e/lib/wait.js';
import type { LogEntry, LogsReceiver } from '../../pipeline/logs.js';
import { Secret } from '../../syntax/secret.js';
import { validateConfig } from '../../cli/validate.js';
import type { EndpointArgs } from '../../logs/write/config.js';

const T0 = 1_700_000_000_000_000_000n;

function entries(n: number, labels: Record<string, string>, from = 0): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({ labels, ts: T0 + BigInt(from + i), line: `line ${from + i}` }));
}

/** A server answering every request after holdMs with `status`, counting requests and the most in flight at once. */
async function scriptedServer(status: () => number, holdMs = 0, onRequest?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean) {
  const st = { requests: 0, inflight: 0, maxInflight: 0, paths: [] as string[], methods: [] as string[] };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      st.requests++;
      st.paths.push(req.url ?? '');
      st.methods.push(req.method ?? '');
      if (onRequest?.(req, res)) return;
      st.inflight++;
      st.maxInflight = Math.max(st.maxInflight, st.inflight);
      setTimeout(() => {
        st.inflight--;
        res.writeHead(status()).end();
      }, holdMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { st, url, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const fast: Partial<EndpointArgs> = { batch_wait: 20, min_backoff_period: 10, max_backoff_period: 40 };

async function setup(endpoint: Partial<EndpointArgs> & { url: string }, extra: Partial<LokiWriteArgs> = {}) {
  const ctx = makeTestContext({ id: 'loki.write.opts' });
  const args: LokiWriteArgs = { endpoint: [{ ...fast, ...endpoint }], ...extra };
  const comp = lokiWrite.build(ctx, args);
  await comp.update(args);
  return { ctx, comp, receiver: ctx.exports.receiver as LogsReceiver };
}

async function metric(ctx: ReturnType<typeof makeTestContext>, name: string): Promise<string> {
  return ctx.metrics.getSingleMetricAsString(name);
}

describe('loki.write options', () => {
  let loki: LokiReceiver;
  const cleanups: (() => unknown)[] = [];
  beforeEach(async () => {
    loki = await startLokiReceiver();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await loki.close();
  });

  it('headers, tenant_id, http_headers and bearer_token reach Loki', async () => {
    const { comp, receiver } = await setup({ url: loki.url, tenant_id: 'acme', headers: { 'X-Team': 'logs' }, http_headers: { 'X-Multi': ['a', new Secret('b')] }, bearer_token: new Secret('tok') });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(2, { job: 'h' }));
    expect(loki.lastTenant).toBe('acme');
    expect(loki.lastHeaders?.['x-team']).toBe('logs');
    expect(loki.lastHeaders?.['x-multi']).toBe('a, b');
    expect(loki.lastHeaders?.authorization).toBe('Bearer tok');
  });

  it('an entry\'s __tenant_id__ label overrides tenant_id: one request per tenant', async () => {
    const tenants: string[] = [];
    const srv = await scriptedServer(() => 204, 0, (req, res) => {
      tenants.push(String(req.headers['x-scope-orgid']));
      res.writeHead(204).end();
      return true;
    });
    cleanups.push(srv.close);
    const { comp, receiver } = await setup({ url: `${srv.url}/loki/api/v1/push`, tenant_id: 'default' });
    cleanups.push(() => comp.stop!());
    await receiver.append([...entries(2, { job: 't', __tenant_id__: 'team-b' }), ...entries(2, { job: 't' }, 2)]);
    expect(tenants).toEqual(['team-b', 'default']);
  });

  it('retry_on_http_429 = false drops a batch at the first 429', async () => {
    const srv = await scriptedServer(() => 429);
    cleanups.push(srv.close);
    const { ctx, comp, receiver } = await setup({ url: `${srv.url}/loki/api/v1/push`, retry_on_http_429: false });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(3, { job: 'r' }));
    expect(srv.st.requests).toBe(1);
    expect(await metric(ctx, 'loki_write_dropped_entries_total')).toMatch(/reason="rate_limited".*\} 3/);
  });

  it('retry_on_http_429 = true (default) retries a 429 until it is accepted', async () => {
    let n = 0;
    const srv = await scriptedServer(() => (++n <= 2 ? 429 : 204));
    cleanups.push(srv.close);
    const { comp, receiver } = await setup({ url: `${srv.url}/loki/api/v1/push` });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(1, { job: 'r' }));
    expect(srv.st.requests).toBe(3);
  });

  it('max_backoff_retries bounds the attempts of one batch (Alloy: attempts in all)', async () => {
    const srv = await scriptedServer(() => 503);
    cleanups.push(srv.close);
    const { ctx, comp, receiver } = await setup({ url: `${srv.url}/loki/api/v1/push`, max_backoff_retries: 3 });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(2, { job: 'm' }));
    expect(srv.st.requests).toBe(3);
    expect(await metric(ctx, 'loki_write_dropped_entries_total')).toMatch(/reason="max_retries".*\} 2/);
  });

  it('remote_timeout aborts a request that hangs and the batch is retried', async () => {
    let n = 0;
    const srv = await scriptedServer(() => 204, 0, (_req, res) => {
      // First request: never answered.
      if (++n === 1) return true;
      res.writeHead(204).end();
      return true;
    });
    cleanups.push(srv.close);
    const { comp, receiver } = await setup({ url: `${srv.url}/loki/api/v1/push`, remote_timeout: 200 });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(1, { job: 't' }));
    expect(srv.st.requests).toBe(2);
  });

  it('follow_redirects: 307 is followed with the body; false drops the batch', async () => {
    const redirector = await scriptedServer(() => 0, 0, (_req, res) => {
      res.writeHead(307, { location: loki.url }).end();
      return true;
    });
    cleanups.push(redirector.close);
    const a = await setup({ url: `${redirector.url}/loki/api/v1/push` });
    cleanups.push(() => a.comp.stop!());
    await a.receiver.append(entries(2, { job: 'redir' }));
    expect(loki.streams.get('{job="redir"}')?.entries.length).toBe(2);
    const b = await setup({ url: `${redirector.url}/loki/api/v1/push`, follow_redirects: false });
    cleanups.push(() => b.comp.stop!());
    await b.receiver.append(entries(2, { job: 'noredir' }));
    expect(loki.streams.has('{job="noredir"}')).toBe(false);
    expect(await metric(b.ctx, 'loki_write_dropped_entries_total')).toMatch(/reason="client_error".*\} 2/);
  });

  it('batch_size splits pushes; batch_wait sends a partial batch', async () => {
    const { comp, receiver } = await setup({ url: loki.url, batch_size: '100B', batch_wait: 50 });
    cleanups.push(() => comp.stop!());
    // 10 lines of 40 bytes: at most 3 per 100-byte batch.
    await receiver.append(Array.from({ length: 10 }, (_, i) => ({ labels: { job: 'b' }, ts: T0 + BigInt(i), line: `${i}`.padEnd(40, 'x') })));
    expect(loki.totalEntries()).toBe(10);
    expect(loki.requests).toBeGreaterThanOrEqual(4);
  });

  it('max_streams: a push carries at most that many streams, entries of others are dropped', async () => {
    const { ctx, comp, receiver } = await setup({ url: loki.url }, { max_streams: 2 });
    cleanups.push(() => comp.stop!());
    await receiver.append([...entries(2, { s: 'a' }), ...entries(2, { s: 'b' }), ...entries(3, { s: 'c' })]);
    expect(loki.streams.size).toBe(2);
    expect(await metric(ctx, 'loki_write_dropped_entries_total')).toMatch(/reason="stream_limited".*\} 3/);
  });

  it('queue_config.block_on_overflow = false drops what does not fit instead of waiting', async () => {
    loki.setMode({ kind: 'down' });
    const { ctx, comp, receiver } = await setup({ url: loki.url, max_backoff_retries: 0, queue_config: { capacity: '1KiB', block_on_overflow: false, drain_timeout: 0 } });
    cleanups.push(() => comp.stop!());
    const first = receiver.append(entries(10, { job: 'o' })); // fits (about 750 bytes)
    void first.catch(() => undefined);
    // Two more of the same size do not: dropped at once, the append settles although Loki is down.
    await receiver.append(entries(10, { job: 'o' }, 10));
    await receiver.append(entries(10, { job: 'o' }, 20));
    await receiver.append(entries(10, { job: 'o' }, 30));
    expect(await metric(ctx, 'loki_write_dropped_entries_total')).toMatch(/reason="queue_is_full".*\} 30/);
  });

  it('queue_config.min_shards pushes several batches at once, each stream in order', async () => {
    const srv = await scriptedServer(() => 204, 300);
    cleanups.push(srv.close);
    const one = await setup({ url: `${srv.url}/loki/api/v1/push`, batch_wait: 5 });
    cleanups.push(() => one.comp.stop!());
    const streams = Array.from({ length: 16 }, (_, i) => entries(1, { s: String(i) }));
    await Promise.all(streams.map((e) => one.receiver.append(e)));
    expect(srv.st.maxInflight).toBe(1);
    srv.st.maxInflight = 0;
    const four = await setup({ url: `${srv.url}/loki/api/v1/push`, batch_wait: 5, queue_config: { min_shards: 4 } });
    cleanups.push(() => four.comp.stop!());
    expect((four.comp.debugInfo?.() as { endpoints: { shards: number }[] }).endpoints[0].shards).toBe(4);
    await Promise.all(streams.map((e) => four.receiver.append(e)));
    expect(srv.st.maxInflight).toBeGreaterThan(1);
    expect(srv.st.maxInflight).toBeLessThanOrEqual(4);
  });

  it('queue_config.drain_timeout: stop keeps pushing queued entries, bounded by the timeout', async () => {
    loki.setMode({ kind: 'down' });
    const a = await setup({ url: loki.url, max_backoff_retries: 0, queue_config: { drain_timeout: 20_000 } });
    const p = a.receiver.append(entries(5, { job: 'd' }));
    await waitFor('a first failed attempt', () => (a.comp.debugInfo?.() as { endpoints: { inflight_attempts: number }[] }).endpoints[0].inflight_attempts > 0, { timeoutMs: 10_000 });
    const stopping = a.comp.stop!();
    setTimeout(() => loki.setMode({ kind: 'up' }), 200);
    await stopping;
    await p; // delivered during the drain
    expect(loki.streams.get('{job="d"}')?.entries.length).toBe(5);

    loki.setMode({ kind: 'down' });
    const b = await setup({ url: loki.url, max_backoff_retries: 0, queue_config: { drain_timeout: 300 } });
    const q = b.receiver.append(entries(5, { job: 'e' }));
    const started = Date.now();
    await b.comp.stop!();
    await expect(q).rejects.toThrow(/stopped/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('request size and entry propagation latency are observed (Alloy\'s debug metrics)', async () => {
    const { ctx, comp, receiver } = await setup({ url: loki.url });
    cleanups.push(() => comp.stop!());
    const now = BigInt(Date.now()) * 1_000_000n;
    await receiver.append([{ labels: { job: 'lat' }, ts: now - 2_000_000_000n, line: 'two seconds old' }, { labels: { job: 'lat' }, ts: now, line: 'new' }]);
    expect(await metric(ctx, 'loki_write_request_size_bytes')).toMatch(/loki_write_request_size_bytes_count\{[^}]*\} 1\b/);
    const lat = await metric(ctx, 'loki_write_entry_propagation_latency_seconds');
    expect(lat).toMatch(/_count\{[^}]*\} 2\b/);
    // One entry is about 2 s old: under the 1 s bucket only one of the two.
    expect(lat).toMatch(/_bucket\{le="1",[^}]*\} 1\b/);
  });

  it('external_labels are added under the entry labels and __ labels are removed', async () => {
    const { comp, receiver } = await setup({ url: loki.url }, { external_labels: { cluster: 'c', s: 'ext' } });
    cleanups.push(() => comp.stop!());
    await receiver.append(entries(1, { s: 'own', __path__: '/x' }));
    expect([...loki.streams.keys()]).toEqual(['{cluster="c", s="own"}']);
  });
});

describe('loki.write argument errors', () => {
  const validate = (body: string) => validateConfig([{ name: 'w.alloy', source: `loki.write "w" {\n${body}\n}\n` }], 'w.alloy', 'experimental').join('\n');

  it.each([
    ['endpoint {\n  url = "http://127.0.0.1/x"\n  batch_wait = 5\n}', /w\.alloy:4:\d+.*batch_wait/],
    ['endpoint {\n  url = "http://127.0.0.1/x"\n  retries = 5\n}', /w\.alloy:4:\d+.*retries/],
    ['endpoint {\n  url = "http://127.0.0.1/x"\n  queue_config {\n    capacity = "lots"\n  }\n}', /w\.alloy:4:\d+.*capacity/],
    ['endpoint {\n  url = "http://127.0.0.1/x"\n  queue_config {\n    min_shards = 0\n  }\n}', /min_shards/],
    ['wal {\n  min_read_frequency = "2s"\n  max_read_frequency = "1s"\n}', /w\.alloy:2:\d+.*min read frequency should be lower/],
    ['endpoint {\n  url = "ftp://x"\n}', /w\.alloy:2:\d+.*not a valid http\(s\) URL/],
    ['max_streams = "many"', /w\.alloy:2:\d+.*max_streams/],
    ['endpoint {\n  url = "http://127.0.0.1/x"\n  bearer_token = "a"\n  basic_auth {\n    username = "u"\n  }\n}', /w\.alloy:2:\d+.*at most one/],
  ])('%s is refused with a positioned error', (body, re) => {
    expect(validate(body)).toMatch(re);
  });

  it('queue_config needs --stability.level=experimental', () => {
    const src = 'loki.write "w" {\n  endpoint {\n    url = "http://127.0.0.1/x"\n    queue_config {}\n  }\n}\n';
    expect(validateConfig([{ name: 'w.alloy', source: src }], 'w.alloy', 'generally-available').join('\n')).toMatch(/queue_config.*experimental/);
  });
});
