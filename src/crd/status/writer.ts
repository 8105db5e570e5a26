// Writes each resource's Accepted condition and target count through the
// status subresource (PATCH .../<name>/status, a JSON merge patch). One
// writer per component across a cluster: only the ring owner of the
// component's id writes, so two instances never race on one status. Writes
// happen only when the status differs from what the resource already says;
// a failed write is logged (once per reason) and retried with backoff.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ClusterOwnership } from '../../clustering/ownership.js';
import { Backoff } from '../../net/backoff.js';
import { resourcePath } from '../../kube/resource.js';
import { patchJSON } from '../../kube/write.js';
import { type CrVerdict, statusPatch } from './condition.js';

export interface StatusWriterOptions {
  group: string;
  version: string;
  /** Plural: "servicemonitors", "probes". */
  resource: string;
  kind: string;
  cluster: ClusterOwnership;
  /** The component id: the ring key deciding the one writer. */
  key: string;
  logger: Logger;
  /** Called after a failure's backoff, to report again. */
  onRetry: () => void;
  minBackoffMs?: number;
}

export interface StatusWriteRecord {
  name: string;
  time: string;
  result: string;
}

export class StatusWriter {
  private kc: KubeConfig | undefined;
  private pending: CrVerdict[] | undefined;
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private readonly recent: StatusWriteRecord[] = [];
  private warned = new Set<string>();
  private stopped = false;
  private last: CrVerdict[] = [];
  private readonly unsubscribe: () => void;
  role: 'writer' | 'standby' = 'standby';
  writes = 0;

  constructor(private readonly o: StatusWriterOptions) {
    this.backoff = new Backoff({ minMs: o.minBackoffMs ?? 1000, maxMs: 30_000 });
    // Taking over the component's key makes this node the writer: bring the statuses up to date.
    this.unsubscribe = o.cluster.onChange(() => {
      if (o.cluster.owns(o.key) && this.role === 'standby') this.report(this.last);
    });
  }

  setKubeConfig(kc: KubeConfig | undefined): void {
    this.kc = kc;
  }

  /** The verdicts of one recompute; written in the background, latest wins. */
  report(verdicts: CrVerdict[]): void {
    if (this.stopped) return;
    this.last = verdicts;
    this.pending = verdicts;
    if (!this.running) this.running = this.drain().finally(() => (this.running = undefined));
  }

  private async drain(): Promise<void> {
    while (this.pending && !this.stopped) {
      const v = this.pending;
      this.pending = undefined;
      await this.writeAll(v);
    }
  }

  private async writeAll(verdicts: CrVerdict[]): Promise<void> {
    const kc = this.kc;
    if (!kc) return;
    if (!this.o.cluster.owns(this.o.key)) {
      this.role = 'standby';
      return;
    }
    this.role = 'writer';
    let failed = false;
    for (const v of verdicts) {
      if (this.stopped) return;
      const patch = statusPatch(v);
      if (!patch) continue;
      const name = `${this.o.kind}/${v.namespace}/${v.name}`;
      const path = `${resourcePath({ group: this.o.group, version: this.o.version, resource: this.o.resource, namespace: v.namespace })}/${encodeURIComponent(v.name)}/status`;
      try {
        await patchJSON(kc, path, patch, this.abort.signal);
        this.writes++;
        this.record(name, 'ok');
        this.warned.delete(name);
      } catch (e) {
        if (this.stopped) return;
        const msg = (e as Error).message;
        this.record(name, msg);
        // A resource deleted meanwhile is no failure: its verdict goes with it.
        if ((e as { status?: number }).status === 404) continue;
        failed = true;
        if (!this.warned.has(name)) this.o.logger.warn({ cr: name, err: msg }, 'writing the status failed (RBAC needs patch on the status subresource)');
        this.warned.add(name);
      }
    }
    if (failed) this.scheduleRetry();
    else this.backoff.reset();
  }

  private scheduleRetry(): void {
    if (this.retry || this.stopped) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.o.onRetry();
    }, this.backoff.next());
    this.retry.unref();
  }

  private record(name: string, result: string): void {
    this.recent.push({ name, time: new Date().toISOString(), result });
    if (this.recent.length > 20) this.recent.shift();
  }

  /** For tests: resolves when no write is in flight. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100 && this.running; i++) await this.running;
  }

  debugInfo(): { role: string; writes: number; recent: StatusWriteRecord[] } {
    return { role: this.role, writes: this.writes, recent: this.recent.slice() };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe();
    if (this.retry) clearTimeout(this.retry);
    this.abort.abort();
    await this.running?.catch(() => {});
  }
}
