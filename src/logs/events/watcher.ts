// One namespace's (or the cluster's, namespace '') Kubernetes Events as log
// lines, as Alloy's event controller does: a shared informer on core/v1
// events; every add, and every update with a new resourceVersion, becomes a
// line stamped with the event's time, sent only when that time is after the
// position read at start (positions key "cursor-events" or
// "cursor-events-<namespace>"). The position moves to the event's time once
// the receivers accepted the line, so a restart does not resend.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { acquireInformer, type InformerEvent, type InformerHandle, type KubeObj } from '../../kube/informers.js';
import { fanout, formatNs, type LogsReceiver } from '../../pipeline/logs.js';
import type { PositionStore } from '../positions/store.js';
import { eventLine, eventTimeNs, type CoreEvent, type EventLogFormat } from './format.js';

export interface EventWatcherOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  jobName: string;
  instance: string;
  format: EventLogFormat;
  positions: PositionStore;
  forward: () => LogsReceiver[];
  logger: Logger;
}

export function eventsPositionKey(namespace: string): string {
  return namespace ? `cursor-events-${namespace}` : 'cursor-events';
}

export class EventWatcher {
  readonly key: string;
  readonly #informer: InformerHandle;
  /** Events at or before this time were delivered by an earlier run. */
  readonly #since: bigint;
  /** Last resourceVersion handled per event (an update without a new one is ignored). */
  readonly #seen = new Map<string, string>();
  #chain: Promise<void> = Promise.resolve();
  #delivered = 0;
  #lastError = '';
  #stopped = false;

  constructor(private readonly o: EventWatcherOptions) {
    this.key = eventsPositionKey(o.namespace);
    this.#since = o.positions.get(this.key)?.ts ?? 0n;
    o.positions.claim(this.key);
    this.#informer = acquireInformer({ kubeConfig: o.kubeConfig, group: '', version: 'v1', resource: 'events', namespace: o.namespace || undefined, logger: o.logger });
    this.#informer.onChange((evs) => this.#onChange(evs));
    // A shared informer may have listed already: its cache is the first batch.
    void this.#informer.whenSynced().then(() => this.#onChange(this.#informer.objects().map((object) => ({ type: 'ADDED' as const, object }))));
    o.logger.info({ namespace: o.namespace || '(all)' }, 'watching events');
  }

  #onChange(events: InformerEvent[]): void {
    if (this.#stopped) return;
    for (const ev of events) {
      if (ev.type === 'DELETED') continue;
      const k = `${ev.object.metadata?.namespace ?? ''}/${ev.object.metadata?.name ?? ''}`;
      const rv = ev.object.metadata?.resourceVersion ?? '';
      if (this.#seen.get(k) === rv) continue;
      this.#seen.set(k, rv);
      this.#handle(ev.object);
    }
    // Forget deleted events (bounded by what the API still holds).
    if (this.#seen.size > 2 * this.#informer.objects().length + 1000) {
      const live = new Set(this.#informer.objects().map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`));
      for (const k of this.#seen.keys()) if (!live.has(k)) this.#seen.delete(k);
    }
  }

  #handle(obj: KubeObj): void {
    const e = obj as CoreEvent;
    const ts = eventTimeNs(e);
    // No ordering between events: only "after the start position" (Alloy's best effort).
    if (ts === undefined || ts <= this.#since) return;
    let line: string;
    try {
      line = eventLine(e, this.o.format);
    } catch (err) {
      this.#lastError = (err as Error).message;
      this.o.logger.warn({ err: this.#lastError }, 'event skipped');
      return;
    }
    const labels = { namespace: e.involvedObject?.namespace ?? '', job: this.o.jobName, instance: this.o.instance };
    if (!labels.namespace) delete (labels as Partial<typeof labels>).namespace;
    const accepted = fanout(this.o.forward(), [{ labels, ts, line }]);
    accepted.catch(() => {});
    this.#chain = this.#chain.then(async () => {
      try {
        await accepted;
      } catch (err) {
        this.#lastError = (err as Error).message;
        this.o.logger.warn({ err: this.#lastError }, 'forwarding an event failed');
        return;
      }
      this.#delivered++;
      const prev = this.o.positions.get(this.key)?.ts ?? 0n;
      if (ts > prev) this.o.positions.set(this.key, { ts, fps: [], updated: Date.now() });
    });
  }

  info(): Record<string, unknown> {
    const ts = this.o.positions.get(this.key)?.ts;
    return { namespace: this.o.namespace, last_event_timestamp: ts ? formatNs(ts) : undefined, delivered: this.#delivered, last_error: this.#lastError || undefined, watch: this.#informer.health() };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#informer.release();
    // Lines handed downstream settle before the position is written for good.
    await Promise.race([this.#chain, new Promise((r) => setTimeout(r, 10_000).unref())]);
    this.o.positions.release(this.key);
  }
}
