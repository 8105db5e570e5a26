// The batcher: size trigger, timeout trigger, max-size split, per-metadata
// batches and their cardinality limit, flush on stop, with its self-metrics.
import pino from 'pino';
import { Registry } from 'prom-client';
import type { OtelContext, OtelOutput, Traces } from '../pipeline/otel.js';
import { BatchMetrics, Batcher, type BatchArgs } from './batch.js';
import { itemCount } from './model.js';

const traces = (n: number, tag = 't'): Traces => ({
  resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: Array.from({ length: n }, (_, i) => ({ traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, i), name: `${tag}${i}`, attributes: [] })) }] }],
});

function setup(a: Partial<BatchArgs>) {
  const got: { n: number; ctx?: OtelContext }[] = [];
  const sink = { consumeTraces: async (d: Traces, ctx?: OtelContext) => void got.push({ n: itemCount('traces', d), ctx }), consumeMetrics: async () => {}, consumeLogs: async () => {} };
  const out: OtelOutput = { traces: [sink], metrics: [], logs: [] };
  const registry = new Registry();
  const args: BatchArgs = { timeout: 200, send_batch_size: 2000, send_batch_max_size: 3000, metadata_keys: [], metadata_cardinality_limit: 1000, ...a };
  const b = new Batcher(args, out, new BatchMetrics(registry), 'otelcol.processor.batch.t', pino({ level: 'silent' }));
  const metric = async (name: string) => ((await registry.getSingleMetric(name)?.get())?.values ?? []).reduce((s, v) => s + v.value, 0);
  return { b, got, metric };
}

test('a full batch goes out at once, split at send_batch_max_size', async () => {
  const { b, got, metric } = setup({ send_batch_size: 10, send_batch_max_size: 15, timeout: 60_000 });
  await b.consume('traces', traces(6));
  expect(got).toEqual([]);
  await b.consume('traces', traces(20));
  expect(got.map((g) => g.n)).toEqual([15, 11]);
  expect(await metric('otelcol_processor_batch_batch_size_trigger_send_total')).toBe(1);
  await b.stop();
});

test('a partial batch goes out after timeout', async () => {
  const { b, got, metric } = setup({ send_batch_size: 100, timeout: 50 });
  await b.consume('traces', traces(3));
  await b.consume('traces', traces(4));
  expect(got).toEqual([]);
  const deadline = Date.now() + 10_000;
  while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(got.map((g) => g.n)).toEqual([7]);
  expect(await metric('otelcol_processor_batch_timeout_trigger_send_total')).toBe(1);
  await b.stop();
});

test('metadata_keys: one batch per value combination, carrying only those keys; the limit refuses new ones', async () => {
  const { b, got, metric } = setup({ send_batch_size: 5, timeout: 60_000, metadata_keys: ['X-Tenant'], metadata_cardinality_limit: 2 });
  const ctx = (tenant: string): OtelContext => ({ metadata: { 'x-tenant': [tenant], other: ['dropped'] } });
  await b.consume('traces', traces(3), ctx('a'));
  await b.consume('traces', traces(3), ctx('b'));
  expect(got).toEqual([]);
  await b.consume('traces', traces(2), ctx('a'));
  expect(got).toEqual([{ n: 5, ctx: { metadata: { 'x-tenant': ['a'] } } }]);
  await expect(b.consume('traces', traces(1), ctx('c'))).rejects.toThrow(/metadata_cardinality_limit 2/);
  expect(await metric('otelcol_processor_batch_metadata_cardinality')).toBe(2);
  await b.stop();
  expect(got[1]).toEqual({ n: 3, ctx: { metadata: { 'x-tenant': ['b'] } } });
});

test('timeout 0 sends every request right away; stop flushes what is pending', async () => {
  const z = setup({ timeout: 0 });
  await z.b.consume('traces', traces(2));
  expect(z.got.map((g) => g.n)).toEqual([2]);
  const s = setup({ timeout: 60_000 });
  await s.b.consume('traces', traces(4));
  await s.b.stop();
  expect(s.got.map((g) => g.n)).toEqual([4]);
});
