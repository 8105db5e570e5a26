import { startLokiReceiver, type LokiReceiver } from '../../sandbox/receivers/loki-receiver.js';
import { lokiWrite, type LokiWriteArgs } from './write.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import type { LogEntry, LogsReceiver } from '../../pipeline/logs.js';
import { Secret } from '../../syntax/secret.js';

const T0 = 1_700_000_000_000_000_000n;

function entries(n: number, labels: Record<string, string>, from = 0): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({ labels, ts: T0 + BigInt(from + i), line: `line ${from + i}` }));
}

async function setup(loki: LokiReceiver, endpoint: Partial<LokiWriteArgs['endpoint'] extends (infer E)[] | undefined ? E : never> = {}, extra: Partial<LokiWriteArgs> = {}) {
  const ctx = makeTestContext({ id: 'loki.write.test' });
  const args: LokiWriteArgs = { endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 10, max_backoff_period: 40, ...endpoint }], ...extra };
  const comp = lokiWrite.build(ctx, args);
  await comp.update(args);
  return { ctx, comp, receiver: ctx.exports.receiver as LogsReceiver };
}

describe('loki.write', () => {
  let loki: LokiReceiver;
  let stops: (() => unknown)[] = [];
  beforeEach(async () => {
    loki = await startLokiReceiver();
  });
  afterEach(async () => {
    for (const s of stops) await s();
    stops = [];
    await loki.close();
  });

  it('pushes entries grouped by stream, with tenant and external labels, and resolves after the push', async () => {
    const { comp, receiver } = await setup(loki, { tenant_id: 'team-a', headers: { 'X-Extra': '1' } }, { external_labels: { cluster: 'c1', job: 'overridden' } });
    stops.push(() => comp.stop?.());
    await receiver.append([...entries(3, { job: 'a' }), ...entries(2, { job: 'b', __internal: 'x' })]);
    // Resolved means delivered: the receiver already has everything.
    expect(loki.totalEntries()).toBe(5);
    expect(loki.lastTenant).toBe('team-a');
    expect(loki.lastHeaders?.['x-extra']).toBe('1');
    expect(loki.lastHeaders?.['content-type']).toBe('application/x-protobuf');
    expect(loki.lastHeaders?.['content-encoding']).toBe('snappy');
    const a = loki.streams.get('{cluster="c1", job="a"}');
    expect(a?.entries.map((e) => e.line)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(a?.entries[0].ts).toBe(T0);
    expect(loki.streams.has('{cluster="c1", job="b"}')).toBe(true);
  });

  it('sends basic auth from a Secret', async () => {
    const { comp, receiver } = await setup(loki, { basic_auth: { username: 'u', password: new Secret('p') } });
    stops.push(() => comp.stop?.());
    await receiver.append(entries(1, { job: 'a' }));
    expect(loki.lastHeaders?.authorization).toBe('Basic ' + Buffer.from('u:p').toString('base64'));
  });

  it('retries 5xx and 429 then delivers', async () => {
    const { ctx, comp, receiver } = await setup(loki);
    stops.push(() => comp.stop?.());
    loki.setMode({ kind: 'status', status: 503, times: 2 });
    await receiver.append(entries(4, { job: 'a' }));
    loki.setMode({ kind: 'status', status: 429, times: 1 });
    await receiver.append(entries(4, { job: 'a' }, 4));
    expect(loki.totalEntries()).toBe(8);
    const text = await ctx.metrics.getSingleMetricAsString('loki_write_batch_retries_total');
    expect(text).toMatch(/loki_write_batch_retries_total\{host="127.0.0.1:\d+",component_id="loki.write.test",component_path="\/"\} 3/);
  });

  it('drops a batch on 4xx with a counter, and keeps going', async () => {
    const { ctx, comp, receiver } = await setup(loki);
    stops.push(() => comp.stop?.());
    loki.setMode({ kind: 'status', status: 400, times: 1 });
    await receiver.append(entries(3, { job: 'a' }));
    await receiver.append(entries(2, { job: 'a' }, 3));
    expect(loki.totalEntries()).toBe(2);
    const text = await ctx.metrics.getSingleMetricAsString('loki_write_dropped_entries_total');
    expect(text).toMatch(/reason="client_error",component_id="loki.write.test",component_path="\/"\} 3/);
  });

  it('drops after max_backoff_retries', async () => {
    const { ctx, comp, receiver } = await setup(loki, { max_backoff_retries: 2 });
    stops.push(() => comp.stop?.());
    loki.setMode({ kind: 'status', status: 500 });
    await receiver.append(entries(2, { job: 'a' }));
    const text = await ctx.metrics.getSingleMetricAsString('loki_write_dropped_entries_total');
    expect(text).toMatch(/reason="max_retries",component_id="loki.write.test",component_path="\/"\} 2/);
  });

  it('applies backpressure while Loki is down, bounded memory, nothing lost', async () => {
    const { comp, receiver } = await setup(loki, { batch_size: '4KiB', queue_config: { capacity: '64KiB' } });
    stops.push(() => comp.stop?.());
    loki.setMode({ kind: 'down' });
    const maxBuffered = (comp.debugInfo?.() as { endpoints: { max_buffered_bytes: number }[] }).endpoints[0].max_buffered_bytes;
    // Offer far more than the buffer holds, in many appends.
    let resolved = 0;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) pending.push(receiver.append(entries(100, { job: 'bp' }, i * 100)).then(() => void resolved++));
    await new Promise((r) => setTimeout(r, 150));
    const ep = (comp.debugInfo?.() as { endpoints: { queued_bytes: number; waiting_appends: number; inflight_entries: number; inflight_attempts: number }[] }).endpoints[0];
    expect(maxBuffered).toBe(64 * 1024);
    expect(ep.queued_bytes).toBeLessThanOrEqual(maxBuffered);
    expect(resolved).toBe(0);
    // The state a stall report shows: appends waiting for room, a batch being retried.
    expect(ep.waiting_appends).toBeGreaterThan(0);
    expect(ep.inflight_entries).toBeGreaterThan(0);
    expect(ep.inflight_attempts).toBeGreaterThan(0);
    loki.setMode({ kind: 'up' });
    await Promise.all(pending);
    expect(loki.uniqueEntries()).toBe(20_000);
    const lines = loki.streams.get('{job="bp"}')!.entries.map((e) => Number(e.line.slice(5)));
    // In order per stream (retries resend whole batches in order).
    const dedup = lines.filter((v, i) => i === 0 || v > lines[i - 1]);
    expect(dedup.length).toBe(20_000);
  });

  it('rejects pending appends when stopped (no drain)', async () => {
    const { comp, receiver } = await setup(loki, { queue_config: { drain_timeout: 0 } });
    loki.setMode({ kind: 'down' });
    const p = receiver.append(entries(1, { job: 'a' }));
    await new Promise((r) => setTimeout(r, 50));
    await comp.stop?.();
    await expect(p).rejects.toThrow(/stopped/);
  });

  it('rejects a bad url with a clear error', async () => {
    const ctx = makeTestContext({ id: 'loki.write.bad' });
    const comp = lokiWrite.build(ctx, {});
    await expect(Promise.resolve().then(() => comp.update({ endpoint: [{ url: 'not a url' }] }))).rejects.toThrow(/not a valid/);
  });
});
