// The gossip wire format: round trips, and compatibility with nodes that
// predate a field (protobuf skips unknown fields; absent fields decode empty).
import protobuf from 'protobufjs';
import { decodeReply, decodeRequest, encodeReply, encodeRequest, type GossipRequest, type NodeRecord } from './wire.js';

const node = (over: Partial<NodeRecord> = {}): NodeRecord => ({ name: 'a', addr: '10.0.0.1:7946', incarnation: 3, role: 'participant', status: 'alive', ...over });
const req = (updates: NodeRecord[]): GossipRequest => ({ cluster: 'c', from: 'a', target: '', targetAddr: '', timeoutMs: 0, join: false, updates });

// The Node message as the first release defined it (fields 1-5 only).
const OldNode = protobuf.Root.fromJSON({
  nested: {
    Node: {
      fields: {
        name: { type: 'string', id: 1 },
        addr: { type: 'string', id: 2 },
        incarnation: { type: 'uint32', id: 3 },
        role: { type: 'uint32', id: 4 },
        status: { type: 'uint32', id: 5 },
      },
    },
    Request: { fields: { cluster: { type: 'string', id: 1 }, updates: { rule: 'repeated', type: 'Node', id: 7 } } },
  },
});

test('records round-trip with and without an HTTP address', () => {
  const with_ = node({ httpAddress: 'http://10.0.0.1:12345' });
  const without = node({ name: 'b', status: 'suspect' });
  expect(decodeRequest(encodeRequest(req([with_, without]))).updates).toEqual([with_, without]);
  expect(decodeReply(encodeReply({ from: 'a', ok: true, updates: [with_] }))).toEqual({ from: 'a', ok: true, updates: [with_] });
  expect(decodeReply(encodeReply({ from: 'a', ok: true, updates: [], digest: 0xfedcba98 })).digest).toBe(0xfedcba98);
});

test('an older node decodes new records (the field is skipped), and its records decode without the field', () => {
  const Req = OldNode.lookupType('Request');
  const bytes = encodeRequest(req([node({ httpAddress: 'http://10.0.0.1:12345' })]));
  const old = Req.toObject(Req.decode(bytes), { defaults: true }) as { cluster: string; updates: Record<string, unknown>[] };
  expect(old.cluster).toBe('c');
  expect(old.updates[0]).toMatchObject({ name: 'a', addr: '10.0.0.1:7946', incarnation: 3, role: 1, status: 0 });

  const fromOld = Buffer.from(Req.encode(Req.fromObject({ cluster: 'c', updates: [{ name: 'b', addr: 'x:1', incarnation: 2, role: 1, status: 1 }] })).finish());
  const decoded = decodeRequest(fromOld).updates[0];
  expect(decoded).toEqual({ name: 'b', addr: 'x:1', incarnation: 2, role: 'participant', status: 'suspect' });
  expect('httpAddress' in decoded).toBe(false);
});
