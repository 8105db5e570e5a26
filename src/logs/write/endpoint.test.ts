// Regression guard for a stalled pipeline: loki.write's bounded queue must
// never lose a wake-up. Many concurrent appenders (as tailers are), appends
// larger than the buffer, a tiny buffer, and Loki dropping connections in
// between: every append must settle, in order per stream, nothing lost.
import fc from 'fast-check';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startLokiReceiver, type LokiReceiver } from '../../sandbox/receivers/loki-receiver.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { EndpointClient } from './endpoint.js';
import { writeMetrics } from './write-metrics.js';

const T0 = 1_700_000_000_000_000_000n;

describe('loki.write endpoint queue under contention', () => {
  let loki: LokiReceiver;
  beforeAll(async () => {
    loki = await startLokiReceiver();
  });
  afterAll(async () => {
    await loki.close();
  });

  it('every append settles, in order, with nothing lost (random appenders, sizes and outages)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          appenders: fc.integer({ min: 1, max: 12 }),
          appends: fc.integer({ min: 1, max: 12 }),
          maxLines: fc.integer({ min: 1, max: 40 }),
          lineBytes: fc.integer({ min: 1, max: 3000 }),
          maxBuffered: fc.integer({ min: 512, max: 16_384 }),
          batchSize: fc.integer({ min: 256, max: 8192 }),
          outage: fc.boolean(),
        }),
        async (c) => {
          loki.streams.clear();
          loki.setMode({ kind: 'up' });
          const ep = new EndpointClient(
            { url: loki.url, batch_wait: 5, batch_size: c.batchSize, min_backoff_period: 5, max_backoff_period: 20, max_backoff_retries: 100_000 },
            { externalLabels: {}, logger: pino({ level: 'silent' }), metrics: writeMetrics(new Registry()), componentId: 'loki.write.stress', maxBufferedBytes: c.maxBuffered },
          );
          let expected = 0;
          const run = async (a: number) => {
            const labels = { appender: String(a) };
            let n = 0;
            for (let i = 0; i < c.appends; i++) {
              const count = 1 + ((a * 7 + i * 13) % c.maxLines);
              const batch: LogEntry[] = Array.from({ length: count }, () => ({ labels, ts: T0 + BigInt(n), line: `${n++} ${'x'.repeat(c.lineBytes)}` }));
              expected += count;
              // As a tailer does: the next batch only after the previous was accepted... or not (half of them pipeline).
              if (a % 2 === 0) await ep.append(batch);
              else void ep.append(batch);
            }
            await ep.append([{ labels, ts: T0 + BigInt(n), line: `${n++} last` }]);
            expected += 1;
          };
          const outage = c.outage ? setTimeout(() => (loki.setMode({ kind: 'down' }), setTimeout(() => loki.setMode({ kind: 'up' }), 60)), 10) : undefined;
          // A stall shows up as this race losing.
          let timer: NodeJS.Timeout | undefined;
          const stalled = new Promise<string>((r) => (timer = setTimeout(() => r(`stalled: queued ${ep.queuedBytes} bytes, last error ${ep.lastError}`), 15_000)));
          const done = Promise.all(Array.from({ length: c.appenders }, (_, a) => run(a))).then(() => 'done');
          const outcome = await Promise.race([done, stalled]);
          clearTimeout(timer);
          clearTimeout(outage);
          loki.setMode({ kind: 'up' });
          await ep.stop();
          expect(outcome).toBe('done');
          let got = 0;
          for (const s of loki.streams.values()) {
            const nums = s.entries.map((e) => Number(e.line.slice(0, e.line.indexOf(' '))));
            // In order per stream; retries may repeat a batch (duplicates) but never reorder or skip.
            const firsts = nums.filter((v, i) => nums.indexOf(v) === i);
            expect(firsts).toEqual(firsts.map((_, i) => i));
            got += firsts.length;
          }
          expect(got).toBe(expected);
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
