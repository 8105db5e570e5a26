// Fleet management end to end: `alloy run` with a remotecfg block against the
// sandbox fleet server (collector.v1 over Connect). The served pipeline runs
// (samples reach a remote write receiver), shows in the API as remotecfg/<id>,
// a broken config is reported FAILED while the running one keeps going, a
// fixed one replaces it, SIGTERM unregisters, and with the server down a
// restart runs the cached config.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import { startAlloyProcess, type AlloyProcess } from '../lib/alloy-process.js';
import { waitFor } from '../lib/wait.js';
import { FleetServer } from '../../src/sandbox/fleet/fleet-server.js';
import { RemoteWriteReceiver } from '../../src/sandbox/receivers/remote-write-receiver.js';

jest.setTimeout(240_000);

const ID = 'e2e-collector-1';
let target: http.Server;
let targetAddr: string;
let fleet: FleetServer;
let rw: RemoteWriteReceiver;
const running: AlloyProcess[] = [];

beforeAll(async () => {
  target = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('# TYPE fleet_demo gauge\nfleet_demo 42\n'));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetAddr = `127.0.0.1:${(target.address() as AddressInfo).port}`;
  fleet = await new FleetServer({ authorization: 'Bearer fleet-token-123' }).start();
  rw = await new RemoteWriteReceiver().start();
});
afterAll(async () => {
  for (const p of running.splice(0)) await p.kill();
  await fleet.stop();
  await rw.stop();
  await new Promise((r) => target.close(r));
});

const pipeline = (job: string) => `
prometheus.scrape "fleet" {
  targets         = [{"__address__" = "${targetAddr}"}]
  job_name        = "${job}"
  scrape_interval = "1s"
  scrape_timeout  = "900ms"
  forward_to      = [prometheus.remote_write.fleet.receiver]
}
prometheus.remote_write "fleet" {
  endpoint {
    url = "${rw.url}"
    queue_config { batch_send_deadline = "200ms" }
  }
}
`;

const mainConfig = () => `
remotecfg {
  url            = "${fleet.url}"
  id             = "${ID}"
  name           = "edge-1"
  attributes     = {"env" = "dev", "team" = "platform"}
  poll_frequency = "10s"
  bearer_token   = "fleet-token-123"
}
`;

const jobs = () => new Set([...rw.series.values()].filter((s) => s.labels.__name__ === 'fleet_demo').map((s) => s.labels.job));
const samplesOf = (job: string) => [...rw.series.values()].filter((s) => s.labels.__name__ === 'fleet_demo' && s.labels.job === job).reduce((n, s) => n + s.samples.length, 0);
const state = async (p: AlloyProcess) => (await (await fetch(`${p.url}/api/v0/web/remotecfg`)).json()) as Record<string, any>;

test('a served pipeline runs, is reported, survives a broken update, is replaced, unregistered, and comes back from the cache', async () => {
  fleet.setPipeline('scrape', pipeline('fleet-v1'), { env: 'dev' });
  fleet.setPipeline('other-env', 'this is not alloy syntax {', { env: 'prod' }); // never served to us
  const p = await startAlloyProcess({ config: mainConfig() });
  running.push(p);

  // Registered with its name and attributes (ours plus the collector's own).
  await waitFor('registration', () => fleet.collectors.get(ID)?.registered === true, { timeoutMs: 30_000 });
  const c = fleet.collectors.get(ID)!;
  expect(c.name).toBe('edge-1');
  expect(c.localAttributes).toMatchObject({ env: 'dev', team: 'platform', 'collector.os': process.platform });
  expect(c.localAttributes['collector.version']).toMatch(/\S/);
  expect(fleet.calls.every((k) => /^alloy-ts\//.test(k.userAgent ?? ''))).toBe(true);

  // The pipeline runs and is reported APPLIED.
  await rw.waitFor(() => samplesOf('fleet-v1') >= 2, 60_000, 'fleet-v1 samples');
  await waitFor('APPLIED reported', () => fleet.collectors.get(ID)?.status?.status === 'APPLIED', { timeoutMs: 30_000 });
  const list = (await (await fetch(`${p.url}/api/v0/web/components`)).json()) as { id: string; moduleId?: string }[];
  expect(list.map((x) => x.id)).toEqual(expect.arrayContaining(['remotecfg/prometheus.scrape.fleet', 'remotecfg/prometheus.remote_write.fleet']));
  const one = (await (await fetch(`${p.url}/api/v0/web/components/remotecfg/prometheus.scrape.fleet`)).json()) as { health: { state: string }; referencedBy: string[]; references: string[] };
  expect(one.references).toEqual(['remotecfg/prometheus.remote_write.fleet']);
  let s = await state(p);
  expect(s).toMatchObject({ enabled: true, id: ID, status: 'APPLIED', registered: true, source: 'server' });
  const metrics = await (await fetch(`${p.url}/metrics`)).text();
  expect(metrics).toMatch(/^remotecfg_last_load_successful 1$/m);
  expect(metrics).toContain(`remotecfg_hash{hash="${s.last_loaded_hash}"} 1`);
  expect(metrics).toMatch(/component_path="\/remotecfg"/);

  // A broken update: FAILED with the position, the running pipeline keeps sending.
  fleet.setPipeline('scrape', 'prometheus.scrape "fleet" {\n  targets = [\n', { env: 'dev' });
  await waitFor('FAILED reported', () => fleet.collectors.get(ID)?.status?.status === 'FAILED', { timeoutMs: 40_000 });
  expect(fleet.collectors.get(ID)!.status!.errorMessage).toMatch(/remotecfg\.alloy:\d+:\d+/);
  const before = samplesOf('fleet-v1');
  await rw.waitFor(() => samplesOf('fleet-v1') >= before + 2, 30_000, 'fleet-v1 samples after the broken update');
  s = await state(p);
  expect(s.status).toBe('FAILED');
  expect(s.last_received_hash).not.toBe(s.last_loaded_hash);

  // A good update replaces it.
  fleet.setPipeline('scrape', pipeline('fleet-v2'), { env: 'dev' });
  await rw.waitFor(() => samplesOf('fleet-v2') >= 2, 60_000, 'fleet-v2 samples');
  await waitFor('APPLIED again', () => fleet.collectors.get(ID)?.status?.status === 'APPLIED', { timeoutMs: 30_000 });
  expect(fleet.collectors.get(ID)!.notModifiedAnswers).toBeGreaterThan(0); // polls between changes carried the hash

  // SIGTERM unregisters.
  await p.stop();
  running.splice(running.indexOf(p), 1);
  expect(fleet.collectors.get(ID)!.registered).toBe(false);

  // Server down: a restart on the same storage runs the cached (last good) config.
  await fleet.down();
  const seen = samplesOf('fleet-v2');
  const q = await startAlloyProcess({ config: mainConfig(), storagePath: p.storagePath });
  running.push(q);
  await rw.waitFor(() => samplesOf('fleet-v2') >= seen + 2, 60_000, 'fleet-v2 samples from the cached config');
  s = await state(q);
  expect(s).toMatchObject({ source: 'cache', status: 'FAILED', registered: false });
  expect(s.last_fetch_error).toMatch(/ECONNREFUSED|connect/);
  expect(jobs().has('fleet-v1')).toBe(true);

  // The server comes back: registration is retried at the next poll.
  await fleet.up();
  await waitFor('registered after the server returned', () => fleet.collectors.get(ID)?.registered === true, { timeoutMs: 40_000 });
  await q.stop();
  running.splice(running.indexOf(q), 1);
});

test('wrong credentials are a clear error naming the status and code, never the token', async () => {
  fleet.setPipeline('scrape', pipeline('fleet-auth'), { env: 'dev' });
  const p = await startAlloyProcess({ config: mainConfig().replace('fleet-token-123', 'wrong-token-456') });
  running.push(p);
  await waitFor('the fetch error', async () => (await state(p)).last_fetch_error, { timeoutMs: 30_000 });
  const s = await state(p);
  expect(s.last_fetch_error).toMatch(/GetConfig answered 401 \(unauthenticated\)/);
  expect(p.output()).not.toContain('wrong-token-456');
  await p.stop();
  running.splice(running.indexOf(p), 1);
});
