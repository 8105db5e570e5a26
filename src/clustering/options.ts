// The --cluster.* command-line flags (named as Alloy names them) and their
// translation into ClusterOptions. As in Alloy, gossip (HTTP/2) rides on the
// --server.http.listen-addr port by default; ours adds --cluster.listen-addr,
// a port of its own for the gossip (gRPC) server, when that is wanted.
import { hostname } from 'node:os';
import { parseDuration } from '../syntax/duration.js';

export interface ClusterTlsOptions {
  caPath: string;
  certPath: string;
  keyPath: string;
  /** Name expected in peers' certificates (--cluster.tls-server-name). */
  serverName?: string;
}

export interface ClusterOptions {
  enabled: boolean;
  nodeName: string;
  /** host[:port] other nodes reach this one at; inferred when absent. */
  advertiseAddress?: string;
  /**
   * host:port of a gossip (gRPC) server of its own (port 0 picks a free
   * port); undefined: gossip is served on the HTTP server's port.
   */
  listenAddr?: string;
  joinAddresses: string[];
  /** 0 disables periodic rejoin. */
  rejoinIntervalMs: number;
  clusterName: string;
  waitForSize: number;
  /** 0 = wait forever. */
  waitTimeoutMs: number;
  tls?: ClusterTlsOptions;
  /** Most peers contacted per (re)join; 0 = all (default 5). */
  maxJoinPeers?: number;
  /** Interfaces an advertise address is inferred from (default eth0, en0). */
  advertiseInterfaces?: string[];
}

export interface FlagSpec {
  name: string;
  help: string;
  default?: string;
  /** A switch: "--cluster.enabled" alone means true. */
  boolean?: boolean;
}

export const clusterFlags: FlagSpec[] = [
  { name: 'cluster.enabled', help: 'Start in clustered mode.', default: 'false', boolean: true },
  { name: 'cluster.node-name', help: "The name to use for this node (defaults to the host's name).", default: '' },
  { name: 'cluster.advertise-address', help: 'Address (host[:port]) to advertise to other cluster nodes.', default: '' },
  { name: 'cluster.advertise-interfaces', help: 'Comma-separated interfaces an advertise address is inferred from ("all" for any).', default: 'eth0,en0' },
  {
    name: 'cluster.listen-addr',
    help: 'Address of a separate port for the gossip server (default: gossip shares --server.http.listen-addr over HTTP/2).',
    default: '',
  },
  { name: 'cluster.join-addresses', help: 'Comma-separated addresses (IPs or DNS names, optional port) to join the cluster at.', default: '' },
  { name: 'cluster.discover-peers', help: 'Not supported: use --cluster.join-addresses (a DNS name resolves to all its addresses).', default: '' },
  { name: 'cluster.rejoin-interval', help: 'How often to re-resolve and rejoin the join addresses ("0s" disables).', default: '60s' },
  { name: 'cluster.max-join-peers', help: 'Number of peers to join from the resolved set (0 = all).', default: '5' },
  { name: 'cluster.name', help: 'Name that keeps nodes of other clusters from joining this one.', default: '' },
  { name: 'cluster.enable-tls', help: 'Encrypt gossip with TLS.', default: 'false', boolean: true },
  { name: 'cluster.tls-ca-path', help: 'CA certificate file that peers must be signed by.', default: '' },
  { name: 'cluster.tls-cert-path', help: 'Certificate file of this node.', default: '' },
  { name: 'cluster.tls-key-path', help: 'Private key file of this node.', default: '' },
  { name: 'cluster.tls-server-name', help: 'Server name expected in peer certificates.', default: '' },
  { name: 'cluster.wait-for-size', help: 'Participants needed before any node takes work (0 disables).', default: '0' },
  { name: 'cluster.wait-timeout', help: 'Give up waiting for --cluster.wait-for-size after this long ("0s" waits forever).', default: '0s' },
];


/** Read flags (keys with or without the leading "--") into ClusterOptions. Throws naming the bad flag. */
export function parseClusterFlags(flags: Record<string, string | boolean>): ClusterOptions {
  const get = (name: string): string | boolean | undefined => flags[name] ?? flags[`--${name}`];
  const str = (name: string): string => {
    const v = get(name);
    if (v === undefined || v === false) return clusterFlags.find((f) => f.name === name)?.default ?? '';
    if (v === true) throw new Error(`--${name}: a value is required`);
    return v.trim();
  };
  const bool = (name: string): boolean => {
    const v = get(name);
    if (v === undefined) return str(name) === 'true';
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '') return true;
    if (v === 'false') return false;
    throw new Error(`--${name}: expected true or false, got "${v}"`);
  };
  const int = (name: string): number => {
    const s = str(name);
    if (!/^\d+$/.test(s)) throw new Error(`--${name}: expected a non-negative integer, got "${s}"`);
    return Number(s);
  };
  const duration = (name: string): number => {
    const s = str(name);
    try {
      const ms = parseDuration(s);
      if (!(ms >= 0)) throw new Error('negative');
      return ms;
    } catch (err) {
      throw new Error(`--${name}: invalid duration "${s}" (${(err as Error).message})`);
    }
  };
  const list = (name: string): string[] =>
    str(name)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  if (str('cluster.discover-peers')) {
    throw new Error('--cluster.discover-peers is not supported; list the peers (or a DNS name resolving to them) in --cluster.join-addresses');
  }
  const listenAddr = str('cluster.listen-addr') || undefined;
  if (listenAddr) assertHostPort('cluster.listen-addr', listenAddr);
  // Without a port of its own, gossip is served (and advertised) at the HTTP address.
  const httpAddr = flags['server.http.listen-addr'] ?? flags['--server.http.listen-addr'];
  if (typeof httpAddr === 'string' && httpAddr) assertHostPort('server.http.listen-addr', httpAddr);
  const nodeName = str('cluster.node-name') || hostname();
  const opts: ClusterOptions = {
    enabled: bool('cluster.enabled'),
    nodeName,
    advertiseAddress: str('cluster.advertise-address') || undefined,
    listenAddr,
    joinAddresses: list('cluster.join-addresses'),
    rejoinIntervalMs: duration('cluster.rejoin-interval'),
    clusterName: str('cluster.name'),
    waitForSize: int('cluster.wait-for-size'),
    waitTimeoutMs: duration('cluster.wait-timeout'),
    maxJoinPeers: int('cluster.max-join-peers'),
    advertiseInterfaces: list('cluster.advertise-interfaces'),
  };
  if (bool('cluster.enable-tls')) {
    const caPath = str('cluster.tls-ca-path');
    const certPath = str('cluster.tls-cert-path');
    const keyPath = str('cluster.tls-key-path');
    const missing = [
      ['cluster.tls-ca-path', caPath],
      ['cluster.tls-cert-path', certPath],
      ['cluster.tls-key-path', keyPath],
    ].filter(([, v]) => !v);
    if (missing.length) throw new Error(`--cluster.enable-tls needs ${missing.map(([n]) => `--${n}`).join(', ')}`);
    opts.tls = { caPath, certPath, keyPath, serverName: str('cluster.tls-server-name') || undefined };
  }
  return opts;
}

function assertHostPort(flag: string, v: string): void {
  const i = v.lastIndexOf(':');
  const port = Number(v.slice(i + 1));
  if (i < 0 || v.slice(i + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--${flag}: expected host:port, got "${v}"`);
  }
}
