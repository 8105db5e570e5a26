// gRPC transport of the gossip protocol: one server per node, a small pool of
// client channels to peers. Unary calls with deadlines; a broken channel is
// dropped so a peer that comes back is reached at once (no reconnect backoff).
// The server either listens on a port of its own (listen) or takes the
// HTTP/2 connections another listener hands it (attach: gossip on the HTTP
// server's port, as Alloy mounts it on its HTTP/2 server).
import type { Duplex } from 'node:stream';
import * as grpc from '@grpc/grpc-js';
import { serviceDefinition, type ByteCounter, type GossipReply, type GossipRequest, type MethodName } from './wire.js';

export type Handler = (req: GossipRequest) => Promise<GossipReply> | GossipReply;
export type Handlers = Record<MethodName, Handler>;

/**
 * A failed call's error: the gRPC error plus `lateMs`, how long after its
 * deadline the failure was seen (a stalled event loop shows up here).
 */
export type CallError = grpc.ServiceError & { lateMs?: number };

/** An error a handler throws to answer with a specific gRPC status. */
export class RpcError extends Error {
  constructor(readonly code: grpc.status, message: string) {
    super(message);
  }
}

/** Test hook: decides whether traffic between two gossip addresses gets through. */
export interface NetworkFilter {
  allow(from: string, to: string): boolean;
}

export interface TransportOptions {
  counter: ByteCounter;
  serverCredentials?: grpc.ServerCredentials;
  channelCredentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Most peer channels kept open at once (least recently used closed first). */
  maxChannels?: number;
  /**
   * Extra time a call gets on a channel that is not connected yet, so its
   * deadline measures the peer's answer, not our dialing (default 0). A
   * refused connection still fails at once.
   */
  connectAllowanceMs?: number;
  network?: NetworkFilter;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.enable_retries': 0,
  'grpc.max_receive_message_length': 16 << 20,
};

type Client = grpc.Client & Record<MethodName, (req: GossipRequest, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, r?: GossipReply) => void) => grpc.ClientUnaryCall>;

interface Pooled {
  client: Client;
  /** Calls in flight: a channel is never closed under a pending call. */
  inflight: number;
}

export class Transport {
  private readonly clients = new Map<string, Pooled>();
  private readonly ClientCtor: grpc.ServiceClientConstructor;
  private closed = false;
  /** host:port this server is bound to (the port is real even if 0 was asked). */
  private boundAddr = '';
  /** Attached mode: takes connections accepted elsewhere. */
  private injector: grpc.ConnectionInjector | undefined;

  private constructor(
    private readonly server: grpc.Server,
    private readonly opts: TransportOptions,
    /** Our advertised address, used only by the network filter. */
    public selfAddr: string,
  ) {
    this.ClientCtor = grpc.makeGenericClientConstructor(serviceDefinition(opts.counter), 'Gossip');
  }

  static async listen(listenAddr: string, handlers: Handlers, opts: TransportOptions): Promise<Transport> {
    const { server, t } = Transport.serving(handlers, opts);
    const creds = opts.serverCredentials ?? grpc.ServerCredentials.createInsecure();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(listenAddr, creds, (err, p) => (err ? reject(new Error(`cluster: cannot listen on ${listenAddr}: ${err.message}`)) : resolve(p))),
    );
    t.boundAddr = `${hostOf(listenAddr)}:${port}`;
    t.selfAddr = t.boundAddr;
    return t;
  }

  /**
   * A transport without a socket of its own: `inject` it the connections
   * (already decrypted when they came over TLS) that another listener
   * accepted at `boundAddr` and found to be HTTP/2.
   */
  static attach(boundAddr: string, handlers: Handlers, opts: TransportOptions): Transport {
    const { t, server } = Transport.serving(handlers, opts);
    // Plain HTTP/2 here: TLS, if any, was the accepting listener's job.
    t.injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    t.boundAddr = boundAddr;
    t.selfAddr = boundAddr;
    return t;
  }

  private static serving(handlers: Handlers, opts: TransportOptions): { server: grpc.Server; t: Transport } {
    const server = new grpc.Server({ 'grpc.max_receive_message_length': 16 << 20 });
    const t = new Transport(server, opts, '');
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [name, h] of Object.entries(handlers)) {
      impl[name] = (call: grpc.ServerUnaryCall<GossipRequest, GossipReply>, cb: grpc.sendUnaryData<GossipReply>) => {
        t.serve(call, cb, h);
      };
    }
    server.addService(serviceDefinition(opts.counter), impl);
    return { server, t };
  }

  /** Attached mode: serve one HTTP/2 connection accepted by the HTTP listener. */
  inject(socket: Duplex): void {
    if (this.closed || !this.injector) {
      socket.destroy();
      return;
    }
    this.injector.injectConnection(socket);
  }

  get port(): number {
    return Number(this.boundAddr.slice(this.boundAddr.lastIndexOf(':') + 1));
  }

  get listenAddr(): string {
    return this.boundAddr;
  }

  /** Peer channels currently open (tests, diagnostics). */
  get openChannels(): number {
    return this.clients.size;
  }

  /** One unary call with a deadline. Rejects with a CallError (code, details, lateness). */
  call(addr: string, method: MethodName, req: GossipRequest, timeoutMs: number): Promise<GossipReply> {
    if (this.closed) return Promise.reject(new RpcError(grpc.status.CANCELLED, 'transport closed'));
    if (this.opts.network && !this.opts.network.allow(this.selfAddr, addr)) {
      // Behave like an unreachable peer, but only after the deadline, as a real partition would.
      const deadline = Date.now() + timeoutMs;
      return new Promise((_, reject) => {
        const t = setTimeout(() => {
          const err = new RpcError(grpc.status.DEADLINE_EXCEEDED, `partitioned from ${addr}`) as RpcError & { lateMs: number };
          err.lateMs = Math.max(0, Date.now() - deadline);
          reject(err);
        }, timeoutMs);
        t.unref?.();
      });
    }
    const pooled = this.client(addr);
    pooled.inflight++;
    const connected = pooled.client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
    const deadline = Date.now() + timeoutMs + (connected ? 0 : (this.opts.connectAllowanceMs ?? 0));
    return new Promise((resolve, reject) => {
      pooled.client[method](req, new grpc.Metadata(), { deadline }, (err, reply) => {
        pooled.inflight--;
        this.trim();
        if (err) {
          if (this.broken(pooled, err.code)) this.drop(addr);
          (err as CallError).lateMs = Math.max(0, Date.now() - deadline);
          reject(err);
        } else resolve(reply as GossipReply);
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.clients.values()) c.client.close();
    this.clients.clear();
    this.injector?.destroy();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 500);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private serve(call: grpc.ServerUnaryCall<GossipRequest, GossipReply>, cb: grpc.sendUnaryData<GossipReply>, h: Handler): void {
    // Partitions are simulated on the calling side only (both sides filter their own calls).
    Promise.resolve()
      .then(() => h(call.request))
      .then(
        (reply) => cb(null, reply),
        (err: unknown) => {
          const code = err instanceof RpcError ? err.code : grpc.status.INTERNAL;
          cb({ code, details: err instanceof Error ? err.message : String(err) } as grpc.ServiceError, null);
        },
      );
  }

  private client(addr: string): Pooled {
    let c = this.clients.get(addr);
    if (c) {
      // Refresh LRU position.
      this.clients.delete(addr);
      this.clients.set(addr, c);
      return c;
    }
    const creds = this.opts.channelCredentials ?? grpc.credentials.createInsecure();
    c = { client: new this.ClientCtor(addr, creds, { ...CHANNEL_OPTIONS, ...this.opts.channelOptions }) as unknown as Client, inflight: 0 };
    this.clients.set(addr, c);
    this.trim(addr);
    return c;
  }

  /** Close least recently used idle channels beyond the cap (busy ones wait for their calls). */
  private trim(keep?: string): void {
    const max = this.opts.maxChannels ?? 256;
    if (this.clients.size <= max) return;
    for (const [addr, c] of this.clients) {
      if (this.clients.size <= max) break;
      if (c.inflight === 0 && addr !== keep) this.drop(addr);
    }
  }

  /**
   * Whether a failed call means the channel itself is bad. A deadline on a
   * connected channel only means the peer (or we) were slow: keep the
   * connection, since a new one costs a handshake and a resolver on both
   * loaded sides (dropping them made overload feed on itself). A deadline
   * while still connecting, or UNAVAILABLE, drops it so the next call dials
   * afresh instead of waiting out grpc's reconnect backoff.
   */
  private broken(pooled: Pooled, code: grpc.status): boolean {
    if (code === grpc.status.UNAVAILABLE) return true;
    if (code !== grpc.status.DEADLINE_EXCEEDED) return false;
    return pooled.client.getChannel().getConnectivityState(false) !== grpc.connectivityState.READY;
  }

  private drop(addr: string): void {
    const c = this.clients.get(addr);
    if (!c || c.inflight > 0) return;
    this.clients.delete(addr);
    c.client.close();
  }
}

export function hostOf(hostPort: string): string {
  const i = hostPort.lastIndexOf(':');
  return i < 0 ? hostPort : hostPort.slice(0, i);
}
