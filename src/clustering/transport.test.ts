// Channel pool behaviour that matters under load: a slow peer keeps its
// connection (a deadline on a READY channel is no reason to redial), a
// refused connection drops the channel so the next call dials afresh.
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { Transport, type CallError, type Handlers } from './transport.js';
import type { GossipRequest } from './wire.js';

const counter = { tx() {}, rx() {} };
const req: GossipRequest = { cluster: 'c', from: 'a', target: '', targetAddr: '', timeoutMs: 0, join: false, updates: [] };
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

async function server(delayMs: number, connectAllowanceMs = 0): Promise<Transport> {
  const h = async () => {
    await new Promise((r) => setTimeout(r, delayMs));
    return { from: 'b', ok: true, updates: [] };
  };
  const handlers: Handlers = { Ping: h, IndirectPing: h, Gossip: h, Sync: h };
  const t = await Transport.listen('127.0.0.1:0', handlers, { counter, connectAllowanceMs });
  transports.push(t);
  return t;
}

test('a deadline on a connected channel keeps the channel; the next call reuses it', async () => {
  const slow = await server(150);
  const client = await server(0);
  await client.call(slow.listenAddr, 'Ping', req, 2000); // connects
  expect(client.openChannels).toBe(1);
  await expect(client.call(slow.listenAddr, 'Ping', req, 30)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
  expect(client.openChannels).toBe(1);
  await expect(client.call(slow.listenAddr, 'Ping', req, 2000)).resolves.toMatchObject({ ok: true });
});

test('a refused connection drops the channel', async () => {
  const client = await server(0);
  // A port nobody listens on.
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  await expect(client.call(`127.0.0.1:${port}`, 'Ping', req, 2000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  expect(client.openChannels).toBe(0);
});

test('a call on a channel still to be dialed gets the connect allowance on top of its deadline; a connected one does not', async () => {
  const slow = await server(100);
  const client = await server(0, 1000);
  // 50 ms would not do for a 100 ms answer, but the first call dials: 50 + 1000 ms.
  await expect(client.call(slow.listenAddr, 'Ping', req, 50)).resolves.toMatchObject({ ok: true });
  await expect(client.call(slow.listenAddr, 'Ping', req, 50)).rejects.toMatchObject({ code: grpc.status.DEADLINE_EXCEEDED });
});

test('a failed call tells how late its deadline fired: about on time normally, late behind a blocked event loop', async () => {
  const slow = await server(200);
  const client = await server(0);
  await client.call(slow.listenAddr, 'Ping', req, 2000);
  const onTime = (await client.call(slow.listenAddr, 'Ping', req, 30).catch((e: CallError) => e)) as CallError;
  expect(onTime.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(onTime.lateMs).toBeLessThan(100);
  const pending = client.call(slow.listenAddr, 'Ping', req, 30).catch((e: CallError) => e);
  const t0 = Date.now();
  while (Date.now() - t0 < 300); // nothing runs: the deadline timer fires late
  const late = (await pending) as CallError;
  expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  expect(late.lateMs).toBeGreaterThanOrEqual(200);
});
