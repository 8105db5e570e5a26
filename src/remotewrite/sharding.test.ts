import { desiredShards, labelsHash } from './sharding.js';
import { Shard, type QueuedBatch, type ShardHost } from './shard.js';
import { SeriesEntry } from './write-request.js';

describe('desiredShards', () => {
  const base = { current: 1, min: 1, max: 50, inRate: 0, timePerSample: 0, backlog: 0, failing: false };

  it('keeps the count while nothing was measured', () => {
    expect(desiredShards({ ...base, current: 3, inRate: 1e6 })).toBe(3);
  });

  it('scales with incoming rate times send cost, within min/max', () => {
    // 10k samples/s at 1 ms per 10 samples (0.1 ms/sample) needs 1 s of sending per s: 1 shard.
    expect(desiredShards({ ...base, inRate: 10_000, timePerSample: 0.0001 })).toBe(1);
    expect(desiredShards({ ...base, inRate: 100_000, timePerSample: 0.0001 })).toBe(10);
    expect(desiredShards({ ...base, inRate: 10_000_000, timePerSample: 0.0001 })).toBe(50);
    expect(desiredShards({ ...base, current: 8, min: 2, inRate: 1, timePerSample: 0.0001 })).toBe(2);
  });

  it('adds shards for a backlog and holds still within the tolerance band', () => {
    expect(desiredShards({ ...base, inRate: 1000, timePerSample: 0.001, backlog: 300_000 })).toBe(11);
    expect(desiredShards({ ...base, current: 10, inRate: 11_000, timePerSample: 0.001 })).toBe(10);
  });

  it('does not reshard while sends fail', () => {
    expect(desiredShards({ ...base, current: 2, inRate: 1e6, timePerSample: 0.001, failing: true })).toBe(2);
  });
});

describe('labelsHash', () => {
  it('is stable and separates name/value boundaries', () => {
    expect(labelsHash(['a', 'b'])).toBe(labelsHash(['a', 'b']));
    expect(labelsHash(['a', 'bc'])).not.toBe(labelsHash(['ab', 'c']));
  });
});

describe('Shard', () => {
  function host(maxPerSend: number, deadline: number) {
    const sent: QueuedBatch[] = [];
    let release: (() => void) | undefined;
    const h: ShardHost & { sent: QueuedBatch[]; gate: boolean; open(): void } = {
      maxSamplesPerSend: maxPerSend,
      batchDeadlineMs: deadline,
      sent,
      gate: false,
      open: () => release?.(),
      async sendBatch(b) {
        sent.push(b);
        if (h.gate) await new Promise<void>((r) => (release = r));
        return true;
      },
      batchDone: () => undefined,
    };
    return h;
  }
  const entry = { seg: 1, end: 0, remaining: 1 };
  const s = new SeriesEntry(['a', '1']);

  it('sends full batches at once, in order, one in flight at a time', async () => {
    const h = host(3, 60_000);
    h.gate = true;
    const shard = new Shard(h);
    for (let i = 0; i < 7; i++) shard.push(s, i, i, entry);
    expect(h.sent).toHaveLength(1); // the second full batch waits for the first
    h.gate = false;
    h.open();
    await shard.drain();
    expect(h.sent.map((b) => Array.from(b.t))).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    shard.stop();
  });

  it('sends a partial batch when the deadline passes', async () => {
    const h = host(100, 20);
    const shard = new Shard(h);
    shard.push(s, 1, 1, entry);
    shard.push(s, 2, 2, entry);
    const started = Date.now();
    await new Promise<void>((r) => {
      const poll = setInterval(() => {
        if (h.sent.length > 0 || Date.now() - started > 2000) {
          clearInterval(poll);
          r();
        }
      }, 5);
    });
    expect(h.sent.map((b) => Array.from(b.t))).toEqual([[1, 2]]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    shard.stop();
  });
});
