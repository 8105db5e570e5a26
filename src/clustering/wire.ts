// Wire format of the gossip service: protobuf messages (defined here in code,
// since proto-loader is not installed) and the grpc-js service definition.
// Every RPC is unary and carries piggy-backed membership updates both ways.
import protobuf from 'protobufjs';
import type { ServiceDefinition } from '@grpc/grpc-js';

/** Liveness as seen by the failure detector. */
export type Status = 'alive' | 'suspect' | 'dead' | 'left';
/** Role in workload distribution, set only by the node itself. */
export type Role = 'viewer' | 'participant' | 'terminating';

/** One node's record: the unit of gossip and of full state sync. */
export interface NodeRecord {
  name: string;
  /** host:port of the node's gossip server. */
  addr: string;
  incarnation: number;
  role: Role;
  status: Status;
  /**
   * Base URL of the node's HTTP server ("http://host:port"), once it listens.
   * Added after the first release of the wire format: absent (empty on the
   * wire) from older nodes, and ignored by them.
   */
  httpAddress?: string;
  /**
   * With status "suspect": the member that raised this accusation, so others
   * count independent confirmations (Lifeguard). Also newer than the first
   * wire format; older nodes drop it when they relay.
   */
  suspector?: string;
}

/** Request of every RPC; unused fields stay at their zero value. */
export interface GossipRequest {
  cluster: string;
  from: string;
  /** Ping / IndirectPing: the name the probed node must have. */
  target: string;
  /** IndirectPing: where to reach the target. */
  targetAddr: string;
  /** IndirectPing: the deadline the relay gives its own ping. */
  timeoutMs: number;
  /** Sync: true on join (name conflicts are checked). */
  join: boolean;
  /** Piggy-backed updates, or the full state for Sync. */
  updates: NodeRecord[];
}

export interface GossipReply {
  from: string;
  /** IndirectPing: whether the target acknowledged. */
  ok: boolean;
  updates: NodeRecord[];
  /**
   * Ping: digest of the replier's live member table (MemberTable.digest), so
   * the prober notices when their views stay apart. 0 or absent from older
   * nodes.
   */
  digest?: number;
}

export const ROLES: Role[] = ['viewer', 'participant', 'terminating'];
export const STATUSES: Status[] = ['alive', 'suspect', 'dead', 'left'];

const root = protobuf.Root.fromJSON({
  nested: {
    alloyts: {
      nested: {
        Node: {
          fields: {
            name: { type: 'string', id: 1 },
            addr: { type: 'string', id: 2 },
            incarnation: { type: 'uint32', id: 3 },
            role: { type: 'uint32', id: 4 },
            status: { type: 'uint32', id: 5 },
            // New fields get new ids: older decoders skip unknown fields.
            httpAddress: { type: 'string', id: 6 },
            suspector: { type: 'string', id: 7 },
          },
        },
        Request: {
          fields: {
            cluster: { type: 'string', id: 1 },
            from: { type: 'string', id: 2 },
            target: { type: 'string', id: 3 },
            targetAddr: { type: 'string', id: 4 },
            timeoutMs: { type: 'uint32', id: 5 },
            join: { type: 'bool', id: 6 },
            updates: { rule: 'repeated', type: 'Node', id: 7 },
          },
        },
        Reply: {
          fields: {
            from: { type: 'string', id: 1 },
            ok: { type: 'bool', id: 2 },
            updates: { rule: 'repeated', type: 'Node', id: 3 },
            digest: { type: 'uint32', id: 4 },
          },
        },
      },
    },
  },
});

const RequestType = root.lookupType('alloyts.Request');
const ReplyType = root.lookupType('alloyts.Reply');

interface WireNode {
  name: string;
  addr: string;
  incarnation: number;
  role: number;
  status: number;
  httpAddress: string;
  suspector: string;
}

function toWire(n: NodeRecord): WireNode {
  return {
    name: n.name,
    addr: n.addr,
    incarnation: n.incarnation,
    role: ROLES.indexOf(n.role),
    status: STATUSES.indexOf(n.status),
    httpAddress: n.httpAddress ?? '',
    suspector: n.status === 'suspect' ? (n.suspector ?? '') : '',
  };
}

function fromWire(n: Partial<WireNode>): NodeRecord {
  const role = ROLES[n.role ?? 0];
  const status = STATUSES[n.status ?? 0];
  if (!n.name || !role || !status) throw new Error(`malformed node record ${JSON.stringify(n)}`);
  const rec: NodeRecord = { name: n.name, addr: n.addr ?? '', incarnation: n.incarnation ?? 0, role, status };
  if (n.httpAddress) rec.httpAddress = n.httpAddress;
  if (n.suspector && status === 'suspect') rec.suspector = n.suspector;
  return rec;
}

export function encodeRequest(r: GossipRequest): Buffer {
  const msg = RequestType.fromObject({ ...r, updates: r.updates.map(toWire) });
  return Buffer.from(RequestType.encode(msg).finish());
}

export function decodeRequest(b: Buffer): GossipRequest {
  const o = RequestType.toObject(RequestType.decode(b), { defaults: true }) as any;
  return {
    cluster: o.cluster,
    from: o.from,
    target: o.target,
    targetAddr: o.targetAddr,
    timeoutMs: o.timeoutMs,
    join: o.join,
    updates: (o.updates ?? []).map(fromWire),
  };
}

export function encodeReply(r: GossipReply): Buffer {
  const msg = ReplyType.fromObject({ ...r, updates: r.updates.map(toWire) });
  return Buffer.from(ReplyType.encode(msg).finish());
}

export function decodeReply(b: Buffer): GossipReply {
  const o = ReplyType.toObject(ReplyType.decode(b), { defaults: true }) as any;
  const reply: GossipReply = { from: o.from, ok: o.ok, updates: (o.updates ?? []).map(fromWire) };
  if (o.digest) reply.digest = o.digest >>> 0;
  return reply;
}

export type MethodName = 'Ping' | 'IndirectPing' | 'Gossip' | 'Sync';
export const METHODS: MethodName[] = ['Ping', 'IndirectPing', 'Gossip', 'Sync'];

/** Byte counters the serializers feed (transport metrics). */
export interface ByteCounter {
  tx(bytes: number): void;
  rx(bytes: number): void;
}

/**
 * The service definition, with serializers that count bytes on the wire.
 * Client side: serialize = tx, deserialize = rx; server side the reverse.
 * The server and the client each get their own definition so each node in a
 * process counts its own traffic.
 */
export function serviceDefinition(counter: ByteCounter): ServiceDefinition {
  const def: Record<string, ServiceDefinition[string]> = {};
  for (const m of METHODS) {
    def[m] = {
      path: `/alloyts.cluster.Gossip/${m}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (r: GossipRequest) => {
        const b = encodeRequest(r);
        counter.tx(b.length);
        return b;
      },
      requestDeserialize: (b: Buffer) => {
        counter.rx(b.length);
        return decodeRequest(b);
      },
      responseSerialize: (r: GossipReply) => {
        const b = encodeReply(r);
        counter.tx(b.length);
        return b;
      },
      responseDeserialize: (b: Buffer) => {
        counter.rx(b.length);
        return decodeReply(b);
      },
    };
  }
  return def as ServiceDefinition;
}
