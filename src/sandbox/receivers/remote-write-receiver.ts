// A remote-write receiver for tests: decodes snappy + protobuf with a
// reflection-based schema (independent of the encoder under test), stores
// every sample per series, and can be scripted to fail: go down (close its
// port), answer status N for the next k requests (optionally with
// Retry-After), or answer slowly. Remote write 2.0 requests (by their
// Content-Type) go through remote-write-v2-decoder.ts; every answer carries
// the X-Prometheus-Remote-Write-*-Written headers 2.0 requires, which a test
// can script (`written`) to act as a partial writer or a 1.0-only receiver.
import http from 'node:http';
import { LoopbackServer } from './loopback-server.js';
import { decodeV2Request, type DecodedV2Request, type DecodedV2Series, V2_CONTENT_TYPE } from './remote-write-v2-decoder.js';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

// Decoded with snappyjs, not the collector's compressor (src/compress/snappy.ts), so a
// compressor bug cannot cancel itself out in the tests.
const snappy = createRequire(import.meta.url)('snappyjs') as { uncompress(b: Uint8Array, max?: number): Uint8Array };

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface ReceivedSample {
  t: number;
  v: number;
}

export interface ReceivedSeries {
  labels: Record<string, string>;
  /** Label names in the order they arrived (to check sorting). */
  order: string[];
  samples: ReceivedSample[];
  /** Remote write 2.0 only: what the series carried besides samples (last request's metadata). */
  v2?: Pick<DecodedV2Series, 'exemplars' | 'metadata' | 'histograms'>;
}

/** Counts a request carried, as the Written response headers report them. */
export interface WrittenCounts {
  samples: number;
  histograms: number;
  exemplars: number;
}

interface Fault {
  status: number;
  remaining: number;
  retryAfter?: string;
  body?: string;
}

export class RemoteWriteReceiver extends LoopbackServer {
  readonly series = new Map<string, ReceivedSeries>();
  /** Requests answered 2xx / with a scripted fault. */
  accepted = 0;
  rejected = 0;
  samplesAccepted = 0;
  samplesRejected = 0;
  lastHeaders: http.IncomingHttpHeaders = {};
  /** The last request's method, path and compressed body (e.g. to verify a signature over them). */
  lastRequest: { method: string; path: string; body: Buffer } | undefined;
  /** Every request answered (the first 10000): when it arrived, its sample count, the status sent. */
  readonly log: { at: number; samples: number; status: number; headers: http.IncomingHttpHeaders; body?: Buffer }[] = [];
  /** Keep each logged request's compressed body too (off: high-volume tests would hold them all). */
  keepBodies = false;
  /** Requests being answered now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Answer with `Connection: close`, so every request is a new connection. */
  closeConnections = false;
  /** Requests decoded as remote write 2.0, and the last one. */
  v2Requests = 0;
  lastV2: DecodedV2Request | undefined;
  /**
   * The Written headers of a 2xx answer: by default what was stored; 'none'
   * answers without them (a receiver that only knows 1.0); a function rewrites them.
   */
  written: 'none' | ((c: WrittenCounts) => WrittenCounts) | undefined;
  readonly errors: string[] = [];
  private faults: Fault[] = [];
  private delayMs = 0;
  private waiters: (() => void)[] = [];

  get url(): string {
    return `http://${this.host}:${this.port}/api/v1/write`;
  }

  /** The next `count` requests get `status` (with an optional Retry-After header value). */
  failNext(status: number, count: number, retryAfter?: string): void {
    this.faults.push({ status, remaining: count, retryAfter, body: `scripted failure ${status}` });
  }

  /** Every request waits this long before its answer. */
  slow(ms: number): void {
    this.delayMs = ms;
  }

  totalSamples(): number {
    let n = 0;
    for (const s of this.series.values()) n += s.samples.length;
    return n;
  }

  /** Resolves when pred() holds (checked after each request), rejects after timeoutMs. */
  waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`receiver: ${what} not reached within ${timeoutMs} ms (samples=${this.totalSamples()})`));
      }, timeoutMs);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = Date.now();
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    const logged = (samples: number, status: number) => {
      if (this.log.length < 10_000) this.log.push({ at, samples, status, headers: req.headers, body: this.keepBodies ? Buffer.concat(chunks) : undefined });
    };
    this.lastHeaders = req.headers;
    this.lastRequest = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks) };
    if (this.closeConnections) res.setHeader('Connection', 'close');
    let decoded: { timeseries?: { labels?: { name: string; value: string }[]; samples?: { value: number; timestamp: unknown }[] }[] };
    let v2: DecodedV2Request | undefined;
    try {
      if (req.method !== 'POST') throw new Error(`method ${req.method}`);
      if (req.headers['content-encoding'] !== 'snappy') throw new Error(`content-encoding ${req.headers['content-encoding']}`);
      const raw = snappy.uncompress(Buffer.concat(chunks));
      const ctype = String(req.headers['content-type'] ?? '').replace(/\s+/g, '');
      if (ctype === V2_CONTENT_TYPE) {
        if (req.headers['x-prometheus-remote-write-version'] !== '2.0.0') throw new Error(`2.0 request with X-Prometheus-Remote-Write-Version ${req.headers['x-prometheus-remote-write-version']}`);
        v2 = decodeV2Request(raw);
        this.v2Requests++;
        this.lastV2 = v2;
        decoded = {
          timeseries: v2.series.map((s) => ({ labels: s.order.map((n) => ({ name: n, value: s.labels[n]! })), samples: s.samples.map((x) => ({ value: x.v, timestamp: x.t })) })),
        };
      } else if (ctype === 'application/x-protobuf' || ctype === 'application/x-protobuf;proto=prometheus.WriteRequest') {
        decoded = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number }) as typeof decoded;
      } else {
        res.writeHead(415).end(`unsupported content type ${ctype}`);
        this.errors.push(`content-type ${ctype}`);
        return this.notify();
      }
    } catch (e) {
      this.errors.push((e as Error).message);
      res.writeHead(400).end(`bad request: ${(e as Error).message}`);
      return this.notify();
    }
    const count = (decoded.timeseries ?? []).reduce((n, ts) => n + (ts.samples?.length ?? 0), 0);
    const fault = this.faults[0];
    if (fault) {
      if (--fault.remaining <= 0) this.faults.shift();
      this.rejected++;
      this.samplesRejected += count;
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      logged(count, fault.status);
      res.writeHead(fault.status, headers).end(fault.body);
      return this.notify();
    }
    for (const ts of decoded.timeseries ?? []) {
      const order = (ts.labels ?? []).map((l) => l.name);
      const key = (ts.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
      let s = this.series.get(key);
      if (!s) {
        s = { labels: Object.fromEntries((ts.labels ?? []).map((l) => [l.name, l.value])), order, samples: [] };
        this.series.set(key, s);
      }
      for (const smp of ts.samples ?? []) s.samples.push({ t: Number(smp.timestamp), v: smp.value });
    }
    const stored: WrittenCounts = { samples: count, histograms: 0, exemplars: 0 };
    v2?.series.forEach((ds, i) => {
      const key = (decoded.timeseries![i]!.labels ?? []).map((l) => `${l.name}=${l.value}`).join(',');
      const s = this.series.get(key)!;
      const prev = s.v2;
      s.v2 = { metadata: ds.metadata, exemplars: [...(prev?.exemplars ?? []), ...ds.exemplars], histograms: [...(prev?.histograms ?? []), ...ds.histograms] };
      stored.histograms += ds.histograms.length;
      stored.exemplars += ds.exemplars.length;
    });
    this.accepted++;
    this.samplesAccepted += count;
    const headers: Record<string, string> = {};
    if (this.written !== 'none') {
      const w = this.written ? this.written(stored) : stored;
      headers['X-Prometheus-Remote-Write-Samples-Written'] = String(w.samples);
      headers['X-Prometheus-Remote-Write-Histograms-Written'] = String(w.histograms);
      headers['X-Prometheus-Remote-Write-Exemplars-Written'] = String(w.exemplars);
    }
    logged(count, 204);
    res.writeHead(204, headers).end();
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
