// Loki's push wire format: logproto.PushRequest, protobuf-encoded then
// snappy-compressed (block format), POSTed as application/x-protobuf.
// The schema below is written from the field numbers of Loki's push.proto
// (StreamAdapter / EntryAdapter), which is all the wire cares about.
import protobuf from 'protobufjs';
import { snappyCompress, snappyUncompress } from '../../compress/snappy.js';

const root = protobuf.Root.fromJSON({
  nested: {
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'Stream', id: 1 } } },
        Stream: {
          fields: {
            labels: { type: 'string', id: 1 },
            entries: { rule: 'repeated', type: 'Entry', id: 2 },
            hash: { type: 'uint64', id: 3 },
          },
        },
        Entry: {
          fields: {
            timestamp: { type: 'Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPair', id: 3 },
          },
        },
        LabelPair: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        // google.protobuf.Timestamp, inlined: same field numbers, same wire bytes.
        Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
      },
    },
  },
});

const PushRequestType = root.lookupType('logproto.PushRequest');

export interface PushEntry {
  ts: bigint; // ns
  line: string;
  /** EntryAdapter.structuredMetadata (field 3, repeated LabelPairAdapter): name -> value. */
  structuredMetadata?: Record<string, string>;
}

export interface PushStream {
  /** Label set in Loki's text form: {a="b", c="d"} */
  labels: string;
  entries: PushEntry[];
}

const NS = 1_000_000_000n;

function toTimestamp(ts: bigint): { seconds: number; nanos: number } {
  let s = ts / NS;
  let n = ts % NS;
  if (n < 0n) {
    n += NS;
    s -= 1n;
  }
  return { seconds: Number(s), nanos: Number(n) };
}

/** Encode streams into the raw (uncompressed) protobuf bytes. */
export function encodePushRequest(streams: readonly PushStream[]): Uint8Array {
  const msg = {
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: toTimestamp(e.ts),
        line: e.line,
        structuredMetadata: e.structuredMetadata ? Object.entries(e.structuredMetadata).map(([name, value]) => ({ name, value })) : [],
      })),
    })),
  };
  return PushRequestType.encode(msg).finish();
}

/** Encode + snappy: the HTTP body of a push. */
export function encodePushBody(streams: readonly PushStream[]): Buffer {
  return snappyCompress(encodePushRequest(streams));
}

function longToBigInt(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'bigint') return v;
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const l = v as { low: number; high: number };
    return (BigInt(l.high) << 32n) + BigInt(l.low >>> 0);
  }
  return 0n;
}

/** Decode a raw (uncompressed) PushRequest. Throws on malformed input. */
export function decodePushRequest(bytes: Uint8Array): PushStream[] {
  const msg = PushRequestType.decode(bytes) as unknown as {
    streams?: {
      labels?: string;
      entries?: { timestamp?: { seconds?: unknown; nanos?: number }; line?: string; structuredMetadata?: { name?: string; value?: string }[] }[];
    }[];
  };
  return (msg.streams ?? []).map((s) => ({
    labels: s.labels ?? '',
    entries: (s.entries ?? []).map((e) => {
      const out: PushEntry = { ts: longToBigInt(e.timestamp?.seconds ?? 0) * NS + BigInt(e.timestamp?.nanos ?? 0), line: e.line ?? '' };
      if (e.structuredMetadata && e.structuredMetadata.length > 0) {
        out.structuredMetadata = Object.fromEntries(e.structuredMetadata.map((p) => [p.name ?? '', p.value ?? '']));
      }
      return out;
    }),
  }));
}

/** Snappy-decompress then decode: what a Loki distributor does with a push body. */
export function decodePushBody(body: Uint8Array): PushStream[] {
  return decodePushRequest(snappyUncompress(body));
}

/** Loki's text form of a label set, sorted by name: {a="b", c="d"}. */
export function formatLabels(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    // JSON string escaping is a valid Go string literal for every input.
    out += `${names[i]}=${JSON.stringify(labels[names[i]])}`;
  }
  return out + '}';
}

/** Parse the text form back (used by the test receiver). */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) out[m[1]] = JSON.parse(`"${m[2]}"`) as string;
  return out;
}
