// A loopback exporter that serves `series` distinct series, written lazily in
// chunks with backpressure, so the test process never holds the body: a
// million-series target costs this process a few hundred kilobytes at a time.
import type http from 'node:http';
import { createGzip } from 'node:zlib';
import type { Writable } from 'node:stream';

/** Lines written per chunk. */
const LINES_PER_CHUNK = 10_000;

/** A compact line (about 20 bytes; distinct per i): a million of them fit under the body limits. */
export function compactLine(i: number): string {
  return `m{i="${i}"} ${i % 1000}\n`;
}

/** A wide line (about 120 bytes), as exporters with many labels print them. */
export function wideLine(i: number): string {
  return `mem_test_series_total{namespace="ns-${i % 97}",pod="workload-${i}-abcde",container="app",shard="${i % 64}",id="${i}"} ${i % 1000}\n`;
}

export interface HugeTarget {
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;
  /** Requests answered so far. */
  requests(): number;
}

/** Serves `series` lines of `line` in Prometheus text, streamed; gzip-encoded when `gzip`. */
export function hugeTarget(series: number, line: (i: number) => string, o: { gzip?: boolean } = {}): HugeTarget {
  let requests = 0;
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests++;
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4', ...(o.gzip ? { 'Content-Encoding': 'gzip' } : {}) });
    let out: Writable = res;
    if (o.gzip) {
      const gz = createGzip({ level: 1 });
      gz.pipe(res);
      out = gz;
    }
    let next = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
      if (out !== res) out.destroy();
    });
    const writeSome = (): void => {
      // Bounded: each round writes one chunk; it ends at `series` or when the client went away.
      while (!closed && next < series) {
        const end = Math.min(series, next + LINES_PER_CHUNK);
        let chunk = '';
        for (let i = next; i < end; i++) chunk += line(i);
        next = end;
        if (!out.write(chunk)) {
          out.once('drain', writeSome);
          return;
        }
      }
      if (!closed) out.end();
    };
    writeSome();
  };
  return { handler, requests: () => requests };
}
