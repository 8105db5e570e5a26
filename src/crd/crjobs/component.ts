// The shared body of prometheus.operator.probes and .scrapeconfigs: watch
// the kind's objects (shared informer, server-side label selector), turn
// each into scrape jobs (the kind's decoder), gather each job's targets from
// its sources (static lists, Kubernetes discovery through the monitors'
// TargetHub, HTTP and file SD), relabel them and hand the jobs to the one
// ScrapeManager prometheus.scrape uses. A bad object is skipped and reported
// by `<Kind>/<ns>/<name>` (health, debug info, and its status Accepted=False
// with the reason); everything else keeps running.
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
import { targetDefaults } from '../../scrape/wire.js';
import { setTargetDefaults } from '../../scrape/target.js';
import { fromBlock, selectorString } from '../selector.js';
import { type OperatorArgs, scrapeSampleSpec } from '../operator/args.js';
import { compileScrapeClasses } from '../operator/scrape-class.js';
import { type DroppedByRelabel, relabelWithReasons } from '../operator/drop-reason.js';
import type { JobOptions } from '../operator/job.js';
import { crName } from '../operator/monitor.js';
import { PendingError, RefStore } from '../operator/secrets.js';
import { TargetHub } from '../operator/targets.js';
import { PolledSdHub } from '../scrapeconfig/polled-sd.js';
import type { CrVerdict } from '../status/condition.js';
import { StatusWriter } from '../status/writer.js';
import type { CrJob, CrKind } from './types.js';

export interface CrJobStatus {
  job: string;
  /** pending: waiting for the first target list of a source. */
  state: 'ok' | 'pending';
  targets_discovered: number;
  targets_active: number;
  up: number;
  down: number;
  scrape_class?: string;
  warning?: string;
  /** What the scrape does differently from what a CR field asks (e.g. enableHTTP2: HTTP/1.1 is used). */
  note?: string;
  /** Targets dropped by target relabeling (all of them; `dropped` keeps keepDroppedTargets of them). */
  targets_dropped?: number;
  /** Filled in by debugInfo from the running job: each active target's scrape URL and final labels. */
  targets?: { url: string; health: string; labels: Record<string, string>; last_scrape?: string; last_error?: string }[];
  dropped?: DroppedByRelabel[];
}

export interface CrStatus {
  name: string;
  state: 'ok' | 'error' | 'pending';
  error?: string;
  jobs: CrJobStatus[];
}

function watchKey(a: OperatorArgs): string {
  return JSON.stringify([a.client ?? {}, a.namespaces ?? [], a.selector ?? {}], (_k, v) => (v instanceof Secret ? { secret: v.reveal() } : v));
}

type KubeObj = { metadata?: { namespace?: string; name?: string; generation?: number }; status?: unknown };

export class CrJobsComponent implements Component<OperatorArgs> {
  private readonly pool = ScrapeWorkerPool.acquire();
  private readonly runner: ScrapeManager;
  private readonly status: StatusWriter;
  private args: OperatorArgs | undefined;
  private watch: { key: string; kc: KubeConfig; crs: InformerHandle[]; refs: RefStore; hub: TargetHub; polled: PolledSdHub } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private computing: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private unsubscribeCluster: () => void;
  private statuses: CrStatus[] = [];
  private lastHealth = '';
  private reported = new Set<string>();
  /** Per-CR notes already logged ("<CR>: <note>"). */
  private readonly noted = new Set<string>();

  constructor(
    private readonly ctx: ComponentContext,
    readonly kind: CrKind,
    private readonly opts: { debounceMs?: number } = {},
  ) {
    this.pool.onWorkerLog = (m) => ctx.logger.warn(m);
    this.runner = new ScrapeManager(ctx.id, this.pool, scrapeMetrics(ctx.metrics), ctx.cluster, (msg, extra) => ctx.logger.debug(extra ?? {}, msg));
    this.status = new StatusWriter({ ...kind, cluster: ctx.cluster, key: ctx.id, logger: ctx.logger, onRetry: () => this.schedule(0) });
    // Ownership moves: targets move (clustering) and the status writer may change.
    this.unsubscribeCluster = ctx.cluster.onChange(() => {
      this.runner.resync();
      this.schedule(0);
    });
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  async update(args: OperatorArgs): Promise<void> {
    if (this.stopped) return;
    this.args = args;
    this.runner.setClustering(args.clustering?.enabled === true, args.clustering?.excluded_labels ?? []);
    const key = watchKey(args);
    if (this.watch?.key !== key) {
      await this.closeWatch();
      // Stopped while the old watch closed: open nothing that stop() would not close.
      if (this.stopped) return;
      try {
        this.openWatch(args, key);
      } catch (e) {
        const msg = `cannot watch ${this.kind.kind}s: ${(e as Error).message}`;
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
      const h = acquireInformer({ kubeConfig: kc, group: this.kind.group, version: this.kind.version, resource: this.kind.resource, namespace, labelSelector, logger: this.ctx.logger });
      h.onChange(onChange);
      h.onHealth(onChange);
      return h;
    });
    const common = { kubeConfig: kc, logger: this.ctx.logger, onChange };
    this.watch = { key, kc, crs, refs: new RefStore(common), hub: new TargetHub({ ...common, debounceMs: this.opts.debounceMs }), polled: new PolledSdHub(onChange) };
    this.status.setKubeConfig(kc);
    this.ctx.setHealth('unknown', `waiting for the first list of ${this.kind.kind}s`);
  }

  private async closeWatch(): Promise<void> {
    const w = this.watch;
    this.watch = undefined;
    this.status.setKubeConfig(undefined);
    if (!w) return;
    await Promise.all(w.crs.map((h) => h.release()));
    await w.refs.close();
    await w.hub.close();
    w.polled.close();
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
      role: 'endpoints',
      scrape: { intervalMs: a.scrape?.default_scrape_interval, timeoutMs: a.scrape?.default_scrape_timeout, sampleLimit: a.scrape?.default_sample_limit },
      samples: scrapeSampleSpec(a.scrape),
      extraRules: rulesFromConfig(a.rule),
      allowFileAccess: a.allow_arbitrary_file_access === true,
      classes: compileScrapeClasses(a.scrape_class),
    };
  }

  /** Targets of one job from all its sources; undefined while one is not ready. */
  private gather(
    w: NonNullable<CrJobsComponent['watch']>,
    job: CrJob,
  ): { targets: Record<string, string>[]; problems: string[]; discovered: number; dropped: DroppedByRelabel[]; droppedTotal: number } | undefined {
    const found: Record<string, string>[] = [];
    const problems: string[] = [];
    let ready = true;
    for (const s of job.sources) {
      if (s.kind === 'static') found.push(...s.targets);
      else {
        const r = s.kind === 'kubernetes' ? w.hub.targets(s.role, s.namespaces, s.attachNode, s.selectors) : w.polled.targets(s);
        found.push(...r.targets);
        if (!r.ready) ready = false;
        if (r.problem) problems.push(r.problem);
      }
    }
    if (!ready) return undefined;
    const defaults = targetDefaults(job.scrape);
    const r = relabelWithReasons(
      found.map((t) => setTargetDefaults({ ...t }, defaults)),
      job.rules,
      job.ruleNotes,
      job.keepDropped,
    );
    return { targets: r.active, problems, discovered: found.length, dropped: r.dropped, droppedTotal: r.droppedTotal };
  }

  private async recompute(): Promise<void> {
    const w = this.watch;
    const args = this.args;
    if (!w || !args || this.stopped) return;
    const kindName = this.kind.kind;
    const crHealth = w.crs.map((h) => h.health()).filter((h) => h.state === 'unhealthy');
    if (!w.crs.every((h) => h.synced)) {
      if (crHealth.length > 0) this.setHealth('unhealthy', `cannot list ${kindName}s: ${crHealth.map((h) => h.message).join('; ')}`);
      return;
    }
    const opts = this.jobOptions(args);
    const keep = new Set<string>();
    const statuses: CrStatus[] = [];
    const verdicts: CrVerdict[] = [];
    w.refs.begin();
    w.hub.begin();
    w.polled.begin();
    const objects = (w.crs.flatMap((h) => h.objects()) as KubeObj[]).sort((a, b) => crName(kindName, a).localeCompare(crName(kindName, b)));
    for (const obj of objects) {
      const name = crName(kindName, obj);
      const verdict = (accepted: boolean, message?: string, targets?: number): CrVerdict => ({
        namespace: obj.metadata?.namespace ?? '',
        name: obj.metadata?.name ?? '',
        generation: obj.metadata?.generation,
        accepted,
        message,
        targets,
        current: obj.status,
      });
      let jobs: CrJob[];
      try {
        jobs = this.kind.jobs(obj, opts, w.refs);
      } catch (e) {
        if (e instanceof PendingError) {
          // Keep what runs until the Secrets are readable.
          const prefix = `${this.kind.jobPrefix}/${obj.metadata?.namespace}/${obj.metadata?.name}`;
          for (const j of this.runner.names) if (j === prefix || j.startsWith(`${prefix}/`)) keep.add(j);
          statuses.push({ name, state: 'pending', error: e.message, jobs: [] });
          continue;
        }
        statuses.push({ name, state: 'error', error: (e as Error).message, jobs: [] });
        verdicts.push(verdict(false, (e as Error).message));
        continue;
      }
      const st: CrStatus = { name, state: 'ok', jobs: [] };
      let total = 0;
      let pending = false;
      for (const job of jobs) {
        keep.add(job.name);
        const got = this.gather(w, job);
        if (!got) {
          pending = true;
          st.jobs.push({ job: job.name, state: 'pending', targets_discovered: 0, targets_active: 0, up: 0, down: 0, targets_dropped: 0, warning: 'waiting for the first target list' });
          continue;
        }
        this.runner.update({ ...job.scrape, targets: got.targets }, args.forward_to ?? []);
        total += got.targets.length;
        const dbg = this.runner.debug(job.name);
        const js: CrJobStatus = {
          job: job.name,
          state: 'ok',
          targets_discovered: got.discovered,
          targets_active: dbg?.active.length ?? 0,
          up: dbg?.active.filter((t) => t.health === 'up').length ?? 0,
          down: dbg?.active.filter((t) => t.health === 'down').length ?? 0,
          targets_dropped: got.droppedTotal,
          ...(job.scrapeClass ? { scrape_class: job.scrapeClass } : {}),
          dropped: got.dropped,
        };
        if (got.problems.length > 0) js.warning = got.problems.join('; ');
        for (const n of job.notes ?? []) {
          if (!this.noted.has(`${name}: ${n}`)) this.ctx.logger.debug({ cr: name }, n);
          this.noted.add(`${name}: ${n}`);
        }
        if (job.notes?.length) js.note = job.notes.join('; ');
        st.jobs.push(js);
      }
      if (pending) st.state = 'pending';
      else verdicts.push(verdict(true, undefined, total));
      statuses.push(st);
    }
    this.runner.retainOnly(keep);
    await w.refs.sweep();
    await w.hub.sweep();
    w.polled.sweep();
    this.statuses = statuses;
    if (this.kind.writesStatus) this.status.report(verdicts);
    this.reportHealth(statuses, crHealth.map((h) => h.message));
  }

  private reportHealth(statuses: CrStatus[], watchProblems: string[]): void {
    const kindName = this.kind.kind;
    const bad = statuses.filter((s) => s.state === 'error');
    if (watchProblems.length > 0) this.setHealth('unhealthy', `watching ${kindName}s: ${[...new Set(watchProblems)].join('; ')}`);
    else if (bad.length > 0) {
      const list = bad.map((s) => `${s.name}: ${s.error}`);
      const shown = list.slice(0, 5).join('; ') + (list.length > 5 ? `; and ${list.length - 5} more` : '');
      this.setHealth('unhealthy', `${bad.length} of ${statuses.length} ${kindName}s skipped: ${shown}`);
    } else this.setHealth('healthy', `${statuses.length} ${kindName}s, ${this.runner.size} scrape jobs`);
    const lines = new Set(bad.map((s) => `${s.name}: ${s.error}`));
    for (const s of bad) if (!this.reported.has(`${s.name}: ${s.error}`)) this.ctx.logger.warn({ cr: s.name, err: s.error }, `${kindName} skipped`);
    this.reported = lines;
  }

  private setHealth(state: 'healthy' | 'unhealthy' | 'unknown', message: string): void {
    const k = `${state}:${message}`;
    if (k === this.lastHealth) return;
    this.lastHealth = k;
    this.ctx.setHealth(state, message);
  }

  /** For tests: resolves after pending work (debounce, recompute, status writes) has run. */
  async settle(): Promise<void> {
    for (let i = 0; i < 50 && (this.timer || this.computing); i++) {
      if (this.computing) await this.computing;
      else await new Promise((r) => setTimeout(r, 10));
    }
    await this.status.settle();
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
    this.unsubscribeCluster();
    await this.computing;
    await this.status.stop();
    await this.runner.stop();
    await this.closeWatch();
    await ScrapeWorkerPool.release();
  }

  debugInfo(): unknown {
    return {
      kind: this.kind.kind,
      scrape_jobs: this.runner.size,
      resources: this.statuses.map((s) => ({ ...s, jobs: s.jobs.map((j) => (s.state === 'error' ? j : this.liveStatus(j))) })),
      // Every active target with its job, as prometheus.scrape reports them (the UI's targets page reads this).
      targets: this.runner.names.flatMap((n) => this.runner.debug(n)?.active ?? []),
      status_writer: this.status.debugInfo(),
      workers: this.pool.stats(),
    };
  }

  /**
   * As of now (targets change between recomputes): the counts, each active
   * target's final labels and scrape URL, and the dropped targets with their
   * reason (relabeling first, then the scrape loop's own, e.g. no address).
   */
  private liveStatus(j: CrJobStatus): CrJobStatus {
    const d = this.runner.debug(j.job);
    if (!d) return j;
    return {
      ...j,
      ...liveTargets(d.active),
      dropped: [...(j.dropped ?? []), ...d.dropped],
    };
  }

  /** For tests and debug: the targets of one job. */
  jobTargets(job: string) {
    return this.runner.debug(job)?.active ?? [];
  }
}
