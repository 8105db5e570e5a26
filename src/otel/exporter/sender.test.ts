// The exporter's queue and retries against a scripted transport: backoff with
// OTel's multiplier (no jitter here), permanent errors not retried, the queue
// refusing or blocking when full, wait_for_result, num_consumers in parallel.
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Traces } from '../../pipeline/otel.js';
import { QUEUE_DEFAULTS, RETRY_DEFAULTS, type QueueArgs, type RetryArgs } from '../config-schema.js';
import { ExportError, type ExportTransport } from './export-error.js';
import { ExporterMetrics } from './exporter-metrics.js';
import { ExportSender } from './sender.js';

const traces = (n: number): Traces => ({ resourceSpans: [{ scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, i), name: 's', attributes: [] })) }] }] });

function setup(script: (attempt: number) => Promise<void>, queue: Partial<QueueArgs>, retry: Partial<RetryArgs>) {
  const attempts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: ExportTransport = {
    async export() {
      attempts.push(Date.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await script(attempts.length);
      } finally {
        inFlight--;
      }
    },
    close() {},
  };
  const registry = new Registry();
  const metrics = new ExporterMetrics(registry, 'otelcol.exporter.otlp.t');
  const sender = new ExportSender(transport, { queue: { ...QUEUE_DEFAULTS, ...queue }, retry: { ...RETRY_DEFAULTS, ...retry }, timeoutMs: 1_000 }, metrics, pino({ level: 'silent' }));
  const value = async (name: string) => ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((s, v) => s + v.value, 0);
  return { sender, attempts, value, maxInFlight: () => maxInFlight };
}

test('retries a retryable failure with growing waits, then succeeds and counts the items sent', async () => {
  const s = setup(async (n) => { if (n < 4) throw new ExportError('unavailable', true); }, { enabled: false }, { initial_interval: 40, multiplier: 2, randomization_factor: 0, max_interval: 1_000 });
  await s.sender.send('traces', traces(5));
  expect(s.attempts).toHaveLength(4);
  const gaps = s.attempts.slice(1).map((t, i) => t - s.attempts[i]);
  // 40, 80, 160 ms (timers may be late, never early).
  expect(gaps[0]).toBeGreaterThanOrEqual(38);
  expect(gaps[1]).toBeGreaterThanOrEqual(78);
  expect(gaps[2]).toBeGreaterThanOrEqual(158);
  expect(gaps[2]).toBeGreaterThan(gaps[0]);
  expect(await s.value('otelcol_exporter_sent_spans_total')).toBe(5);
  await s.sender.stop();
});

test("the server's retry delay is a floor under the backoff (max of the two), as in the Collector", async () => {
  // Backoff 200 ms, server asks 20 ms: waits 200. Then backoff 400 ms, server asks 600 ms: waits 600.
  const s = setup(async (n) => { if (n < 3) throw new ExportError('throttled', true, n === 1 ? 20 : 600); }, { enabled: false }, { initial_interval: 200, multiplier: 2, randomization_factor: 0, max_interval: 10_000 });
  await s.sender.send('traces', traces(1));
  expect(s.attempts).toHaveLength(3);
  const gaps = s.attempts.slice(1).map((t, i) => t - s.attempts[i]);
  expect(gaps[0]).toBeGreaterThanOrEqual(195);
  expect(gaps[1]).toBeGreaterThanOrEqual(595);
  await s.sender.stop();
});

test('a permanent error is dropped at once; max_elapsed_time bounds retries; retry disabled tries once', async () => {
  const p = setup(async () => { throw new ExportError('bad request', false); }, { enabled: false }, { initial_interval: 10 });
  await expect(p.sender.send('traces', traces(2))).rejects.toThrow(/not retryable; 2 items dropped/);
  expect(p.attempts).toHaveLength(1);
  expect(await p.value('otelcol_exporter_send_failed_spans_total')).toBe(2);
  const e = setup(async () => { throw new Error('connection refused'); }, { enabled: false }, { initial_interval: 20, multiplier: 1.5, randomization_factor: 0, max_interval: 50, max_elapsed_time: 300 });
  await expect(e.sender.send('traces', traces(1))).rejects.toThrow(/no more retries left/);
  expect(e.attempts.length).toBeGreaterThan(2);
  // No retry is scheduled past max_elapsed_time; a timer may fire a little late on a loaded machine.
  expect(e.attempts.at(-1)! - e.attempts[0]).toBeLessThanOrEqual(300 + 150);
  expect(e.attempts.length).toBeLessThan(12); // 20, 30, 45, 50, 50, ... ms waits: at most ~8 fit in 300 ms
  const d = setup(async () => { throw new Error('down'); }, { enabled: false }, { enabled: false });
  await expect(d.sender.send('traces', traces(1))).rejects.toThrow(/retry_on_failure disabled/);
  expect(d.attempts).toHaveLength(1);
});

test('a full queue refuses (counted) or, with block_on_overflow, waits for room', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const s = setup(() => gate, { num_consumers: 1, queue_size: 2 }, {});
  await s.sender.send('traces', traces(1)); // taken by the worker
  await new Promise((r) => setTimeout(r, 20));
  await s.sender.send('traces', traces(1));
  await s.sender.send('traces', traces(1));
  await expect(s.sender.send('traces', traces(3))).rejects.toThrow(/sending queue is full/);
  expect(await s.value('otelcol_exporter_enqueue_failed_spans_total')).toBe(3);
  expect(await s.value('otelcol_exporter_queue_size')).toBe(2);
  expect(await s.value('otelcol_exporter_queue_capacity')).toBe(2);
  release();
  await s.sender.stop();
  expect(await s.value('otelcol_exporter_sent_spans_total')).toBe(3);

  let release2!: () => void;
  const gate2 = new Promise<void>((r) => (release2 = r));
  const b = setup(() => gate2, { num_consumers: 1, queue_size: 1, block_on_overflow: true }, {});
  await b.sender.send('traces', traces(1));
  await new Promise((r) => setTimeout(r, 20));
  await b.sender.send('traces', traces(1));
  let third = false;
  const p = b.sender.send('traces', traces(1)).then(() => (third = true));
  await new Promise((r) => setTimeout(r, 50));
  expect(third).toBe(false);
  release2();
  await p;
  expect(third).toBe(true);
  await b.sender.stop();
});

test('items sizer, wait_for_result, and num_consumers sending in parallel', async () => {
  const w = setup(async () => { throw new ExportError('nope', false); }, { wait_for_result: true }, {});
  await expect(w.sender.send('traces', traces(1))).rejects.toThrow(/nope/);
  await w.sender.stop();

  const i = setup(() => new Promise(() => {}), { num_consumers: 1, queue_size: 5, sizer: 'items' }, {});
  await i.sender.send('traces', traces(1));
  await new Promise((r) => setTimeout(r, 20));
  await i.sender.send('traces', traces(4));
  await expect(i.sender.send('traces', traces(2))).rejects.toThrow(/queue_size 5 items/);

  const par = setup(() => new Promise((r) => setTimeout(r, 100)), { num_consumers: 3 }, {});
  await Promise.all([1, 2, 3, 4, 5, 6].map(() => par.sender.send('traces', traces(1))));
  await par.sender.stop();
  expect(par.maxInFlight()).toBe(3);
});
