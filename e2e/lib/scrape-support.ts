// Test support for the scrape tests: loopback exporters and a receiver that
// records what it gets and lets a test await a condition on it.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { ClusterOwnership } from '../../src/clustering/ownership.js';
import { StandaloneOwnership } from '../../src/clustering/ownership.js';
import type { MetricsReceiver, Sample } from '../../src/pipeline/metrics.js';
import { Controller } from '../../src/runtime/controller.js';
import { buildScrapeJob } from '../../src/scrape/job.js';
import { wireConfig } from '../../src/scrape/wire.js';
import type { PoolWireConfig } from '../../src/scrape/protocol.js';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Loopback HTTP servers on port 0; close() ends them all. */
export class Exporters {
  private readonly servers: http.Server[] = [];

  /** Starts a server and returns its "127.0.0.1:port". */
  async serve(h: Handler): Promise<string> {
    const s = http.createServer(h);
    this.servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `127.0.0.1:${(s.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface Received extends Sample {
  /** Date.now() when the receiver got the sample. */
  at: number;
}

export class Recorder implements MetricsReceiver {
  samples: Received[] = [];
  private waiters: (() => void)[] = [];

  append(s: Sample[]): void {
    const at = Date.now();
    for (const x of s) this.samples.push({ labels: x.labels, t: x.t, v: x.v, at });
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until pred holds over all recorded samples (bounded). */
  async until(pred: (all: Received[]) => boolean, ms = 8000): Promise<void> {
    const end = Date.now() + ms;
    while (!pred(this.samples)) {
      const left = end - Date.now();
      if (left <= 0) throw new Error('condition not reached in time');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

export const nameOf = (s: Sample): string | undefined => label(s, '__name__');

export function label(s: Sample, n: string): string | undefined {
  for (let i = 0; i < s.labels.length; i += 2) if (s.labels[i] === n) return s.labels[i + 1];
  return undefined;
}

/** Worker settings of a scrape with every argument at its default. */
export function defaultWire(): PoolWireConfig {
  return wireConfig(buildScrapeJob({ name: 'j' }));
}

/**
 * A controller (silent logs, fresh storage dir) running `config` next to a
 * `prometheus.relabel "sink" { forward_to = [] }` that scrape blocks can
 * forward to. The caller stops it. Components must be registered (import
 * 'src/components/index.js').
 */
export async function scrapeController(config: string, o: { cluster?: ClusterOwnership; metrics?: Registry } = {}): Promise<Controller> {
  const storagePath = fs.mkdtempSync(path.join(os.tmpdir(), 'alloy-scrape-test-'));
  const c = new Controller({ logger: pino({ level: 'silent' }), metrics: o.metrics ?? new Registry(), storagePath, cluster: o.cluster ?? new StandaloneOwnership('n') });
  await c.load(`prometheus.relabel "sink" { forward_to = [] }\n${config}`, 'scrape.alloy');
  return c;
}
