// One `alloy run` process tailing pod logs (discovery.kubernetes ->
// loki.source.kubernetes -> loki.write): steady state, SIGKILL + restart on
// the same storage path while lines keep coming, container restarts (also
// while the collector is down), and same-timestamp lines across a resume.
// Counted at the Loki receiver: lost lines and raw duplicates (see audit()).
import { jest } from '@jest/globals';
import type { AlloyProcess } from '../lib/alloy-process.js';
import { numbered, streamLines } from './harness.js';
import { audit, producer, sourceInfo, startCollector, startLogsEnv, type LogsEnv } from './cli-harness.js';
import { waitFor } from '../lib/wait.js';

jest.setTimeout(90_000);

describe('logs pipeline in an alloy run process', () => {
  let env: LogsEnv;
  const procs = new Set<AlloyProcess>();
  const start = async (storagePath?: string) => {
    const p = await startCollector(env, { storagePath });
    procs.add(p);
    return p;
  };
  // Tailers exist and have asked for their logs (the emulator answers an empty log's follow only with its first line).
  const following = (p: AlloyProcess, n: number) =>
    waitFor(`${n} streams opened`, async () => {
      const info = await sourceInfo(p);
      return info.streams.length === n && info.streams.every((s) => s.state === 'following' || s.state === 'opening');
    }, { timeoutMs: 30_000 });

  beforeEach(async () => {
    env = await startLogsEnv(6);
  });
  afterEach(async () => {
    for (const p of procs) await p.kill();
    procs.clear();
    await env.close();
  });

  it('steady state: history and live lines of 12 streams, each once and in order, with the stream labels', async () => {
    const { api, loki, streams } = env;
    for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, 0, 50));
    const p = await start();
    await following(p, streams.length);
    let n = 50;
    for (let round = 0; round < 20; round++, n += 10) {
      for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(`${s.pod}/${s.container}`, n, n + 10));
      await new Promise((r) => setTimeout(r, 25));
    }
    await loki.waitFor(() => loki.totalEntries() >= n * streams.length, 30_000, 'every line');
    const a = audit(loki, streams, n);
    expect(a).toEqual({ expected: n * streams.length, lost: 0, rawDuplicates: 0, outOfOrder: 0, unexpected: 0 });
    const labels = [...loki.streams.values()][0].labels;
    expect(Object.keys(labels).sort()).toEqual(['container', 'instance', 'job', 'namespace', 'pod']);
    expect(labels.instance).toBe(`default/${labels.pod}:${labels.container}`);
    // The replica publishes its positions and the streams it holds.
    const cms = api.list('v1', 'ConfigMap', 'default').filter((c) => c.metadata.name.startsWith('alloy-logpos-'));
    expect(cms.length).toBe(1);
    await waitFor('held streams published', () => JSON.parse(api.list('v1', 'ConfigMap', 'default').find((c) => c.metadata.name === cms[0].metadata.name)!.data['held.json']).length === streams.length, { timeoutMs: 5000 });
  });

  it('SIGKILL and restart on the same storage path while lines keep coming: none lost, raw duplicates counted', async () => {
    const { api, loki, streams } = env;
    let p = await start();
    await following(p, streams.length);
    const prod = producer(api, streams, 20); // 250 lines/s per stream, 3000/s in all
    await waitFor('lines flowing', () => loki.totalEntries() > 1500, { timeoutMs: 20_000 });
    await p.kill();
    procs.delete(p);
    const atKill = loki.totalEntries();
    await new Promise((r) => setTimeout(r, 500)); // lines written while no collector runs
    p = await start(p.storagePath);
    await waitFor('lines flowing again', () => loki.totalEntries() > atKill + 1500, { timeoutMs: 30_000 });
    prod.stop();
    const total = prod.count;
    await waitFor('every produced line', () => audit(loki, streams, total).lost === 0, { timeoutMs: 30_000, intervalMs: 200 });
    const a = audit(loki, streams, total);
    console.log(`logs e2e SIGKILL+restart: ${a.expected} lines, lost ${a.lost}, raw duplicates ${a.rawDuplicates}`);
    expect(a.lost).toBe(0);
    expect(a.unexpected).toBe(0);
    expect(a.outOfOrder).toBe(0);
    expect(loki.duplicates()).toBe(a.rawDuplicates); // every duplicate is an exact one (stream, timestamp, line)
    // Only lines pushed after the last positions write before the kill can come again.
    expect(a.rawDuplicates).toBeLessThan(a.expected * 0.02);
  });

  it('container restarts, also while the collector is stopped: lines of every instance, once', async () => {
    const { api, loki } = env;
    const s = { pod: 'app-0', container: 'main' };
    api.logs.append('default', s.pod, s.container, numbered('first', 0, 10));
    let p = await start();
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 10, 30_000, 'first instance');
    api.logs.restartContainer('default', s.pod, s.container);
    api.logs.append('default', s.pod, s.container, numbered('second', 0, 10));
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 20, 30_000, 'second instance');
    expect(await p.stop()).toBe(0);
    procs.delete(p);
    // While no collector runs: the second instance writes more, the container restarts, the third writes.
    api.logs.append('default', s.pod, s.container, numbered('second', 10, 15));
    api.logs.restartContainer('default', s.pod, s.container);
    api.logs.append('default', s.pod, s.container, numbered('third', 0, 5));
    p = await start(p.storagePath);
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 30, 30_000, 'all instances');
    expect(streamLines(loki, 'default', s.pod, s.container)).toEqual([...numbered('first', 0, 10), ...numbered('second', 0, 15), ...numbered('third', 0, 5)]);
    expect(loki.duplicates()).toBe(0);
  });

  it('same-timestamp lines across a resume are delivered exactly once', async () => {
    const { api, loki } = env;
    const s = { pod: 'app-1', container: 'main' };
    const at = new Date(Date.now() - 500);
    // Identical text at one timestamp counts too (a multiset, not a set).
    api.logs.append('default', s.pod, s.container, ['same', 'same', 'other'], [at, at, at]);
    let p = await start();
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 3, 30_000, 'first burst');
    expect(await p.stop()).toBe(0);
    procs.delete(p);
    api.logs.append('default', s.pod, s.container, ['same', 'late'], [at, at]);
    p = await start(p.storagePath);
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 5, 30_000, 'second burst');
    api.logs.append('default', s.pod, s.container, ['after']);
    await loki.waitFor(() => streamLines(loki, 'default', s.pod, s.container).length >= 6, 30_000, 'after');
    expect(streamLines(loki, 'default', s.pod, s.container)).toEqual(['same', 'same', 'other', 'same', 'late', 'after']);
  });
});
