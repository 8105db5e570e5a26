// mimir.alerts.kubernetes: AlertmanagerConfig resources (label and
// namespace selectors) merged into global_config are the desired
// Alertmanager configuration of the Mimir tenant; the Alertmanager API's
// current configuration is the actual state; a difference is one POST.
// Runs on Kubernetes changes (debounced), every sync_interval (re-reading
// Mimir), and on retry with backoff after a failure. An invalid CR (or one
// whose Secret cannot be read) is left out with its reason; the others still
// sync. In a cluster only the owner of the component's key writes (Alloy's
// component has no clustering: every instance would post the same config).
import type { KubeConfig } from '@kubernetes/client-node';
import { Counter, Histogram } from 'prom-client';
import { isDeepStrictEqual } from 'node:util';
import YAML from 'yaml';
import { Backoff } from '../../net/backoff.js';
import { KubeOpenRetry } from '../kube-open-retry.js';
import { acquireInformer, type InformerHandle } from '../../kube/informers.js';
import { revealString, Secret } from '../../syntax/secret.js';
import type { Component, ComponentContext } from '../../runtime/types.js';
import { crName } from '../operator/monitor.js';
import { PendingError, RefStore } from '../operator/secrets.js';
import { fromBlock, matchesSelector, selectorString } from '../selector.js';
import { rulesKubeConfig } from '../rules/kube-config.js';
import { alertmanagerClientConfig, type AlertsArgs, validateAlertsArgs } from './args.js';
import { AlertmanagerClient, type AlertmanagerState } from './alertmanager-client.js';
import { ConfigApiError } from '../api-client.js';
import { convertAlertmanagerConfig, type CrPart, mergeAlertmanagerConfig, parseBaseConfig, renderAlertmanagerConfig } from './merge.js';

export interface AlertmanagerConfigStatus {
  name: string;
  state: 'ok' | 'error';
  receivers: number;
  error?: string;
}

export interface AlertsComponentOptions {
  debounceMs?: number;
  /** First retry delay after a failed sync (default 1 s), doubling up to maxBackoffMs (default 30 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

type KubeObj = { metadata?: { name?: string; namespace?: string; labels?: Record<string, string> } };

const KIND = 'AlertmanagerConfig';

/** What started a sync, as Alloy's event types name it. */
type EventType = 'resource-changed' | 'sync-mimir';

function secretsKey(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x instanceof Secret ? { secret: x.reveal() } : x));
}

/** Parsed YAML for comparing configurations (key order, quoting and layout do not count). */
function sameState(a: AlertmanagerState, b: AlertmanagerState): boolean {
  let pa: unknown;
  let pb: unknown;
  try {
    pa = YAML.parse(a.alertmanager_config);
    pb = YAML.parse(b.alertmanager_config);
  } catch {
    return false;
  }
  return isDeepStrictEqual(pa, pb) && isDeepStrictEqual({ ...a.template_files }, { ...b.template_files });
}

export class AlertsComponent implements Component<Record<string, unknown>> {
  private args: AlertsArgs | undefined;
  private base: Record<string, any> | undefined;
  private kube: { key: string; kc: KubeConfig; configs: InformerHandle; namespaces?: InformerHandle; refs: RefStore } | undefined;
  private client: { key: string; c: AlertmanagerClient } | undefined;
  /** What Mimir holds, as last read or written; undefined: read it first. */
  private actual: AlertmanagerState | null | undefined;
  private timer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private readonly kubeRetry: KubeOpenRetry;
  private running: Promise<void> | undefined;
  private again = false;
  private backoffMs = 0;
  private backoff: Backoff | undefined;
  private stopped = false;
  private unsubscribeCluster: () => void;
  private statuses: AlertmanagerConfigStatus[] = [];
  private readonly pushes: { time: string; result: string; alertmanager_configs: number }[] = [];
  private lastSync: string | undefined;
  private lastError: string | undefined;
  private role: 'writer' | 'standby' = 'standby';
  private loggedSkips = new Map<string, string>();
  private loggedRefusal: string | undefined;
  /** A configuration Mimir refused (4xx) and why: not sent again until it changes or sync_interval passes. */
  private refused: { state: AlertmanagerState; reason: string } | undefined;

  /** Alloy's debug metrics of the component (names and labels as Alloy registers them). */
  private readonly metrics: { configUpdates: Counter; events: Counter; eventsFailed: Counter; eventsRetried: Counter; requestDuration: Histogram };
  /** The kind of the next sync: a periodic one unless a Kubernetes change or retry asked for it. */
  private nextEvent: EventType = 'resource-changed';

  constructor(
    private readonly ctx: ComponentContext,
    private readonly opts: AlertsComponentOptions = {},
  ) {
    const registers = [ctx.metrics];
    this.metrics = {
      configUpdates: new Counter({ name: 'mimir_alerts_config_updates_total', help: 'Total number of times the configuration has been updated.', registers }),
      events: new Counter({ name: 'mimir_alerts_events_total', help: 'Total number of events processed, partitioned by event type.', labelNames: ['type'], registers }),
      eventsFailed: new Counter({ name: 'mimir_alerts_events_failed_total', help: 'Total number of events that failed to be processed, even after retries, partitioned by event type.', labelNames: ['type'], registers }),
      eventsRetried: new Counter({ name: 'mimir_alerts_events_retried_total', help: 'Total number of retries across all events, partitioned by event type.', labelNames: ['type'], registers }),
      requestDuration: new Histogram({
        name: 'mimir_alerts_mimir_client_request_duration_seconds',
        help: 'Duration of requests to the Mimir API.',
        labelNames: ['operation', 'status_code'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers,
      }),
    };
    this.unsubscribeCluster = ctx.cluster.onChange(() => this.schedule(0));
    this.kubeRetry = new KubeOpenRetry({
      minBackoffMs: this.opts.minBackoffMs,
      what: 'AlertmanagerConfigs',
      setHealth: (h, m) => ctx.setHealth(h, m),
      logger: ctx.logger,
      open: (key) => this.openKube(this.args!, key),
      opened: () => this.schedule(0),
      wanted: () => !this.stopped && this.args !== undefined,
    });
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  async update(raw: Record<string, unknown>): Promise<void> {
    if (this.stopped) return;
    const args = raw as unknown as AlertsArgs;
    validateAlertsArgs(args);
    this.metrics.configUpdates.inc();
    // A global_config that does not parse is a configuration error (Alloy fails its startup on it).
    const base = parseBaseConfig(revealString(args.global_config) ?? '');
    const prev = this.args;
    this.args = args;
    this.base = base;
    const kubeKey = secretsKey([args.client ?? {}, args.alertmanagerconfig_selector ?? {}, !!args.alertmanagerconfig_namespace_selector]);
    if (this.kube?.key !== kubeKey && this.kubeRetry.key !== kubeKey) {
      await this.closeKube();
      this.kubeRetry.attempt(kubeKey);
    }
    const clientKey = secretsKey(alertmanagerClientConfig(args));
    if (this.client?.key !== clientKey) {
      this.client?.c.close();
      this.client = { key: clientKey, c: new AlertmanagerClient(alertmanagerClientConfig(args)) };
      this.refused = undefined;
      this.actual = undefined; // a different Alertmanager: read it first
    }
    if (!prev || prev.sync_interval !== args.sync_interval) {
      if (this.syncTimer) clearInterval(this.syncTimer);
      this.syncTimer = setInterval(() => {
        this.actual = undefined;
        this.refused = undefined;
        this.nextEvent = 'sync-mimir';
        this.schedule(0);
      }, args.sync_interval);
      this.syncTimer.unref();
    }
    this.schedule(0);
  }

  private openKube(a: AlertsArgs, key: string): void {
    const kc = rulesKubeConfig(a.client);
    const onChange = () => this.schedule();
    const common = { kubeConfig: kc, logger: this.ctx.logger };
    const configs = acquireInformer({
      ...common,
      group: 'monitoring.coreos.com',
      version: 'v1alpha1',
      resource: 'alertmanagerconfigs',
      labelSelector: selectorString(fromBlock(a.alertmanagerconfig_selector)) || undefined,
    });
    configs.onChange(onChange);
    configs.onHealth(onChange);
    let namespaces: InformerHandle | undefined;
    if (a.alertmanagerconfig_namespace_selector) {
      namespaces = acquireInformer({ ...common, group: '', version: 'v1', resource: 'namespaces' });
      namespaces.onChange(onChange);
      namespaces.onHealth(onChange);
    }
    // Secrets the CRs reference (webhook URLs, API keys, HTTP credentials), watched per namespace.
    const refs = new RefStore({ ...common, onChange });
    this.kube = { key, kc, configs, namespaces, refs };
  }

  private async closeKube(): Promise<void> {
    const k = this.kube;
    this.kube = undefined;
    await k?.configs.release();
    await k?.namespaces?.release();
    await k?.refs.close();
  }

  private schedule(delay = this.opts.debounceMs ?? 100): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.reconcile().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, delay);
  }

  /** Each selected CR converted on its own; undefined while a referenced Secret is still loading. */
  private desired(a: AlertsArgs): { parts: CrPart[]; statuses: AlertmanagerConfigStatus[] } | undefined {
    const k = this.kube!;
    const nsSel = a.alertmanagerconfig_namespace_selector ? fromBlock(a.alertmanagerconfig_namespace_selector) : undefined;
    const m = a.alertmanagerconfig_matcher;
    const mergeOpts = { strategy: m?.strategy ?? 'OnNamespace', alertmanagerNamespace: m?.alertmanager_namespace };
    const parts: CrPart[] = [];
    const statuses: AlertmanagerConfigStatus[] = [];
    let pending = false;
    k.refs.begin();
    const objs = (k.configs.objects() as KubeObj[]).slice().sort((x, y) => crName('', x).localeCompare(crName('', y)));
    for (const o of objs) {
      const ns = o.metadata?.namespace ?? '';
      if (nsSel && !matchesSelector(nsSel, (k.namespaces!.get(ns) as KubeObj | undefined)?.metadata?.labels)) continue;
      const name = crName(KIND, o);
      let waiting = false;
      const resolve = (kind: 'Secret' | 'ConfigMap', namespace: string, ref: { name: string; key: string; optional?: boolean }) => {
        try {
          return k.refs.value(kind, namespace, { name: ref.name, key: ref.key, optional: !!ref.optional });
        } catch (e) {
          if (!(e instanceof PendingError)) throw e;
          waiting = true; // the namespace's Secrets are loading: its informer calls back
          return undefined;
        }
      };
      try {
        const part = convertAlertmanagerConfig(o, resolve, mergeOpts);
        if (waiting) {
          pending = true;
          continue;
        }
        parts.push(part);
        statuses.push({ name, state: 'ok', receivers: part.receivers.length });
      } catch (e) {
        if (waiting) {
          pending = true;
          continue;
        }
        statuses.push({ name, state: 'error', receivers: 0, error: (e as Error).message });
      }
    }
    void k.refs.sweep();
    return pending ? undefined : { parts, statuses };
  }

  private async reconcile(): Promise<void> {
    const event = this.nextEvent;
    this.nextEvent = 'resource-changed';
    const a = this.args;
    const k = this.kube;
    const client = this.client?.c;
    const base = this.base;
    if (!a || !k || !client || !base || this.stopped) return;
    const key = this.ctx.id;
    if (!this.ctx.cluster.owns(key)) {
      this.role = 'standby';
      this.actual = undefined;
      this.ctx.setHealth('healthy', `standby: ${this.ctx.cluster.ownerOf(key) ?? 'no cluster member'} syncs the Alertmanager`);
      return;
    }
    this.role = 'writer';
    const handles = [k.configs, ...(k.namespaces ? [k.namespaces] : [])];
    const bad = handles.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    if (!handles.every((h) => h.synced)) {
      if (bad.length > 0) this.ctx.setHealth('unhealthy', `cannot list AlertmanagerConfigs: ${bad.map((b) => b.message).join('; ')}`);
      return;
    }
    const d = this.desired(a);
    if (!d) return; // a Secret's namespace is still loading: its informer calls back
    this.metrics.events.inc({ type: event });
    this.statuses = d.statuses;
    const want: AlertmanagerState = { alertmanager_config: renderAlertmanagerConfig(mergeAlertmanagerConfig(base, d.parts)), template_files: { ...a.template_files } };
    const badCrs = d.statuses.filter((s) => s.state === 'error');
    this.logSkips(badCrs);
    const skipped = badCrs.length > 0 ? `${badCrs.length} AlertmanagerConfig(s) skipped: ${badCrs.map((s) => `${s.name}: ${s.error}`).join('; ')}` : undefined;
    try {
      if (this.actual === undefined) this.actual = (await this.timed(client, 'GET', () => client.get())) ?? null;
      if (this.refused && sameState(this.refused.state, want)) throw new ConfigApiError(400, this.refused.reason);
      if (!this.actual || !sameState(this.actual, want)) {
        if (this.stopped) return;
        try {
          await this.timed(client, 'POST', () => client.set(want));
        } catch (e) {
          this.record(d.parts.length, (e as Error).message);
          if (e instanceof ConfigApiError && !e.recoverable) this.refused = { state: want, reason: `Mimir refused the merged configuration: ${e.message}` };
          throw e;
        }
        this.refused = undefined;
        this.actual = want;
        this.record(d.parts.length, 'ok');
        this.ctx.logger.info({ alertmanager_configs: d.parts.length }, 'updated the Alertmanager configuration');
      }
      this.lastSync = new Date().toISOString();
      this.lastError = undefined;
      this.backoffMs = 0;
      this.backoff?.reset();
      this.loggedRefusal = undefined;
      if (skipped) {
        this.ctx.setHealth('unhealthy', skipped);
      } else {
        this.ctx.setHealth('healthy', `Alertmanager configuration in sync (${d.parts.length} AlertmanagerConfigs)`);
      }
    } catch (e) {
      this.actual = undefined; // unknown after a failure: re-read before the next attempt
      this.lastError = (e as Error).message;
      const retryable = !(e instanceof ConfigApiError) || e.recoverable;
      if (!retryable && this.refused) {
        this.metrics.eventsFailed.inc({ type: event });
        // The same content would be refused again: wait for a change or the next sync_interval.
        this.ctx.setHealth('unhealthy', [this.refused.reason, skipped].filter(Boolean).join('; '));
        if (this.loggedRefusal !== this.refused.reason) this.ctx.logger.warn({ err: this.refused.reason }, 'Mimir refused the Alertmanager configuration');
        this.loggedRefusal = this.refused.reason;
        return;
      }
      this.backoff ??= new Backoff({ minMs: this.opts.minBackoffMs ?? 1000, maxMs: this.opts.maxBackoffMs ?? 30_000 });
      this.backoffMs = this.backoff.next();
      this.ctx.setHealth('unhealthy', `syncing the Mimir Alertmanager failed (${retryable ? 'retrying' : 'will retry'} in ${this.backoffMs} ms): ${this.lastError}`);
      this.ctx.logger.warn({ err: this.lastError, retry_ms: this.backoffMs }, 'Alertmanager sync failed');
      this.metrics.eventsRetried.inc({ type: event });
      if (!this.stopped) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.nextEvent = event;
          this.schedule(0);
        }, this.backoffMs);
      }
    }
  }

  /** One call to Mimir, timed by operation (the API path) and status code ("error" when no answer came). */
  private async timed<T>(client: AlertmanagerClient, method: string, call: () => Promise<T>): Promise<T> {
    const end = this.metrics.requestDuration.startTimer({ operation: `${method} /api/v1/alerts` });
    const code = () => (client.lastStatus ? String(client.lastStatus) : 'error');
    try {
      const r = await call();
      end({ status_code: code() });
      return r;
    } catch (e) {
      end({ status_code: code() });
      throw e;
    }
  }

  /** Warn once per skipped CR and reason; forget CRs that are fine again. */
  private logSkips(bad: AlertmanagerConfigStatus[]): void {
    const now = new Map(bad.map((s) => [s.name, s.error ?? '']));
    for (const [name, reason] of now) {
      if (this.loggedSkips.get(name) !== reason) this.ctx.logger.warn({ alertmanager_config: name, reason }, `skipping ${name}: ${reason}`);
    }
    this.loggedSkips = now;
  }

  private record(crs: number, result: string): void {
    this.pushes.push({ time: new Date().toISOString(), result, alertmanager_configs: crs });
    if (this.pushes.length > 20) this.pushes.shift();
  }

  /** For tests: resolves when no reconcile is running. */
  async settle(): Promise<void> {
    for (let i = 0; i < 100 && this.running; i++) await this.running;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.kubeRetry.cancel();
    this.unsubscribeCluster();
    await this.running;
    this.client?.c.close();
    await this.closeKube();
  }

  debugInfo(): unknown {
    return {
      role: this.role,
      kubernetes_client_error: this.kubeRetry.error,
      last_sync: this.lastSync,
      last_error: this.lastError,
      retry_in_ms: this.lastError ? this.backoffMs : 0,
      alertmanager_configs: this.statuses,
      recent_pushes: this.pushes.slice(-20),
    };
  }
}
