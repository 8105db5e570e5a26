// A remote write 2.0 decoder for tests, written from the published spec and
// prompb/io/prometheus/write/v2/types.proto with protobufjs reflection (so it
// shares nothing with the sender's hand-written encoder). It resolves the
// symbol references and checks the rules the spec puts on senders: symbols[0]
// is "", every ref is in range, labels_refs come in pairs sorted by name, a
// series carries samples or histograms but not both, and metadata refs resolve.
import protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    io: {
      nested: {
        prometheus: {
          nested: {
            write: {
              nested: {
                v2: {
                  nested: {
                    Request: {
                      fields: { symbols: { rule: 'repeated', type: 'string', id: 4 }, timeseries: { rule: 'repeated', type: 'TimeSeries', id: 5 } },
                    },
                    TimeSeries: {
                      fields: {
                        labels_refs: { rule: 'repeated', type: 'uint32', id: 1 },
                        samples: { rule: 'repeated', type: 'Sample', id: 2 },
                        histograms: { rule: 'repeated', type: 'bytes', id: 3 },
                        exemplars: { rule: 'repeated', type: 'Exemplar', id: 4 },
                        metadata: { type: 'Metadata', id: 5 },
                      },
                    },
                    Exemplar: { fields: { labels_refs: { rule: 'repeated', type: 'uint32', id: 1 }, value: { type: 'double', id: 2 }, timestamp: { type: 'int64', id: 3 } } },
                    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 }, start_timestamp: { type: 'int64', id: 3 } } },
                    Metadata: { fields: { type: { type: 'uint32', id: 1 }, help_ref: { type: 'uint32', id: 3 }, unit_ref: { type: 'uint32', id: 4 } } },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});
const Request = root.lookupType('io.prometheus.write.v2.Request');

export const V2_CONTENT_TYPE = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

const TYPE_NAMES = ['unspecified', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'];

export interface DecodedV2Series {
  /** Name -> value, and the names in the order sent. */
  labels: Record<string, string>;
  order: string[];
  samples: { t: number; v: number }[];
  /** Raw encoded Histogram messages (decoded by whoever sends them). */
  histograms: Uint8Array[];
  exemplars: { labels: Record<string, string>; value: number; t: number }[];
  metadata: { type: string; help: string; unit: string };
}

export interface DecodedV2Request {
  symbols: string[];
  series: DecodedV2Series[];
}

interface RawV2 {
  symbols?: string[];
  timeseries?: {
    labels_refs?: number[];
    samples?: { value?: number; timestamp?: number }[];
    histograms?: Uint8Array[];
    exemplars?: { labels_refs?: number[]; value?: number; timestamp?: number }[];
    metadata?: { type?: number; help_ref?: number; unit_ref?: number };
  }[];
}

/** Decodes an uncompressed Request; throws with the rule broken. */
export function decodeV2Request(buf: Uint8Array): DecodedV2Request {
  const raw = Request.toObject(Request.decode(buf), { longs: Number, defaults: true, arrays: true }) as RawV2;
  const symbols = raw.symbols ?? [];
  if (symbols.length > 0 && symbols[0] !== '') throw new Error(`symbols[0] must be "", got ${JSON.stringify(symbols[0])}`);
  const sym = (ref: number, what: string) => {
    if (ref >= symbols.length) throw new Error(`${what}: symbol ref ${ref} out of range (${symbols.length} symbols)`);
    return symbols[ref]!;
  };
  const pairs = (refs: number[], what: string) => {
    if (refs.length % 2 !== 0) throw new Error(`${what}: labels_refs has an odd length ${refs.length}`);
    const labels: Record<string, string> = {};
    const order: string[] = [];
    for (let i = 0; i < refs.length; i += 2) {
      const name = sym(refs[i]!, what);
      if (order.length > 0 && name <= order[order.length - 1]!) throw new Error(`${what}: label names not sorted/unique at ${JSON.stringify(name)}`);
      order.push(name);
      labels[name] = sym(refs[i + 1]!, what);
    }
    return { labels, order };
  };
  const series = (raw.timeseries ?? []).map((ts, i): DecodedV2Series => {
    const what = `timeseries[${i}]`;
    const { labels, order } = pairs(ts.labels_refs ?? [], what);
    if (order.length === 0) throw new Error(`${what}: no labels`);
    const samples = (ts.samples ?? []).map((s) => ({ t: Number(s.timestamp ?? 0), v: s.value ?? 0 }));
    const histograms = ts.histograms ?? [];
    if (samples.length > 0 && histograms.length > 0) throw new Error(`${what}: both samples and histograms`);
    if (samples.length === 0 && histograms.length === 0) throw new Error(`${what}: neither samples nor histograms`);
    const exemplars = (ts.exemplars ?? []).map((e, k) => ({ labels: pairs(e.labels_refs ?? [], `${what}.exemplars[${k}]`).labels, value: e.value ?? 0, t: Number(e.timestamp ?? 0) }));
    const m = ts.metadata ?? {};
    const metadata = { type: TYPE_NAMES[m.type ?? 0] ?? `type${m.type}`, help: sym(m.help_ref ?? 0, `${what}.metadata`), unit: sym(m.unit_ref ?? 0, `${what}.metadata`) };
    return { labels, order, samples, histograms, exemplars, metadata };
  });
  return { symbols, series };
}
