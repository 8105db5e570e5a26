// The shared body of prometheus.operator.servicemonitors and .podmonitors:
// watch the monitors (shared informer, server-side label selector), turn
// each endpoint into a scrape job, feed it the relabeled targets of the
// discovery roles and hand the jobs to the component's ScrapeManager (the
// one prometheus.scrape uses). A CR with any bad field, in its spec or in
// one endpoint, is rejected as a whole as the operator does, and reported
// (health + debug info) by its `<Kind>/<ns>/<name>` with the reason;
// everything else keeps running. Debug info shows, per CR and endpoint, each
// target's final labels and scrape URL and each dropped target's reason.
import { liveTargets } from '../live-targets.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { rulesFromConfig } from '../../relabel/index.js';
import { makeKubeConfig } from '../../kube/client.js';
import { acquireInformer, type InformerHandle } from '../../kube/informers.js';
import { Secret } from '../../syntax/secret.js';
import type { Component, ComponentContext } from '../../runtime/types.js';
import { scrapeMetrics } from '../../scrape/metrics.js';
import { ScrapeManager } from '../../scrape/manager.js';
import { ScrapeWorkerPool } from '../../scrape/pool.js';
import { fromBlock, selectorString } from '../selector.js';
import { type OperatorArgs, scrapeSampleSpec } from './args.js';
import { buildJob, type JobConfig, type JobOptions, relabelTargets } from './job.js';
import type { DroppedByRelabel } from './drop-reason.js';
import { compileScrapeClasses } from './scrape-class.js';
import { crName, type MonitorKind, parseMonitor } from './monitor.js';
import { PendingError, RefStore } from './secrets.js';
import { TargetHub } from './targets.js';
import { StatusWriter } from '../status/writer.js';
import { monitorVerdicts } from '../status/monitors.js';

export interface EndpointStatus {
  job: string;
  state: 'ok' | 'error' | 'pending';
  error?: string;
  warning?: string;
  /** What the scrape does differently from what a CR field asks (e.g. enableHttp2: HTTP/1.1 is used). */
  note?: string;
  targets_discovered: number;
  targets_active: number;
  up: number;
  down: number;
  /** Targets dropped by target relabeling (all of them; `dropped` keeps keepDroppedTargets of them). */
  targets_dropped: number;
  scrape_class?: string;
  /** Filled in by debugInfo from the running job. */
  targets?: { url: string; health: string; labels: Record<string, string>; last_scrape?: string; last_error?: string }[];
  dropped?: DroppedByRelabel[];
}

export interface MonitorStatus {
  name: string;
  state: 'ok' | 'error' | 'pending';
  error?: string;
  endpoints: EndpointStatus[];
}

const RESOURCE: Record<MonitorKind, string> = { ServiceMonitor: 'servicemonitors', PodMonitor: 'podmonitors' };

/** Comparable form of the arguments that decide the watches (secrets revealed: in memory only). */
function watchKey(a: OperatorArgs): string {
  return JSON.stringify([a.client ?? {}, a.namespaces ?? [], a.selector ?? {}], (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
}

export interface MonitorComponentOptions {
  /** Debounce of recomputes after a change (default 100 ms). */
  debounceMs?: number;
}

export class MonitorComponent implements Component<OperatorArgs> {
  private readonly pool = ScrapeWorkerPool.acquire();
  private readonly runner: ScrapeManager;
  private args: OperatorArgs | undefined;
  private watch: { key: string; kc: KubeConfig; crs: InformerHandle[]; refs: RefStore; hub: TargetHub } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private computing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private unsubscribeCluster: (() => void) | undefined;
  private statuses: MonitorStatus[] = [];
  private lastHealth = '';
  /** Accepted condition and target count on each monitor (status subresource; cluster owner of the id only). */
  private readonly status: StatusWriter;

  constructor(
    private readonly ctx: ComponentContext,
    readonly kind: MonitorKind,
    private readonly opts: MonitorComponentOptions = {},
  ) {
    const metrics = scrapeMetrics(ctx.metrics);
    this.pool.onWorkerLog = (m) => ctx.logger.warn(m);
    this.runner = new ScrapeManager(ctx.id, this.pool, metrics, ctx.cluster, (msg, extra) => ctx.logger.debug(extra ?? {}, msg));
    this.status = new StatusWriter({ group: 'monitoring.coreos.com', version: 'v1', resource: RESOURCE[kind], kind, cluster: ctx.cluster, key: ctx.id, logger: ctx.logger, onRetry: () => this.schedule(0) });
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  async update(args: OperatorArgs): Promise<void> {
    if (this.stopped) return;
    this.args = args;
    const clustering = args.clustering?.enabled === true;
    this.runner.setClustering(clustering, args.clustering?.excluded_labels ?? []);
    if (clustering && !this.unsubscribeCluster) this.unsubscribeCluster = this.ctx.cluster.onChange(() => this.runner.resync());
    if (!clustering && this.unsubscribeCluster) {
      this.unsubscribeCluster();
      this.unsubscribeCluster = undefined;
    }
    const key = watchKey(args);
    if (this.watch?.key !== key) {
      await this.closeWatch();
      // Stopped while the old watch closed: open nothing that stop() would not close.
      if (this.stopped) return;
      try {
        this.openWatch(args, key);
      } catch (e) {
        const msg = `cannot watch ${this.kind}s: ${(e as Error).message}`;
        this.ctx.setHealth('unhealthy', msg);
        throw new Error(msg);
      }
    }
    this.schedule(0);
  }

  private openWatch(args: OperatorArgs, key: string): void {
    const kc = makeKubeConfig(args.client ?? {});
    const onChange = () => this.schedule();
    const labelSelector = selectorString(fromBlock(args.selector)) || undefined;
    const namespaces = args.namespaces && args.namespaces.length > 0 ? [...new Set(args.namespaces)] : [undefined];
    const crs = namespaces.map((namespace) => {
      const h = acquireInformer({
        kubeConfig: kc,
        group: 'monitoring.coreos.com',
        version: 'v1',
        resource: RESOURCE[this.kind],
        namespace,
        labelSelector,
        logger: this.ctx.logger,
      });
      h.onChange(onChange);
      h.onHealth(onChange);
      return h;
    });
    const common = { kubeConfig: kc, logger: this.ctx.logger, onChange };
    this.watch = { key, kc, crs, refs: new RefStore(common), hub: new TargetHub({ ...common, debounceMs: this.opts.debounceMs }) };
    this.status.setKubeConfig(kc);
    this.ctx.setHealth('unknown', `waiting for the first list of ${this.kind}s`);
  }

  private async closeWatch(): Promise<void> {
    const w = this.watch;
    this.watch = undefined;
    if (!w) return;
    await Promise.all(w.crs.map((h) => h.release()));
    await w.refs.close();
    await w.hub.close();
  }

  private schedule(delay = this.opts.debounceMs ?? 100): void {
    if (this.stopped) return;
    if (this.computing) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.computing = this.recompute()
        .catch((e) => this.ctx.logger.error({ err: String(e) }, 'recompute failed'))
        .finally(() => {
          this.computing = undefined;
          if (this.again) {
            this.again = false;
            this.schedule();
          }
        });
    }, delay);
  }

  private jobOptions(a: OperatorArgs): JobOptions {
    return {
      role: this.kind === 'PodMonitor' ? 'pod' : a.kubernetes_role === 'endpointslice' ? 'endpointslice' : 'endpoints',
      scrape: {
        // Unset ones take the scrape job's own defaults (scrape/job.ts).
        intervalMs: a.scrape?.default_scrape_interval,
        timeoutMs: a.scrape?.default_scrape_timeout,
        sampleLimit: a.scrape?.default_sample_limit,
      },
      samples: scrapeSampleSpec(a.scrape),
      extraRules: rulesFromConfig(a.rule),
      allowFileAccess: a.allow_arbitrary_file_access === true,
      classes: compileScrapeClasses(a.scrape_class),
    };
  }

  private async recompute(): Promise<void> {
    const w = this.watch;
    const args = this.args;
    if (!w || !args || this.stopped) return;
    const crHealth = w.crs.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    if (!w.crs.every((h) => h.synced)) {
      if (crHealth.length > 0) this.setHealth('unhealthy', `cannot list ${this.kind}s: ${crHealth.map((h) => h.message).join('; ')}`);
      return;
    }
    const opts = this.jobOptions(args);
    const forwardTo = args.forward_to ?? [];
    const keep = new Set<string>();
    const statuses: MonitorStatus[] = [];
    w.refs.begin();
    w.hub.begin();
    const objects = w.crs.flatMap((h) => h.objects());
    objects.sort((a, b) => crName(this.kind, a).localeCompare(crName(this.kind, b)));
    for (const obj of objects) {
      const name = crName(this.kind, obj);
      let m;
      try {
        m = parseMonitor(this.kind, obj);
      } catch (e) {
        statuses.push({ name, state: 'error', error: (e as Error).message, endpoints: [] });
        continue;
      }
      const st: MonitorStatus = { name, state: 'ok', endpoints: [] };
      const jobStatus = (i: number, extra: Partial<EndpointStatus>): EndpointStatus => ({
        job: `${this.kind === 'ServiceMonitor' ? 'serviceMonitor' : 'podMonitor'}/${m.namespace}/${m.name}/${i}`,
        state: 'ok',
        targets_discovered: 0,
        targets_active: 0,
        up: 0,
        down: 0,
        targets_dropped: 0,
        ...extra,
      });
      // Every endpoint's job first: one that cannot be built rejects the whole CR (operator parity).
      const jobs: JobConfig[] = [];
      let rejected: string | undefined;
      const pending: EndpointStatus[] = [];
      for (const ep of m.endpoints) {
        try {
          jobs.push(buildJob(m, ep, opts, w.refs));
        } catch (e) {
          if (!(e instanceof PendingError)) {
            rejected = (e as Error).message;
            break;
          }
          // Keep a running job as it is until its Secrets are readable.
          const jobName = jobStatus(ep.index, {}).job;
          if (this.runner.has(jobName)) keep.add(jobName);
          pending.push(jobStatus(ep.index, { state: 'pending', error: e.message }));
        }
      }
      if (rejected !== undefined) {
        statuses.push({ name, state: 'error', error: rejected, endpoints: [] });
        continue;
      }
      st.endpoints.push(...pending);
      for (const job of jobs) {
        const index = Number(job.name.split('/').pop());
        const found = w.hub.targets(job.role, job.namespaces, job.attachNode, job.selectors);
        keep.add(job.name);
        if (!found.ready) {
          st.endpoints.push(jobStatus(index, { state: 'pending', error: found.problem ?? 'waiting for the first list of the discovery watches' }));
          continue;
        }
        const relabeled = relabelTargets(found.targets, job);
        const targets = relabeled.active;
        this.runner.update({ ...job.scrape, targets }, forwardTo);
        const dbg = this.runner.debug(job.name);
        const es = jobStatus(index, {
          targets_discovered: found.targets.length,
          targets_active: dbg?.active.length ?? 0,
          up: dbg?.active.filter((t) => t.health === 'up').length ?? 0,
          down: dbg?.active.filter((t) => t.health === 'down').length ?? 0,
          targets_dropped: relabeled.droppedTotal,
          ...(job.scrapeClass ? { scrape_class: job.scrapeClass } : {}),
          dropped: relabeled.dropped,
        });
        for (const n of job.notes) {
          if (!this.noted.has(`${name}: ${n}`)) this.ctx.logger.debug({ cr: name }, n);
          this.noted.add(`${name}: ${n}`);
        }
        if (job.notes.length > 0) es.note = job.notes.join('; ');
        if (found.problem) es.warning = found.problem;
        else if (targets.length === 0 && job.portHint) {
          const p = job.portHint;
          const port = p.name !== undefined ? `port ${JSON.stringify(p.name)}` : `port number ${p.number}`;
          es.warning = `no targets: ${port} matches no port of the selected ${p.kind === 'service' ? 'Services' : 'Pods'} (or nothing matches the selector)`;
        }
        st.endpoints.push(es);
      }
      st.endpoints.sort((a, b) => a.job.localeCompare(b.job, undefined, { numeric: true }));
      if (st.endpoints.some((e) => e.state === 'pending')) st.state = 'pending';
      statuses.push(st);
    }
    this.runner.retainOnly(keep);
    await w.refs.sweep();
    await w.hub.sweep();
    this.statuses = statuses;
    this.status.report(monitorVerdicts(this.kind, objects, statuses));
    this.reportHealth(statuses, crHealth.map((h) => h.message));
  }

  private reportHealth(statuses: MonitorStatus[], watchProblems: string[]): void {
    const bad = statuses.filter((s) => s.state === 'error');
    if (watchProblems.length > 0) {
      this.setHealth('unhealthy', `watching ${this.kind}s: ${[...new Set(watchProblems)].join('; ')}`);
    } else if (bad.length > 0) {
      const list = bad.map((s) => `${s.name}: ${s.error}`);
      const shown = list.slice(0, 5).join('; ') + (list.length > 5 ? `; and ${list.length - 5} more` : '');
      this.setHealth('unhealthy', `${bad.length} of ${statuses.length} ${this.kind}s rejected: ${shown}`);
    } else {
      this.setHealth('healthy', `${statuses.length} ${this.kind}s, ${this.runner.size} scrape jobs`);
    }
    for (const s of bad) {
      const line = `${s.name}: ${s.error}`;
      if (!this.reported.has(line)) this.ctx.logger.warn({ cr: s.name, err: s.error }, `${this.kind} rejected`);
    }
    this.reported = new Set(bad.map((s) => `${s.name}: ${s.error}`));
  }

  private reported = new Set<string>();
  /** Per-CR notes already logged ("<CR>: <note>"). */
  private readonly noted = new Set<string>();

  private setHealth(state: 'healthy' | 'unhealthy' | 'unknown', message: string): void {
    const k = `${state}:${message}`;
    if (k === this.lastHealth) return;
    this.lastHealth = k;
    this.ctx.setHealth(state, message);
  }

  /** For tests: resolves after pending work (debounce + recompute) has run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 50 && (this.timer || this.computing); i++) {
      if (this.computing) await this.computing;
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * One shutdown, awaited by every caller: the abort signal starts it before
   * the controller calls stop(), and that call must not return before the
   * watches are closed.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribeCluster?.();
    await this.computing;
    await this.status.stop();
    await this.runner.stop();
    await this.closeWatch();
    await ScrapeWorkerPool.release();
  }

  debugInfo(): unknown {
    const monitors = this.statuses.map((s) => ({ ...s, endpoints: s.endpoints.map((e) => this.liveStatus(e)) }));
    return {
      kind: this.kind,
      scrape_jobs: this.runner.size,
      status_writer: this.status.debugInfo(),
      discovery_watch_sets: this.watch?.hub.size ?? 0,
      monitors,
      // Every active target with its job, as prometheus.scrape reports them (the UI's targets page reads this).
      targets: this.runner.names.flatMap((n) => this.runner.debug(n)?.active ?? []),
      workers: this.pool.stats(),
    };
  }

  /**
   * As of now (targets change between recomputes): the counts, each active
   * target's final labels and scrape URL, and the dropped targets with their
   * reason (relabeling first, then the scrape loop's own, e.g. no address).
   */
  private liveStatus(e: EndpointStatus): EndpointStatus {
    const d = this.runner.debug(e.job);
    if (!d || e.state !== 'ok') return e;
    return {
      ...e,
      ...liveTargets(d.active),
      dropped: [...(e.dropped ?? []), ...d.dropped],
    };
  }

  /** For tests and debug: the targets of one job. */
  jobTargets(job: string) {
    return this.runner.debug(job)?.active ?? [];
  }
}
