// The remotecfg service's own metrics, with Alloy's names.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class RemotecfgMetrics {
  readonly configHash: Gauge<'hash'>;
  readonly lastReceivedHash: Gauge<'hash'>;
  readonly lastLoadSuccessful: Gauge;
  readonly lastLoadNotModified: Gauge;
  readonly loadFailures: Counter;
  readonly loadAttempts: Counter;
  readonly lastLoadSuccessTimestamp: Gauge;
  readonly requestDuration: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    this.configHash = new Gauge({ name: 'remotecfg_hash', help: 'Hash of the currently active remote configuration.', labelNames: ['hash'], registers });
    this.lastReceivedHash = new Gauge({ name: 'remotecfg_last_received_hash', help: 'Hash of the last received remote configuration.', labelNames: ['hash'], registers });
    this.lastLoadSuccessful = new Gauge({ name: 'remotecfg_last_load_successful', help: 'Remote config loaded successfully', registers });
    this.lastLoadNotModified = new Gauge({ name: 'remotecfg_last_load_not_modified', help: 'Remote config not modified since last fetch', registers });
    this.loadFailures = new Counter({ name: 'remotecfg_load_failures_total', help: 'Remote configuration load failures', registers });
    this.loadAttempts = new Counter({ name: 'remotecfg_load_attempts_total', help: 'Attempts to load remote configuration', registers });
    this.lastLoadSuccessTimestamp = new Gauge({ name: 'remotecfg_last_load_success_timestamp_seconds', help: 'Timestamp of the last successful remote configuration load', registers });
    this.requestDuration = new Histogram({ name: 'remotecfg_request_duration_seconds', help: 'Duration of remote configuration requests.', registers });
  }

  /** One hash at a time: the previous one's series goes (Alloy's gauge would keep it at 1). */
  static setHash(g: Gauge<'hash'>, hash: string): void {
    g.reset();
    if (hash) g.set({ hash }, 1);
  }
}
