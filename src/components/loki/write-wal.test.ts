// loki.write with `wal { enabled = true }`: an append is acknowledged once it
// is on disk, even while Loki is down, and a restart (graceful, or from a copy
// of the disk taken right after the acknowledgements, as a crash leaves it)
// delivers every acknowledged entry, without re-sending what was delivered.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLokiReceiver, type LokiReceiver } from '../../sandbox/receivers/loki-receiver.js';
import { lokiWrite, type LokiWriteArgs } from './write.js';
import { makeTestContext } from '../../../e2e/lib/component-context.js';
import type { LogEntry, LogsReceiver } from '../../pipeline/logs.js';
import type { Component } from '../../runtime/types.js';

const T0 = 1_700_000_000_000_000_000n;

function entries(n: number, labels: Record<string, string>, from = 0): LogEntry[] {
  return Array.from({ length: n }, (_, i) => ({ labels, ts: T0 + BigInt(from + i), line: `line ${from + i}` }));
}

async function start(dataDir: string, loki: LokiReceiver, wal: LokiWriteArgs['wal'] = {}): Promise<{ comp: Component<LokiWriteArgs>; receiver: LogsReceiver }> {
  const ctx = makeTestContext({ id: 'loki.write.wal', dataDir });
  const args: LokiWriteArgs = {
    endpoint: [{ url: loki.url, batch_wait: 20, min_backoff_period: 10, max_backoff_period: 50, max_backoff_retries: 0 }],
    wal: { enabled: true, min_read_frequency: 10, max_read_frequency: 100, drain_timeout: 200, ...wal },
  };
  const comp = lokiWrite.build(ctx, args);
  await comp.update(args);
  return { comp, receiver: ctx.exports.receiver as LogsReceiver };
}

describe('loki.write wal', () => {
  let loki: LokiReceiver;
  beforeEach(async () => {
    loki = await startLokiReceiver();
  });
  afterEach(async () => {
    await loki.close();
  });

  it('acknowledges while Loki is down and delivers everything after a restart (graceful and crash image)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-wal-'));
    loki.setMode({ kind: 'down' });
    const a = await start(dir, loki);
    for (let i = 0; i < 5; i++) await a.receiver.append(entries(20, { job: 'wal' }, i * 20));
    // Every append above resolved with Loki down: the entries are on disk only.
    expect(loki.totalEntries()).toBe(0);
    const crash = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-crash-'));
    fs.cpSync(dir, crash, { recursive: true });
    await a.comp.stop!();
    loki.setMode({ kind: 'up' });

    const b = await start(crash, loki);
    await loki.waitFor(() => loki.uniqueEntries() === 100, 20_000, '100 entries from the crash image');
    const lines = loki.streams.get('{job="wal"}')!.entries.map((e) => Number(e.line.slice(5)));
    expect(lines.filter((v, i) => lines.indexOf(v) === i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await b.comp.stop!();

    loki.streams.clear();
    const c = await start(dir, loki);
    await loki.waitFor(() => loki.uniqueEntries() === 100, 20_000, '100 entries after the graceful stop');
    await c.comp.stop!();
  }, 60_000);

  it('does not re-send entries delivered before the restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-wal-'));
    const a = await start(dir, loki);
    await a.receiver.append(entries(10, { job: 'once' }));
    await loki.waitFor(() => loki.totalEntries() === 10, 20_000, 'first 10');
    await a.comp.stop!();
    const b = await start(dir, loki);
    await b.receiver.append(entries(1, { job: 'once' }, 10));
    // The new entry is read after every older record: once it is there, a re-send would be too.
    await loki.waitFor(() => loki.uniqueEntries() === 11, 20_000, 'the 11th entry');
    expect(loki.totalEntries()).toBe(11);
    await b.comp.stop!();
  }, 60_000);

  it('drain_timeout: stop delivers what the WAL holds when Loki comes back in time, and is bounded when it does not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-wal-'));
    loki.setMode({ kind: 'down' });
    const a = await start(dir, loki, { drain_timeout: 20_000 });
    await a.receiver.append(entries(5, { job: 'drain' }));
    setTimeout(() => loki.setMode({ kind: 'up' }), 300);
    await a.comp.stop!();
    expect(loki.uniqueEntries()).toBe(5);

    loki.setMode({ kind: 'down' });
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-wal-'));
    const b = await start(dirB, loki, { drain_timeout: 300 });
    await b.receiver.append(entries(5, { job: 'bounded' }));
    const t = Date.now();
    await b.comp.stop!();
    expect(Date.now() - t).toBeLessThan(10_000);
    expect(loki.streams.has('{job="bounded"}')).toBe(false);
    // Not drained in time: still on disk for the next start.
    loki.setMode({ kind: 'up' });
    const c = await start(dirB, loki);
    await loki.waitFor(() => loki.streams.get('{job="bounded"}')?.entries.length === 5, 20_000, 'the undrained entries');
    await c.comp.stop!();
  }, 60_000);
});
