// loki.write's write-ahead log in an `alloy run` process: with Loki down the
// pipeline keeps reading (an entry is acknowledged once it is on disk, so the
// source's positions move on), then the process is SIGKILLed. The restarted
// process resumes the source after those lines, so only the WAL can still
// deliver them: once Loki is back, every produced line must arrive.
import { jest } from '@jest/globals';
import type { AlloyProcess } from '../lib/alloy-process.js';
import { audit, metric, producer, sourceInfo, startCollector, startLogsEnv, type LogsEnv } from './cli-harness.js';
import { waitFor } from '../lib/wait.js';

jest.setTimeout(120_000);

const WAL = `  wal {
    enabled            = true
    min_read_frequency = "20ms"
    max_read_frequency = "200ms"
    drain_timeout      = "1s"
  }
`;

describe('loki.write wal in an alloy run process', () => {
  let env: LogsEnv;
  const procs = new Set<AlloyProcess>();

  beforeAll(async () => {
    env = await startLogsEnv(2);
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await env?.close();
  });

  it('lines acknowledged while Loki is down survive a SIGKILL and arrive after the restart', async () => {
    const { api, loki, streams } = env;
    let p = await startCollector(env, { writeExtra: WAL });
    procs.add(p);
    await waitFor('streams opened', async () => (await sourceInfo(p)).streams.length === streams.length, { timeoutMs: 30_000 });
    const prod = producer(api, streams, 20);
    await waitFor('lines flowing', () => loki.totalEntries() > 500, { timeoutMs: 20_000 });
    loki.setMode({ kind: 'down' });
    const atDown = loki.totalEntries();
    const readAtDown = await metric(p, 'loki_source_kubernetes_entries_total');
    // The source keeps going while Loki is down: its appends are acknowledged by the WAL.
    await waitFor('lines read while Loki is down', async () => (await metric(p, 'loki_source_kubernetes_entries_total')) > readAtDown + 1000, { timeoutMs: 20_000 });
    const readWhileDown = (await metric(p, 'loki_source_kubernetes_entries_total')) - readAtDown;
    await p.kill();
    procs.delete(p);
    prod.stop();
    const total = prod.count;
    expect(loki.totalEntries()).toBe(atDown); // really down: those lines are on disk only
    loki.setMode({ kind: 'up' });
    p = await startCollector(env, { storagePath: p.storagePath, writeExtra: WAL });
    procs.add(p);
    await waitFor('every produced line', () => audit(loki, streams, total).lost === 0, { timeoutMs: 60_000, intervalMs: 250 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${JSON.stringify(audit(loki, streams, total))}`);
    });
    const a = audit(loki, streams, total);
    console.log(`logs e2e wal + SIGKILL: ${a.expected} lines, ${readWhileDown} read and acknowledged while Loki was down, lost ${a.lost}, raw duplicates ${a.rawDuplicates}`);
    expect(a.lost).toBe(0);
    expect(a.unexpected).toBe(0);
  });
});
