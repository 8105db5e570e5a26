// Channel pool behaviour that matters under load: a slow peer keeps its
// connection (a deadline on a READY channel is no reason to redial), a
// refused connection drops the channel so the next call dials afresh.
import * as grpc from '@grpc/grpc-js';
import net from 'node:net';
import { Transport, type Handlers } from './transport.js';
import type { GossipRequest } from './wire.js';

const counter = { tx() {}, rx() {} };
const req: GossipRequest = { cluster: 'c', from: 'a', target: '', targetAddr: '', timeoutMs: 0, join: false, updates: [] };
const transports: Transport[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

async function server(delayMs: number): Promise<Transport> {
  const h = async () => {
    await new Promise((r) => setTimeout(r, delayMs));
    return { from: 'b', ok: true, updates: [] };
  };
  const handlers: Handlers = { Ping: h, IndirectPing: h, Gossip: h, Sync: h };
  const t = await Transport.listen('127.0.0.1:0', handlers, { counter });
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
