// How a transport tells the sender whether a failed export is worth retrying
// (OTel's consumererror.Permanent vs. everything else), and when the server
// asked to be retried (Retry-After, gRPC RetryInfo).
import type { OtelContext, Signal, SignalData } from '../../pipeline/otel.js';

export class ExportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** One attempt to send one request; rejects with an ExportError (other errors count as retryable). */
export interface ExportTransport {
  export<S extends Signal>(signal: S, data: SignalData[S], ctx: OtelContext | undefined, abort: AbortSignal): Promise<void>;
  close(): void;
}
