// A Loki push receiver for tests: decodes the real wire format (snappy +
// logproto.PushRequest), records every entry per stream, and can be scripted
// to be down (connections reset), slow, or to answer a given status.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodePushBody, parseLabels } from '../../logs/push/proto.js';

export interface ReceivedEntry {
  ts: bigint;
  line: string;
  /** Structured metadata as pushed (absent when the entry carried none). */
  structuredMetadata?: Record<string, string>;
}

export interface ReceivedStream {
  labels: Record<string, string>;
  entries: ReceivedEntry[];
}

export type ReceiverMode = { kind: 'up' } | { kind: 'down' } | { kind: 'status'; status: number; times?: number } | { kind: 'slow'; delayMs: number };

export interface LokiReceiver {
  url: string;
  /** Raw record: every entry ever accepted (duplicates included), per label text. */
  streams: Map<string, ReceivedStream>;
  requests: number;
  /** Tenant (X-Scope-OrgID) of the last request. */
  lastTenant: string | undefined;
  /** Lines received per tenant (X-Scope-OrgID, "" when absent), in arrival order. */
  linesByTenant: Map<string, string[]>;
  lastHeaders: http.IncomingHttpHeaders | undefined;
  setMode(mode: ReceiverMode): void;
  totalEntries(): number;
  /** Entries with an identical (stream, ts, line) seen before: what Loki would ignore. */
  duplicates(): number;
  /** Entries per stream after Loki's exact-duplicate dedupe. */
  uniqueEntries(): number;
  /** Wait until pred() holds; polls on every accepted push, bounded by timeoutMs. */
  waitFor(pred: () => boolean, timeoutMs: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLokiReceiver(): Promise<LokiReceiver> {
  let mode: ReceiverMode = { kind: 'up' };
  const streams = new Map<string, ReceivedStream>();
  const linesByTenant = new Map<string, string[]>();
  const listeners = new Set<() => void>();
  const state = { requests: 0, lastTenant: undefined as string | undefined, lastHeaders: undefined as http.IncomingHttpHeaders | undefined };

  const server = http.createServer((req, res) => {
    if (mode.kind === 'down') {
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST' || req.url !== '/loki/api/v1/push') {
      res.writeHead(404).end('not found');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = () => {
        if (mode.kind === 'status') {
          const m = mode;
          if (m.times !== undefined && --m.times <= 0) mode = { kind: 'up' };
          res.writeHead(m.status).end(`scripted status ${m.status}`);
          return;
        }
        if (mode.kind === 'down') {
          req.socket.destroy();
          return;
        }
        let decoded;
        try {
          decoded = decodePushBody(Buffer.concat(chunks));
        } catch (err) {
          res.writeHead(400).end(`bad push body: ${(err as Error).message}`);
          return;
        }
        state.requests++;
        state.lastTenant = req.headers['x-scope-orgid'] as string | undefined;
        state.lastHeaders = req.headers;
        const tenantLines = linesByTenant.get(state.lastTenant ?? '') ?? [];
        linesByTenant.set(state.lastTenant ?? '', tenantLines);
        for (const s of decoded) {
          for (const e of s.entries) tenantLines.push(e.line);
          let rec = streams.get(s.labels);
          if (!rec) streams.set(s.labels, (rec = { labels: parseLabels(s.labels), entries: [] }));
          for (const e of s.entries) rec.entries.push(e);
        }
        res.writeHead(204).end();
        for (const l of [...listeners]) l();
      };
      if (mode.kind === 'slow') setTimeout(answer, mode.delayMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;

  const totalEntries = () => {
    let n = 0;
    for (const s of streams.values()) n += s.entries.length;
    return n;
  };
  const uniqueEntries = () => {
    let n = 0;
    for (const s of streams.values()) n += new Set(s.entries.map((e) => `${e.ts} ${e.line}`)).size;
    return n;
  };

  return {
    url: `http://127.0.0.1:${port}/loki/api/v1/push`,
    streams,
    linesByTenant,
    get requests() {
      return state.requests;
    },
    get lastTenant() {
      return state.lastTenant;
    },
    get lastHeaders() {
      return state.lastHeaders;
    },
    setMode(m) {
      mode = m;
      if (m.kind === 'down') server.closeIdleConnections();
    },
    totalEntries,
    uniqueEntries,
    duplicates: () => totalEntries() - uniqueEntries(),
    waitFor(pred, timeoutMs, what = 'condition') {
      if (pred()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!pred()) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${timeoutMs}ms waiting for ${what} (received ${totalEntries()} entries)`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
