// Building a component's Kubernetes client and informers can fail before any
// request is made (no configuration yet, an unreadable kubeconfig). Such a
// component stays up, unhealthy with the reason, and tries again with
// backoff, as Alloy's startup does; an API server that does not answer is
// retried by the informers themselves. One helper for the CR components that
// open their client this way (mimir/loki rules, mimir alerts).
import { Backoff } from '../net/backoff.js';

/** Longest wait between two attempts to build the client. */
export const KUBE_RETRY_MAX_MS = 10_000;

export interface KubeOpenRetryOptions {
  /** First wait (default 1 s), doubling up to KUBE_RETRY_MAX_MS. */
  minBackoffMs?: number;
  /** What the component watches, for the health message ("PrometheusRules"). */
  what: string;
  setHealth(health: 'unhealthy', message: string): void;
  logger: { warn(obj: object, msg: string): void };
  /** Builds the client for `key`; throws when it cannot. */
  open(key: string): void;
  /** Called after a retry succeeded (the first attempt's success is the caller's to handle). */
  opened(): void;
  /** False once the component stopped or no longer wants this key. */
  wanted(key: string): boolean;
}

export class KubeOpenRetry {
  private pending: { key: string; timer?: NodeJS.Timeout; backoff: Backoff; error: string } | undefined;

  constructor(private readonly o: KubeOpenRetryOptions) {}

  /** The key a retry is pending for, if any. */
  get key(): string | undefined {
    return this.pending?.key;
  }

  /** The last error while a retry is pending (debug info). */
  get error(): string | undefined {
    return this.pending?.error;
  }

  /** Tries to open now; on failure reports it and schedules the next attempt. */
  attempt(key: string): void {
    if (this.pending?.timer) clearTimeout(this.pending.timer);
    try {
      this.o.open(key);
      this.pending = undefined;
    } catch (e) {
      const r = (this.pending = this.pending?.key === key ? this.pending : { key, backoff: new Backoff({ minMs: this.o.minBackoffMs ?? 1000, maxMs: KUBE_RETRY_MAX_MS }), error: '' });
      r.error = (e as Error).message;
      const wait = r.backoff.next();
      this.o.setHealth('unhealthy', `cannot watch ${this.o.what} (retrying in ${wait} ms): ${r.error}`);
      this.o.logger.warn({ err: r.error, retry_ms: wait }, 'building the Kubernetes client failed');
      r.timer = setTimeout(() => {
        if (this.pending !== r || !this.o.wanted(key)) return;
        this.attempt(key);
        if (this.pending === undefined) this.o.opened();
      }, wait);
      r.timer.unref();
    }
  }

  cancel(): void {
    if (this.pending?.timer) clearTimeout(this.pending.timer);
  }
}
