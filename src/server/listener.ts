// The HTTP server's socket: one TCP listener whose connections are served as
// plain HTTP or, when the http block has a tls block, as HTTPS. The TLS
// settings can change on reload; as in Alloy, a connection keeps the mode it
// was accepted with and new connections get the new one.
// Cluster gossip can share the port: a connection that opens with the HTTP/2
// preface (after the TLS handshake, when there is one) goes to the gossip
// sink instead of the HTTP/1.1 server (see preface.ts).
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import tls, { type SecureVersion } from 'node:tls';
import type { RequestListener } from 'node:http';
import { CIPHER_SUITES, CURVES, type ClientAuthType, type HttpTlsConfig } from '../runtime/config-blocks.js';
import type { Duplex } from 'node:stream';
import { answerClientError } from './errors.js';
import { sniffProtocol } from './preface.js';

const VERSIONS: Record<string, SecureVersion> = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' };

/** A TLS server that never listens: accepted TCP sockets are handed to it for the handshake. */
export interface ActiveTls {
  tls: tls.Server;
  clientAuth: ClientAuthType;
}

function read(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`http: tls: failed to read ${what}: ${(e as Error).message}`);
  }
}

/** Builds the secure context, reading the files now: a missing file or a bad key is an error for the caller. */
export function buildTls(cfg: HttpTlsConfig): ActiveTls {
  const cert = cfg.cert_pem ?? read(cfg.cert_file!, 'cert_file');
  const key = cfg.key_pem?.reveal() ?? read(cfg.key_file!, 'key_file');
  const ca = cfg.client_ca_pem ?? (cfg.client_ca_file ? read(cfg.client_ca_file, 'client_ca_file') : undefined);
  const requestCert = cfg.client_auth_type !== 'NoClientCert';
  // HTTP/1.1 whenever the client offers it (browsers offer h2 too but get the
  // express app); h2 only for a client that speaks nothing else (gossip peers).
  // A client offering neither is refused at the handshake (no_application_protocol).
  const ALPNCallback = ({ protocols }: { protocols: string[] }) => ['http/1.1', 'h2'].find((p) => protocols.includes(p));
  const options: tls.TlsOptions = { cert, key, ca, requestCert, rejectUnauthorized: false, ALPNCallback };
  if (cfg.cipher_suites.length) options.ciphers = cfg.cipher_suites.map((c) => CIPHER_SUITES[c]).join(':');
  if (cfg.curve_preferences.length) options.ecdhCurve = cfg.curve_preferences.map((c) => CURVES[c]).join(':');
  if (cfg.min_version) options.minVersion = VERSIONS[cfg.min_version];
  if (cfg.max_version) options.maxVersion = VERSIONS[cfg.max_version];
  try {
    return { tls: tls.createServer(options), clientAuth: cfg.client_auth_type };
  } catch (e) {
    throw new Error(`http: tls: ${(e as Error).message}`);
  }
}

/** Go's tls.ClientAuthType decisions after the handshake: may this client go on? */
function clientAllowed(sock: tls.TLSSocket, mode: ClientAuthType): boolean {
  const cert = sock.getPeerCertificate();
  const hasCert = !!cert && Object.keys(cert).length > 0;
  switch (mode) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return true;
    case 'RequireAnyClientCert':
      return hasCert;
    case 'VerifyClientCertIfGiven':
      return !hasCert || sock.authorized;
    case 'RequireAndVerifyClientCert':
      return hasCert && sock.authorized;
  }
}

export interface SwitchableServer {
  /** The HTTP server the connections are handed to (for close/closeAllConnections). */
  server: http.Server;
  url: string;
  /** Serves new connections with TLS (or plain HTTP when undefined). */
  setTls(t: ActiveTls | undefined): void;
  /**
   * Hands connections that open with the HTTP/2 preface to `sink` (gossip on
   * the HTTP port); undefined stops sniffing, everything is HTTP/1.1 again.
   */
  setHttp2(sink: ((socket: Duplex) => void) | undefined): void;
  /** Whether new connections get TLS now. */
  readonly tlsEnabled: boolean;
  close(): Promise<void>;
}

/** Listens on "host:port" (port 0 picks a free one); `initialTls` decides the URL's scheme. */
export function listenSwitchable(handler: RequestListener, addr: string, initialTls?: ActiveTls): Promise<SwitchableServer> {
  const idx = addr.lastIndexOf(':');
  const host = addr.slice(0, idx).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(addr.slice(idx + 1));
  const server = http.createServer(handler);
  server.on('clientError', answerClientError);
  let current = initialTls;
  let http2Sink: ((socket: Duplex) => void) | undefined;
  // Plain or decrypted: HTTP/2 preface to the sink, anything else to HTTP/1.1.
  const dispatch = (socket: Duplex) => {
    const sink = http2Sink;
    if (!sink) {
      server.emit('connection', socket);
      return;
    }
    void sniffProtocol(socket).then((proto) => {
      if (proto === 'h2') sink(socket);
      else if (proto === 'http1') {
        server.emit('connection', socket);
        // The HTTP parser reads the socket's handle directly; the bytes the
        // sniffer pushed back reach it only once the stream flows again.
        socket.resume();
      } else socket.destroy();
    });
  };
  const sockets = new Set<net.Socket>();
  const wired = new WeakSet<tls.Server>();
  // After the handshake, Go's client-auth rules decide; then HTTP takes over the connection.
  const ensureWired = (active: ActiveTls) => {
    if (wired.has(active.tls)) return;
    wired.add(active.tls);
    active.tls.on('secureConnection', (secure: tls.TLSSocket) => {
      if (!clientAllowed(secure, active.clientAuth)) {
        secure.destroy();
        return;
      }
      dispatch(secure);
    });
    active.tls.on('tlsClientError', (_e, sock) => sock.destroy()); // a failed handshake concerns that client only
  };

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const active = current;
    if (!active) {
      dispatch(socket);
      return;
    }
    ensureWired(active);
    active.tls.emit('connection', socket);
  });

  return new Promise((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(port, host, () => {
      tcp.off('error', reject);
      const a = tcp.address() as AddressInfo;
      const h = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        server,
        url: `${initialTls ? 'https' : 'http'}://${h}:${a.port}`,
        setTls: (t) => {
          current = t;
        },
        setHttp2: (sink) => {
          http2Sink = sink;
        },
        get tlsEnabled() {
          return current !== undefined;
        },
        close: () =>
          new Promise<void>((done) => {
            tcp.close(() => done());
            server.closeAllConnections?.();
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}
