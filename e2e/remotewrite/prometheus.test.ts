// Against the real receiver: Prometheus 2.42 with --web.enable-remote-write-receiver.
// Writes gauges, a histogram-like family and a series ended by a stale
// marker, then reads them back through /api/v1/query and compares.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTestContext, type TestContext } from '../lib/component-context.js';
import { freePort } from '../lib/ports.js';
import { spawnProcess, type SpawnedProcess } from '../lib/spawn.js';
import type { MetricsReceiver, Sample } from '../../src/pipeline/metrics.js';
import { remoteWrite } from '../../src/components/prometheus/remote_write.js';
import type { Component } from '../../src/runtime/types.js';

const PROMETHEUS = '/usr/bin/prometheus';
const have = fs.existsSync(PROMETHEUS);

let prom: SpawnedProcess | undefined;
let base = '';
let tmp = '';
let ctx: TestContext;
let comp: Component | undefined;

beforeAll(async () => {
  if (!have) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rw-prom-'));
  fs.writeFileSync(path.join(tmp, 'prometheus.yml'), 'global: {}\n');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  prom = await spawnProcess(PROMETHEUS, [
    '--web.enable-remote-write-receiver',
    `--storage.tsdb.path=${path.join(tmp, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--config.file=${path.join(tmp, 'prometheus.yml')}`,
    '--log.level=warn',
  ], { name: 'prometheus', ready: { http: `${base}/-/ready` }, readyTimeoutMs: 30_000 });
  ctx = makeTestContext({ id: 'prometheus.remote_write.prom', dataDir: path.join(tmp, 'alloy') });
}, 40_000);

afterAll(async () => {
  await comp?.stop?.();
  await prom?.stop('SIGTERM', 30_000);
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function staleNaN(): number {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(0x7ff0000000000002n);
  return b.readDoubleLE(0);
}

interface VectorResult { metric: Record<string, string>; value: [number, string] }

async function query(q: string, atMs: number): Promise<VectorResult[]> {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${atMs / 1000}`);
  const body = (await r.json()) as { status: string; data: { result: VectorResult[] }; error?: string };
  if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
  return body.data.result;
}

(have ? it : it.skip)('Prometheus 2.42 stores what we send: gauges, a histogram family, a stale marker', async () => {
  const args = {
    external_labels: { cluster: 'e2e' },
    endpoint: [{ url: `${base}/api/v1/write`, name: 'prom', queue_config: { batch_send_deadline: 50 } }],
  };
  comp = remoteWrite.build(ctx, args);
  await comp.update(args);
  const recv = ctx.exports.receiver as MetricsReceiver;

  const t0 = Math.floor(Date.now() / 1000) * 1000 - 60_000;
  const samples: Sample[] = [];
  for (let i = 0; i < 5; i++) {
    const t = t0 + i * 10_000;
    samples.push({ labels: ['__name__', 'rw_gauge', 'instance', 'a', 'job', 'e2e'], t, v: i * 1.5 });
    // A classic histogram as its series family (cumulative buckets, _sum, _count).
    const counts = [1 + i, 3 + 2 * i, 4 + 3 * i];
    for (const [j, le] of ['0.1', '1', '+Inf'].entries()) {
      samples.push({ labels: ['__name__', 'rw_latency_seconds_bucket', 'job', 'e2e', 'le', le], t, v: counts[j]! });
    }
    samples.push({ labels: ['__name__', 'rw_latency_seconds_count', 'job', 'e2e'], t, v: counts[2]! });
    samples.push({ labels: ['__name__', 'rw_latency_seconds_sum', 'job', 'e2e'], t, v: 0.25 * (i + 1) });
    samples.push({ labels: ['__name__', 'rw_going_away', 'job', 'e2e'], t, v: 42 });
  }
  // The series ends: a stale marker after its last sample.
  samples.push({ labels: ['__name__', 'rw_going_away', 'job', 'e2e'], t: t0 + 45_000, v: staleNaN() });
  await recv.append(samples);

  const tLast = t0 + 40_000;
  const deadline = Date.now() + 20_000;
  let gauge: VectorResult[] = [];
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    gauge = await query('rw_gauge', tLast);
    if (gauge.length > 0 && (await query('rw_going_away', t0 + 44_000)).length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(gauge).toHaveLength(1);
  expect(gauge[0]!.metric).toEqual({ __name__: 'rw_gauge', instance: 'a', job: 'e2e', cluster: 'e2e' });
  expect(Number(gauge[0]!.value[1])).toBe(6);

  // Every sample is stored with its exact timestamp and value.
  const range = await query('rw_gauge[1m]', tLast);
  expect((range[0] as unknown as { values: [number, string][] }).values).toEqual(
    [0, 1, 2, 3, 4].map((i) => [(t0 + i * 10_000) / 1000, String(i * 1.5)]),
  );

  const buckets = await query('rw_latency_seconds_bucket', tLast);
  expect(Object.fromEntries(buckets.map((b) => [b.metric.le, Number(b.value[1])]))).toEqual({ '0.1': 5, '1': 11, '+Inf': 16 });
  const q = await query('histogram_quantile(0.5, rw_latency_seconds_bucket)', tLast);
  expect(Number(q[0]!.value[1])).toBeGreaterThan(0.1);
  expect(Number(q[0]!.value[1])).toBeLessThanOrEqual(1);
  expect(Number((await query('rw_latency_seconds_sum', tLast))[0]!.value[1])).toBe(1.25);

  // Before the stale marker the series is there; right after it, it is gone
  // (Prometheus recognised the exact stale NaN bit pattern).
  expect(await query('rw_going_away', t0 + 44_000)).toHaveLength(1);
  expect(await query('rw_going_away', t0 + 46_000)).toHaveLength(0);
}, 60_000);
