// The HTTP listener with an HTTP/2 sink (gossip on the HTTP port): the
// preface decides, the bytes read to decide reach whichever server gets the
// connection, and garbage is refused without taking the listener down.
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { listenSwitchable, type SwitchableServer } from './listener.js';
import { HTTP2_PREFACE } from './preface.js';

let s: SwitchableServer;
let h2: http2.Http2Server;
const h2Paths: string[] = [];

beforeEach(async () => {
  s = await listenSwitchable((req, res) => void res.end(`http1 ${req.url}\n`), '127.0.0.1:0');
  h2 = http2.createServer();
  h2.on('stream', (stream, headers) => {
    h2Paths.push(String(headers[':path']));
    stream.respond({ ':status': 200 });
    stream.end('h2\n');
  });
  h2.on('sessionError', () => undefined);
  s.setHttp2((socket: Duplex) => h2.emit('connection', socket));
});
afterEach(async () => {
  h2Paths.length = 0;
  await s.close();
  h2.close();
});

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

function h2Get(url: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      session.close();
      resolve(body);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes; resolves with what the server answered before closing (bounded). */
function raw(bytes: Buffer | string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => resolve(got);
    c.on('data', (d) => (got += d.toString('latin1')));
    c.on('close', done);
    c.on('error', done);
    c.setTimeout(5000, () => c.destroy());
    c.write(bytes);
  });
}

const port = () => Number(new URL(s.url).port);

test('HTTP/1.1 and HTTP/2 (prior knowledge) share the port, each to its own server', async () => {
  await expect(get(`${s.url}/a`)).resolves.toEqual({ status: 200, body: 'http1 /a\n' });
  await expect(h2Get(s.url, '/gossip')).resolves.toBe('h2\n');
  expect(h2Paths).toEqual(['/gossip']);
  // Keep-alive HTTP/1.1: the second request on the same connection is served too.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (const p of ['/k1', '/k2']) {
    const body = await new Promise<string>((resolve, reject) => {
      http.get(`${s.url}${p}`, { agent }, (res) => {
        let b = '';
        res.on('data', (c) => (b += c));
        res.on('end', () => resolve(b));
      }).on('error', reject);
    });
    expect(body).toBe(`http1 ${p}\n`);
  }
  agent.destroy();
});

test('a request line arriving a byte at a time is still HTTP/1.1 (bytes read to decide are not lost)', async () => {
  const c = net.connect(port(), '127.0.0.1');
  let got = '';
  c.on('data', (d) => (got += d));
  const closed = new Promise((r) => c.on('close', r));
  // "P" is also how the HTTP/2 preface starts: the sniffer must wait for more, then give all of it to HTTP/1.1.
  for (const ch of 'PUT /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n') {
    c.write(ch);
    await new Promise((r) => setTimeout(r, 2));
  }
  await closed;
  expect(got).toMatch(/^HTTP\/1.1 200/);
  expect(got).toMatch(/http1 \/slow\n$/);
  expect(h2Paths).toEqual([]);
});

test('garbage is refused with 400 and the listener keeps serving', async () => {
  const answers = await Promise.all([
    raw(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00]), port()), // a TLS ClientHello at a plain port
    raw('\x00\x01\x02 not http at all\r\n\r\n', port()),
    raw('PRI *\x00garbage\r\n\r\n', port()), // starts like the preface, then is not
  ]);
  for (const a of answers) expect(a).toMatch(/^HTTP\/1.1 400/);
  // The preface followed by junk frames: the HTTP/2 server drops that session, nothing else.
  await raw(Buffer.concat([HTTP2_PREFACE, Buffer.from('this is no SETTINGS frame at all, just junk bytes')]), port());
  // A client that connects and leaves without a byte.
  await new Promise<void>((r) => {
    const c = net.connect(port(), '127.0.0.1', () => c.destroy());
    c.on('close', () => r());
  });
  await expect(get(`${s.url}/still`)).resolves.toEqual({ status: 200, body: 'http1 /still\n' });
  await expect(h2Get(s.url, '/still')).resolves.toBe('h2\n');
});

test('without a sink everything is HTTP/1.1: the preface gets a 400', async () => {
  s.setHttp2(undefined);
  await expect(raw(Buffer.concat([HTTP2_PREFACE]), port())).resolves.toMatch(/^HTTP\/1.1 400/);
  await expect(get(`${s.url}/b`)).resolves.toEqual({ status: 200, body: 'http1 /b\n' });
});
