// Tailer against a scripted API server: stalls that used to need an outside
// kick (a follow request whose response head never comes) end on their own.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { makeKubeConfig, loadKubeClient } from '../../kube/client.js';
import { KubeApi } from '../kube/api.js';
import { PositionStore } from '../positions/store.js';
import type { LogEntry } from '../../pipeline/logs.js';
import { tailMetrics } from './tail-metrics.js';
import { DEFAULT_TAIL_OPTIONS, Tailer } from './tailer.js';

const logger = pino({ level: 'silent' });
const POD = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: { restartPolicy: 'Always' },
  status: { phase: 'Running', containerStatuses: [{ name: 'c', restartCount: 0, state: { running: {} } }] },
};

describe('tailer', () => {
  beforeAll(() => loadKubeClient()); // makeKubeConfig needs the client module, loaded lazily
  let server: http.Server;
  let url: string;
  let logRequests = 0;
  /** What the n-th pods/log request gets (0-based); undefined: never answered. */
  let answer: (n: number) => string | undefined;

  beforeEach(async () => {
    logRequests = 0;
    server = http.createServer((req, res) => {
      if (req.url?.startsWith('/api/v1/namespaces/ns/pods/p/log')) {
        const body = answer(logRequests++);
        if (body === undefined) return; // accepted, never answered (no head, no data)
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write(body); // a follow stream stays open
        return;
      }
      if (req.url === '/api/v1/namespaces/ns/pods/p') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(POD));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a follow request whose response never starts is abandoned after the silence timeout and reopened', async () => {
    answer = (n) => (n === 0 ? undefined : '2024-01-02T03:04:05.000000001Z hello\n');
    const api = new KubeApi(makeKubeConfig({ api_server: url }));
    const positions = new PositionStore({ file: join(mkdtempSync(join(tmpdir(), 'tailer-')), 'p.json'), logger });
    const got: LogEntry[] = [];
    let delivered!: () => void;
    const firstLine = new Promise<void>((r) => (delivered = r));
    const tailer = new Tailer(
      { key: 'ns/p:c', namespace: 'ns', pod: 'p', container: 'c', uid: 'u1', labels: { job: 'x' } },
      {
        api,
        positions,
        forward: () => [{ append: async (e) => void (got.push(...e), delivered()) }],
        logger,
        metrics: tailMetrics(new Registry()),
        options: { ...DEFAULT_TAIL_OPTIONS, silenceMs: 300, minBackoffMs: 10, maxBackoffMs: 50 },
        onFinished: () => {},
        awaitTurn: async () => ({ outcome: 'free', waitedMs: 0 }),
      },
    );
    const started = Date.now();
    tailer.start();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([firstLine, new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`no line: ${JSON.stringify(tailer.info())}`)), 5000)))]);
      expect(got.map((e) => e.line)).toEqual(['hello']);
      expect(logRequests).toBe(2);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      // The commit follows the accepted append.
      for (let i = 0; i < 100 && (tailer.info() as { delivered: number }).delivered === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(tailer.info()).toMatchObject({ state: 'following', opens: 2, delivered: 1 });
    } finally {
      clearTimeout(timer);
      await tailer.stop();
      await positions.stop();
      api.close();
    }
  });
});
