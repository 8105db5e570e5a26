// loki.source.kubernetes -> loki.process -> loki.write in one process,
// against the Kubernetes API emulator and our Loki receiver.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubeEmulator, type KubeEmulator } from '../../src/sandbox/kube/index.js';
import { startLokiReceiver, type LokiReceiver } from '../../src/sandbox/receivers/loki-receiver.js';
import { makeTestContext } from '../lib/component-context.js';
import { lokiSourceKubernetes } from '../../src/components/loki/source/kubernetes.js';
import { lokiWrite } from '../../src/components/loki/write.js';
import { lokiProcess } from '../../src/components/loki/process.js';
import type { LogsReceiver } from '../../src/pipeline/logs.js';
import type { Component } from '../../src/runtime/types.js';
import { numbered, runningPod, streamLines, targetsFor } from './harness.js';

import { jest } from '@jest/globals';
import { loadKubeClient } from '../../src/kube/client.js';
jest.setTimeout(60_000);
// The documented tuning variables (docs/components/loki.source.kubernetes.md); jest gives each test file its own process.env.
Object.assign(process.env, {
  ALLOY_LOGS_TAIL_MIN_BACKOFF: '50ms',
  ALLOY_LOGS_TAIL_MAX_BACKOFF: '500ms',
  ALLOY_LOGS_TAIL_DRAIN_TIMEOUT: '2s',
  ALLOY_LOGS_POSITIONS_SHARED_INTERVAL: '100ms',
  ALLOY_LOGS_POSITIONS_NAMESPACE: 'default',
});

interface Pipeline {
  source: Component;
  write: Component;
  sourceCtx: ReturnType<typeof makeTestContext>;
  writeCtx: ReturnType<typeof makeTestContext>;
  stop(): Promise<void>;
}

async function pipeline(api: KubeEmulator, loki: LokiReceiver, targets: Record<string, string>[], dataDir: string, writeExtra: Record<string, unknown> = {}): Promise<Pipeline> {
  const writeCtx = makeTestContext({ id: 'loki.write.default' });
  const writeArgs = { endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 20, max_backoff_period: 200, max_backoff_retries: 1000, ...writeExtra }] };
  const write = lokiWrite.build(writeCtx, writeArgs);
  await write.update(writeArgs);
  const procCtx = makeTestContext({ id: 'loki.process.p' });
  const procArgs = { forward_to: [writeCtx.exports.receiver as LogsReceiver] };
  Object.defineProperty(procArgs, '_blocks', { value: [{ name: 'stage.static_labels', value: { values: { cluster: 'e2e' } } }] });
  const proc = lokiProcess.build(procCtx, procArgs as never);
  await proc.update(procArgs as never);
  const sourceCtx = makeTestContext({ id: 'loki.source.kubernetes.pods', dataDir });
  const srcArgs = { targets, forward_to: [procCtx.exports.receiver as LogsReceiver], client: { api_server: api.url } };
  const source = lokiSourceKubernetes.build(sourceCtx, srcArgs);
  await source.update(srcArgs);
  return {
    source,
    write,
    sourceCtx,
    writeCtx,
    async stop() {
      await source.stop?.();
      await write.stop?.();
    },
  };
}

describe('loki.source.kubernetes e2e (in process)', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let api: KubeEmulator;
  let loki: LokiReceiver;
  let dataDir: string;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    api = await startKubeEmulator();
    loki = await startLokiReceiver();
    dataDir = mkdtempSync(join(tmpdir(), 'logs-e2e-'));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    await loki.close();
    await api.close();
  });

  it('steady state: every line of 40 streams, in order, once, with the stream labels', async () => {
    const pods = Array.from({ length: 20 }, (_, i) => runningPod('default', `web-${i}`, ['app', 'sidecar']));
    pods.forEach((p, i) => (pods[i] = api.apply(p)));
    const streams = pods.flatMap((p) => p.spec.containers.map((c: { name: string }) => ({ pod: p.metadata.name, container: c.name })));
    // Some history before the collector starts, the rest while it follows.
    for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, 0, 50));
    const p = await pipeline(api, loki, pods.flatMap(targetsFor), dataDir);
    cleanups.push(() => p.stop());
    for (let round = 1; round < 4; round++) {
      for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, round * 50, (round + 1) * 50));
      await new Promise((r) => setTimeout(r, 30));
    }
    await loki.waitFor(() => loki.totalEntries() >= streams.length * 200, 20_000, 'all lines');
    for (const s of streams) expect(streamLines(loki, 'default', s.pod, s.container)).toEqual(numbered(`${s.pod}/${s.container}`, 0, 200));
    expect(loki.duplicates()).toBe(0);
    const one = [...loki.streams.values()][0].labels;
    expect(Object.keys(one).sort()).toEqual(['app', 'cluster', 'container', 'instance', 'job', 'namespace', 'pod']);
    expect(one.job).toBe(`default/${one.container}`);
    expect(one.instance).toBe(`default/${one.pod}:${one.container}`);
  });

  it('container restart: lines of both instances, including a restart while stopped', async () => {
    const pod = api.apply(runningPod('default', 'crashy', ['main']));
    api.logs.append('default', 'crashy', 'main', numbered('first', 0, 10));
    let p = await pipeline(api, loki, targetsFor(pod), dataDir);
    await loki.waitFor(() => loki.totalEntries() >= 10, 10_000, 'first instance');
    api.logs.restartContainer('default', 'crashy', 'main');
    api.logs.append('default', 'crashy', 'main', numbered('second', 0, 10));
    await loki.waitFor(() => loki.totalEntries() >= 20, 10_000, 'second instance');
    // Stop the collector; the container writes, restarts and writes again meanwhile.
    await p.stop();
    api.logs.append('default', 'crashy', 'main', numbered('second', 10, 15));
    api.logs.restartContainer('default', 'crashy', 'main');
    api.logs.append('default', 'crashy', 'main', numbered('third', 0, 5));
    p = await pipeline(api, loki, targetsFor(pod), dataDir);
    cleanups.push(() => p.stop());
    await loki.waitFor(() => loki.totalEntries() >= 30, 10_000, 'all instances');
    expect(streamLines(loki, 'default', 'crashy', 'main')).toEqual([...numbered('first', 0, 10), ...numbered('second', 0, 15), ...numbered('third', 0, 5)]);
    expect(loki.duplicates()).toBe(0);
  });

  it('same-timestamp lines across a resume are delivered exactly once', async () => {
    const pod = api.apply(runningPod('default', 'burst', ['main']));
    const at = new Date(Date.now() - 500);
    // Identical text at one timestamp counts too (a multiset, not a set).
    api.logs.append('default', 'burst', 'main', ['same', 'same', 'other'], [at, at, at]);
    let p = await pipeline(api, loki, targetsFor(pod), dataDir);
    await loki.waitFor(() => loki.totalEntries() >= 3, 10_000, 'first burst');
    await p.stop();
    api.logs.append('default', 'burst', 'main', ['same', 'late'], [at, at]);
    p = await pipeline(api, loki, targetsFor(pod), dataDir);
    cleanups.push(() => p.stop());
    await loki.waitFor(() => loki.totalEntries() >= 5, 10_000, 'second burst');
    api.logs.append('default', 'burst', 'main', ['after']);
    await loki.waitFor(() => loki.totalEntries() >= 6, 10_000, 'after');
    expect(streamLines(loki, 'default', 'burst', 'main')).toEqual(['same', 'same', 'other', 'same', 'late', 'after']);
    // The same-timestamp lines were re-read from the whole second (sinceTime precision) and skipped.
    expect(await p.sourceCtx.metrics.getSingleMetricAsString('loki_source_kubernetes_resume_skipped_total')).toMatch(/} [1-9]/);
  });

  it('Loki down for 5 s: tailers pause, memory stays bounded, nothing is lost', async () => {
    const pods = Array.from({ length: 4 }, (_, i) => runningPod('default', `busy-${i}`, ['main']));
    pods.forEach((p, i) => (pods[i] = api.apply(p)));
    const p = await pipeline(api, loki, pods.flatMap(targetsFor), dataDir, { batch_size: '16KiB' });
    cleanups.push(() => p.stop());
    loki.setMode({ kind: 'down' });
    const info = () => (p.write.debugInfo?.() as { endpoints: { queued_bytes: number; max_buffered_bytes: number }[] }).endpoints[0];
    let maxQueued = 0;
    const until = Date.now() + 5000;
    let n = 0;
    while (Date.now() < until) {
      for (const pod of pods) api.logs.append('default', pod.metadata.name, 'main', numbered('x'.repeat(200), n, n + 200));
      n += 200;
      maxQueued = Math.max(maxQueued, info().queued_bytes);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(maxQueued).toBeLessThanOrEqual(info().max_buffered_bytes);
    loki.setMode({ kind: 'up' });
    await loki.waitFor(() => loki.uniqueEntries() >= n * pods.length, 60_000, 'backlog after Loki came back');
    for (const pod of pods) expect(streamLines(loki, 'default', pod.metadata.name, 'main').filter((l, i, a) => a.indexOf(l) === i)).toEqual(numbered('x'.repeat(200), 0, n));
  });

  it('pod deletion finishes the stream after its last lines', async () => {
    const pod = api.apply(runningPod('default', 'short', ['main']));
    api.logs.append('default', 'short', 'main', numbered('bye', 0, 5));
    const p = await pipeline(api, loki, targetsFor(pod), dataDir);
    cleanups.push(() => p.stop());
    await loki.waitFor(() => loki.totalEntries() >= 5, 10_000, 'lines');
    api.remove('v1', 'Pod', 'default', 'short');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (p.source.debugInfo?.() as { finished: string[] }).finished.length === 0) await new Promise((r) => setTimeout(r, 20));
    expect((p.source.debugInfo?.() as { finished: string[] }).finished).toEqual(['default/short:main']);
  });
});
