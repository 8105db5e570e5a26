// Scrape worker thread entry. Holds the per-target series caches for the
// targets assigned to it and does all per-sample work; the main thread only
// schedules and forwards the compact batches this posts back.
import { parentPort } from 'node:worker_threads';
import { compileRules } from '../relabel/index.js';
import { BatchBuilder, transferList, type WireBatch } from './batch.js';
import { BodySizeLimitError, ScrapeHttpClient } from './http.js';
import { type LoopOptions, TargetState } from './loop.js';
import { formatFor } from './parse/index.js';
import type { FromWorker, PoolWireConfig, ToWorker } from './protocol.js';

interface PoolState {
  client: ScrapeHttpClient;
  opts: LoopOptions;
  fallbackProtocol: string;
}

interface WorkerTarget {
  poolId: string;
  labels: string[];
  url: string;
  timeoutMs: number;
  state: TargetState;
  /** The scrape in flight, so a removal waits for it instead of racing it. */
  inflight: Promise<void>;
}

/** Timestamps within this distance of the schedule snap to it (Prometheus's scrape timestamp tolerance). */
const TIMESTAMP_TOLERANCE_MS = 2;

const pools = new Map<string, PoolState>();
const targets = new Map<number, WorkerTarget>();

function post(msg: FromWorker, batch?: WireBatch): void {
  parentPort!.postMessage(msg, batch ? transferList(batch) : []);
}

function loopOptions(cfg: PoolWireConfig): LoopOptions {
  return {
    honorLabels: cfg.honorLabels,
    honorTimestamps: cfg.honorTimestamps,
    trackTimestampsStaleness: cfg.trackTimestampsStaleness,
    sampleLimit: cfg.sampleLimit,
    sampleCeiling: cfg.sampleCeiling,
    labelLimit: cfg.labelLimit,
    labelNameLengthLimit: cfg.labelNameLengthLimit,
    labelValueLengthLimit: cfg.labelValueLengthLimit,
    metricRelabel: compileRules(cfg.metricRelabel),
    ...cfg.samples,
  };
}

async function scrape(tid: number, seq: number, scheduled: number, forceError: string | undefined): Promise<void> {
  const t = targets.get(tid);
  const pool = t && pools.get(t.poolId);
  if (!t || !pool) {
    post({ op: 'error', tid, message: 'unknown target' });
    return;
  }
  const now = Date.now();
  const appendTime = Math.abs(now - scheduled) <= TIMESTAMP_TOLERANCE_MS ? scheduled : now;
  const started = performance.now();
  let batch: WireBatch;
  if (forceError) {
    batch = t.state.staleAll(appendTime, { total: 0, added: 0, seriesAdded: 0, bodyBytes: 0, error: forceError });
  } else {
    try {
      const res = await pool.client.scrape(t.url, t.timeoutMs);
      const format = formatFor(res.contentType, pool.fallbackProtocol);
      batch = t.state.apply(format.binary ? res.raw : res.body(), format, appendTime, res.bytes, res.badUtf8());
    } catch (e) {
      const bodyBytes = e instanceof BodySizeLimitError ? -1 : 0;
      batch = t.state.staleAll(appendTime, { total: 0, added: 0, seriesAdded: 0, bodyBytes, error: (e as Error).message });
    }
  }
  post({ op: 'result', tid, seq, appendTime, durationMs: performance.now() - started, batch }, batch);
}

function handle(msg: ToWorker): void {
  switch (msg.op) {
    case 'pool': {
      const old = pools.get(msg.poolId);
      const opts = loopOptions(msg.cfg);
      pools.set(msg.poolId, { client: new ScrapeHttpClient(msg.cfg.http), opts, fallbackProtocol: msg.cfg.fallbackProtocol });
      old?.client.close();
      for (const t of targets.values()) if (t.poolId === msg.poolId) t.state.reconfigure(t.labels, opts);
      return;
    }
    case 'dropPool':
      pools.get(msg.poolId)?.client.close();
      pools.delete(msg.poolId);
      return;
    case 'add': {
      const pool = pools.get(msg.poolId);
      if (!pool) throw new Error(`add: unknown scrape pool ${msg.poolId}`);
      const cur = targets.get(msg.tid);
      if (cur) {
        cur.url = msg.url;
        cur.timeoutMs = msg.timeoutMs;
        cur.labels = msg.labels;
        cur.state.reconfigure(msg.labels, pool.opts);
      } else {
        targets.set(msg.tid, {
          poolId: msg.poolId,
          labels: msg.labels,
          url: msg.url,
          timeoutMs: msg.timeoutMs,
          state: new TargetState(msg.labels, pool.opts),
          inflight: Promise.resolve(),
        });
      }
      return;
    }
    case 'scrape': {
      const t = targets.get(msg.tid);
      const run = () => scrape(msg.tid, msg.seq, msg.scheduled, msg.forceError).catch((e) => post({ op: 'error', tid: msg.tid, message: String(e) }));
      if (!t) return void run();
      t.inflight = t.inflight.then(run);
      return;
    }
    case 'remove': {
      const t = targets.get(msg.tid);
      if (!t) {
        post({ op: 'removed', tid: msg.tid, batch: emptyBatch() });
        return;
      }
      t.inflight = t.inflight.then(() => {
        targets.delete(msg.tid);
        const batch =
          msg.mode === 'stale'
            ? t.state.staleAll(msg.ts, { total: 0, added: 0, seriesAdded: 0, bodyBytes: 0 })
            : t.state.handOff();
        post({ op: 'removed', tid: msg.tid, batch }, batch);
      });
      return;
    }
    case 'crash':
      setImmediate(() => {
        throw new Error('scrape worker crash requested');
      });
      return;
  }
}

function emptyBatch(): WireBatch {
  return new BatchBuilder().finish({ total: 0, added: 0, seriesAdded: 0, bodyBytes: 0 });
}

parentPort!.on('message', (msg: ToWorker) => {
  try {
    handle(msg);
  } catch (e) {
    const tid = 'tid' in msg ? msg.tid : -1;
    post({ op: 'error', tid, message: (e as Error).message });
  }
});
