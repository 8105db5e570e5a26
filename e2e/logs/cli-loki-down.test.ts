// Loki unreachable for 30 s under a steady load (4 streams x 1000 lines/s of
// 200 bytes, ~24 MB while it is down) against one `alloy run` process:
// loki.write keeps at most its queue (queue_config.capacity, Alloy's 10 MiB), the
// tailers stop reading (the rest waits in the kubelet's log), the process's
// memory stays flat, and once Loki is back every line arrives, none lost.
import { jest } from '@jest/globals';
import type { AlloyProcess } from '../lib/alloy-process.js';
import { numbered } from './harness.js';
import { audit, metric, pipelineState, sourceInfo, startCollector, startLogsEnv, type LogsEnv } from './cli-harness.js';
import { waitFor } from '../lib/wait.js';

jest.setTimeout(90_000);

const DOWN_MS = 30_000;
const PAD = 'x'.repeat(190);

describe('Loki down for 30 s', () => {
  let env: LogsEnv;
  let p: AlloyProcess | undefined;

  beforeAll(async () => {
    env = await startLogsEnv(2);
  });
  afterAll(async () => {
    await p?.kill();
    await env?.close();
  });

  it('memory stays bounded and nothing is lost', async () => {
    const { api, loki } = env;
    const streams = env.streams; // 4
    p = await startCollector(env, { endpointExtra: '    batch_size          = "64KiB"\n' });
    await waitFor('streams opened', async () => (await sourceInfo(p!)).streams.length === streams.length, { timeoutMs: 30_000 });
    const prefix = (s: { pod: string; container: string }) => `${s.pod}/${s.container} ${PAD}`;
    let n = 0;
    const tick = () => {
      for (const s of streams) api.logs.append('default', s.pod, s.container, numbered(prefix(s), n, n + 100));
      n += 100;
    };
    const timer = setInterval(tick, 100);
    try {
      await waitFor('lines flowing', () => loki.totalEntries() > 2000, { timeoutMs: 20_000 });
      const rssBefore = await metric(p, 'process_resident_memory_bytes');
      loki.setMode({ kind: 'down' });
      const downAt = Date.now();
      const atDown = loki.totalEntries();
      const nAtDown = n;
      let maxBuffered = 0;
      let maxRss = 0;
      // Sample once a second while Loki is down (bounded: DOWN_MS / 1000 rounds).
      for (let i = 0; i < DOWN_MS / 1000 && Date.now() - downAt < DOWN_MS; i++) {
        await new Promise((r) => setTimeout(r, 1000));
        maxBuffered = Math.max(maxBuffered, await metric(p, 'loki_write_buffered_bytes'));
        maxRss = Math.max(maxRss, await metric(p, 'process_resident_memory_bytes'));
      }
      const producedWhileDown = (n - nAtDown) * streams.length * (prefix(streams[0]).length + 6); // bytes of lines written while Loki was down
      expect(loki.totalEntries()).toBe(atDown); // really down
      loki.setMode({ kind: 'up' });
      const upAt = Date.now();
      await new Promise((r) => setTimeout(r, 1000));
      clearInterval(timer);
      const total = n;
      await waitFor('every produced line', () => audit(loki, streams, total, prefix).lost === 0, { timeoutMs: 45_000, intervalMs: 250 }).catch(async (err: Error) => {
        throw new Error(`${err.message}\n${JSON.stringify(audit(loki, streams, total, prefix))}\n${await pipelineState(p!)}`);
      });
      const caughtUpMs = Date.now() - upAt;
      const r = audit(loki, streams, total, prefix);
      console.log(
        `logs e2e Loki down ${DOWN_MS / 1000} s: ${r.expected} lines (~${(producedWhileDown / 1e6).toFixed(1)} MB produced meanwhile), lost ${r.lost}, raw duplicates ${r.rawDuplicates}; ` +
          `loki.write buffer max ${(maxBuffered / 1024).toFixed(0)} KiB; RSS ${(rssBefore / 1e6).toFixed(0)} -> max ${(maxRss / 1e6).toFixed(0)} MB; caught up ${caughtUpMs} ms after Loki came back`,
      );
      expect(r.lost).toBe(0);
      expect(r.unexpected).toBe(0);
      expect(r.outOfOrder).toBe(0);
      expect(maxBuffered).toBeLessThanOrEqual(10 << 20); // queue_config.capacity's default
      // Bounded: far below what was produced while Loki was down.
      expect(maxRss - rssBefore).toBeLessThan(40e6);
    } finally {
      clearInterval(timer);
    }
  });
});
