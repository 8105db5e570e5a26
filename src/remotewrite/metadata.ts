// metadata_config: the latest metadata per metric family, and the remote
// write 1.0 sender of it. As Prometheus's QueueManager.AppendWatcherMetadata:
// every send_interval, when `send` is true and the endpoint speaks 1.0, all
// known metadata goes out as WriteRequests carrying only
// `repeated MetricMetadata metadata = 3`, at most max_samples_per_send
// entries each, one request after another, retried with the queue's backoff;
// a non-retryable answer counts the entries as failed. With remote write 2.0
// metadata rides on each series instead (forSeries, used by the 2.0 encoder).
//   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
// Producers hand metadata in with MetadataStore.update (the pipeline's metadata
// entries have this shape: family, type, help, unit).
import protobuf from 'protobufjs/minimal.js';
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { LabelPairs } from '../pipeline/metrics.js';
import { Backoff, retryDelay, sleep } from '../net/backoff.js';
import type { HttpSender } from './http-sender.js';
import { snappyCompress as compress } from '../compress/snappy.js';
import { METRIC_TYPE_V2, type V2Metadata } from './v2/encode.js';

export interface MetadataEntry {
  family: string;
  /** "counter", "gauge", ... as OpenMetrics names them. */
  type: string;
  help: string;
  unit: string;
}

/** Suffixes of the series of one family (classic histograms, summaries, counters, info, gauge histograms). */
const FAMILY_SUFFIXES = ['_bucket', '_sum', '_count', '_total', '_created', '_info', '_gcount', '_gsum'];

export class MetadataStore {
  readonly #byFamily = new Map<string, MetadataEntry>();

  update(entries: readonly MetadataEntry[]): void {
    for (const e of entries) if (e.family) this.#byFamily.set(e.family, { family: e.family, type: e.type, help: e.help, unit: e.unit });
  }

  get size(): number {
    return this.#byFamily.size;
  }

  all(): MetadataEntry[] {
    return [...this.#byFamily.values()];
  }

  /** The metadata of a series' family, by its __name__ (or the name without a family suffix). */
  forSeries(labels: LabelPairs): V2Metadata | undefined {
    let name: string | undefined;
    for (let i = 0; i < labels.length; i += 2) if (labels[i] === '__name__') name = labels[i + 1];
    if (!name) return undefined;
    const hit = this.#byFamily.get(name) ?? FAMILY_SUFFIXES.filter((s) => name!.endsWith(s)).map((s) => this.#byFamily.get(name!.slice(0, -s.length))).find((m) => m);
    return hit ? { type: hit.type, help: hit.help, unit: hit.unit } : undefined;
  }
}

/** A snappy-compressed 1.0 WriteRequest with metadata only. */
export function encodeMetadataRequest(entries: readonly MetadataEntry[]): Buffer {
  const w = protobuf.Writer.create();
  for (const e of entries) {
    w.uint32((3 << 3) | 2).fork();
    const type = METRIC_TYPE_V2[e.type] ?? 0; // the 1.0 enum has the same numbers
    if (type) w.uint32((1 << 3) | 0).uint32(type);
    w.uint32((2 << 3) | 2).string(e.family);
    if (e.help) w.uint32((4 << 3) | 2).string(e.help);
    if (e.unit) w.uint32((5 << 3) | 2).string(e.unit);
    w.ldelim();
  }
  return Buffer.from(compress(w.finish()));
}

function counter(reg: Registry, name: string, help: string): Counter<string> {
  // Registered once per registry, whichever part of the code gets there first.
  return (reg.getSingleMetric(name) as Counter<string> | undefined) ?? new Counter({ name, help, labelNames: ['remote_name', 'url'], registers: [reg] });
}

export interface MetadataSenderOptions {
  store: MetadataStore;
  sender: HttpSender;
  sendIntervalMs: number;
  maxPerSend: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  registry: Registry;
  labels: { remote_name: string; url: string };
  logger: Logger;
}

export class MetadataSender {
  readonly #o: MetadataSenderOptions;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  readonly #m: { total: Counter<string>; failed: Counter<string>; retried: Counter<string>; bytes: Counter<string> };

  constructor(o: MetadataSenderOptions) {
    this.#o = o;
    const r = o.registry;
    this.#m = {
      total: counter(r, 'prometheus_remote_storage_metadata_total', 'Total number of metadata entries sent to remote storage.'),
      failed: counter(r, 'prometheus_remote_storage_metadata_failed_total', 'Total number of metadata entries which failed on send to remote storage, non-recoverable errors.'),
      retried: counter(r, 'prometheus_remote_storage_metadata_retried_total', 'Total number of metadata entries which failed on send to remote storage but were retried because the send error was recoverable.'),
      bytes: counter(r, 'prometheus_remote_storage_metadata_bytes_total', 'The total number of bytes of metadata sent by the queue after compression.'),
    };
  }

  start(): void {
    this.#timer = setInterval(() => {
      // One round at a time: a slow endpoint skips ticks rather than piling up rounds.
      if (!this.#running) this.#running = this.sendAll().finally(() => (this.#running = undefined));
    }, this.#o.sendIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** One round: everything in the store, in chunks of maxPerSend. */
  async sendAll(): Promise<void> {
    const all = this.#o.store.all();
    for (let i = 0; i < all.length && !this.#abort.signal.aborted; i += this.#o.maxPerSend) {
      const chunk = all.slice(i, i + this.#o.maxPerSend);
      await this.#sendChunk(chunk);
    }
  }

  async #sendChunk(chunk: MetadataEntry[]): Promise<void> {
    const { sender, labels, logger } = this.#o;
    const body = encodeMetadataRequest(chunk);
    const backoff = new Backoff({ minMs: this.#o.minBackoffMs, maxMs: this.#o.maxBackoffMs });
    const signal = this.#abort.signal;
    for (let attempt = 0; !signal.aborted; attempt++) {
      const out = await sender.send(body, signal, attempt);
      if (signal.aborted) return;
      if (out.kind === 'ok') {
        this.#m.total.inc(labels, chunk.length);
        this.#m.bytes.inc(labels, body.length);
        return;
      }
      if (out.kind === 'drop') {
        this.#m.failed.inc(labels, chunk.length);
        logger.error({ count: chunk.length, err: out.reason }, 'non-recoverable error while sending metadata');
        return;
      }
      this.#m.retried.inc(labels, chunk.length);
      await sleep(retryDelay(backoff.next(), out.retryAfterMs), signal);
    }
  }
}
