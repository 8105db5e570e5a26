// Where a receiver's decoded requests go: the current output consumers, with
// the accepted/refused counts of obsreport. Both protocol front ends use it.
import { fanoutSignal, type OtelContext, type OtelOutput, type Signal, type SignalData } from '../pipeline/otel.js';
import { itemCount } from './model.js';
import type { ReceiverMetrics } from './receiver-metrics.js';

export class ReceiverSink {
  #output: OtelOutput;
  readonly #metrics: ReceiverMetrics;

  constructor(output: OtelOutput, metrics: ReceiverMetrics) {
    this.#output = output;
    this.#metrics = metrics;
  }

  setOutput(output: OtelOutput): void {
    this.#output = output;
  }

  /** Resolves when every consumer of the signal accepted; rejects (after counting the items refused) otherwise. */
  async deliver<S extends Signal>(signal: S, data: SignalData[S], ctx: OtelContext, transport: string): Promise<void> {
    const n = itemCount(signal, data);
    const consumers = this.#output[signal];
    try {
      if (consumers.length > 0) await fanoutSignal(consumers, signal, data, ctx);
    } catch (e) {
      this.#metrics.refused(signal, transport, n);
      throw e;
    }
    this.#metrics.accepted(signal, transport, n);
  }
}

/** Request metadata for downstream consumers (include_metadata): lowercase names, every value kept. */
export function metadataOf(headers: Record<string, string | string[] | Buffer | (string | Buffer)[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k.startsWith(':')) continue;
    const list = Array.isArray(v) ? v : [v];
    out[k.toLowerCase()] = list.map((x) => (Buffer.isBuffer(x) ? x.toString('base64') : String(x)));
  }
  return out;
}

/** A socket's remote address as the IP alone: IPv4-mapped IPv6 ("::ffff:10.0.0.1") unwrapped. Undefined for none (unix sockets). */
export function clientIp(remoteAddress: string | undefined): string | undefined {
  if (!remoteAddress) return undefined;
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remoteAddress);
  return m ? m[1] : remoteAddress;
}

/** grpc-js's call.getPeer() ("ip:port", "unknown") as the IP alone. */
export function grpcPeerIp(peer: string): string | undefined {
  if (!peer || peer === 'unknown') return undefined;
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(peer);
  return clientIp(m ? m[1] : peer);
}
