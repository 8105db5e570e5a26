// Runs monitor jobs on the shared scrape machinery: one ScrapeScheduler per
// job (prometheus.scrape's scheduler, the process-wide worker pool, the same
// cluster ownership filter), fed with relabeled targets. A job that goes
// away is drained (its targets withdrawn; their end-of-run staleness markers
// go out about two scrape intervals later) and stopped once that is done.
import type { ClusterOwnership } from '../../clustering/ownership.js';
import { applyRules } from '../../relabel/index.js';
import type { Target } from '../../discovery/kubernetes/types.js';
import type { MetricsReceiver } from '../../pipeline/metrics.js';
import { formatDuration } from '../../syntax/duration.js';
import type { ScrapeMetrics } from '../../scrape/metrics.js';
import type { ScrapeWorkerPool } from '../../scrape/pool.js';
import { ScrapeScheduler, type SchedulerConfig, type TargetDebug } from '../../scrape/scheduler.js';
import { METRICS_PATH, PARAM_PREFIX, SCHEME, SCRAPE_INTERVAL, SCRAPE_TIMEOUT } from '../../scrape/target.js';
import type { JobConfig } from './job.js';

interface RunningJob {
  scheduler: ScrapeScheduler;
  key: string;
  forwardTo: MetricsReceiver[] | undefined;
  cfg: SchedulerConfig | undefined;
  targets: number;
}

let poolSeq = 0;

/**
 * Prometheus's target labels before relabeling: the discovered labels plus
 * job, scheme, path, interval, timeout and the first value of each param.
 */
export function withScrapeDefaults(t: Target, job: JobConfig): Record<string, string> {
  const d = job.defaults;
  const out: Record<string, string> = { ...t };
  out.job ??= d.jobName;
  out[SCRAPE_INTERVAL] ??= formatDuration(d.intervalMs);
  out[SCRAPE_TIMEOUT] ??= formatDuration(d.timeoutMs);
  out[METRICS_PATH] ??= d.metricsPath;
  out[SCHEME] ??= d.scheme;
  for (const [k, vs] of Object.entries(d.params)) if (vs.length > 0) out[PARAM_PREFIX + k] ??= vs[0];
  return out;
}

/** Target relabeling of one job; dropped targets are left out. */
export function relabelTargets(discovered: Target[], job: JobConfig): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const t of discovered) {
    const r = applyRules(withScrapeDefaults(t, job), job.rules);
    if (r) out.push(r);
  }
  return out;
}

export class JobRunner {
  private readonly jobs = new Map<string, RunningJob>();
  private readonly retiring = new Set<{ scheduler: ScrapeScheduler; done: Promise<void> }>();
  private clustering = false;
  private excludedLabels: string[] = [];

  constructor(
    private readonly id: string,
    private readonly pool: ScrapeWorkerPool,
    private readonly metrics: ScrapeMetrics,
    private readonly cluster: ClusterOwnership,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** `excluded`: label names left out of the targets' cluster keys (clustering { excluded_labels }). */
  setClustering(on: boolean, excluded: string[] = []): void {
    this.clustering = on;
    this.excludedLabels = excluded;
  }

  /** Cluster membership changed. */
  resync(): void {
    for (const j of this.jobs.values()) j.scheduler.resync();
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  /** Create or update a job with its relabeled targets. */
  run(job: JobConfig, targets: Record<string, string>[], forwardTo: MetricsReceiver[]): void {
    const cfg: SchedulerConfig = {
      defaults: job.defaults,
      wire: job.wire,
      targetLimit: job.targetLimit,
      extraMetrics: false,
      clustering: this.clustering,
      excludedLabels: this.excludedLabels,
      forwardTo,
    };
    const key = JSON.stringify([cfg.defaults, cfg.wire, cfg.targetLimit, cfg.clustering, cfg.excludedLabels, targets]);
    let j = this.jobs.get(job.name);
    if (j && j.key === key && j.forwardTo === forwardTo) return;
    if (!j) {
      const scheduler = new ScrapeScheduler(`${this.id}/${job.name}#${++poolSeq}`, this.pool, this.metrics, this.cluster, this.log);
      j = { scheduler, key: '', forwardTo: undefined, cfg: undefined, targets: 0 };
      this.jobs.set(job.name, j);
    }
    j.key = key;
    j.forwardTo = forwardTo;
    j.cfg = cfg;
    j.targets = targets.length;
    j.scheduler.update(cfg, targets);
  }

  /** Stop every job not in `keep`. */
  retainOnly(keep: Set<string>): void {
    for (const [name, j] of [...this.jobs]) {
      if (keep.has(name)) continue;
      this.jobs.delete(name);
      this.retire(j);
    }
  }

  private retire(j: RunningJob): void {
    // Withdraw every target, then stop the scheduler once their staleness markers went out.
    const entry = {
      scheduler: j.scheduler,
      done: j.scheduler
        .drain()
        .then(() => j.scheduler.stop())
        .catch((e: Error) => this.log('stopping a removed scrape job failed', { err: e.message }))
        .finally(() => this.retiring.delete(entry)),
    };
    this.retiring.add(entry);
  }

  /** Resolves once every removed job has drained (its staleness markers forwarded) and stopped. */
  async retired(): Promise<void> {
    await Promise.all([...this.retiring].map((r) => r.done));
  }

  debug(name: string): { active: TargetDebug[]; dropped: number } | undefined {
    const j = this.jobs.get(name);
    if (!j) return undefined;
    const d = j.scheduler.debugTargets();
    return { active: d.active, dropped: d.dropped.length };
  }

  get size(): number {
    return this.jobs.size;
  }

  async stop(): Promise<void> {
    const all = [...this.jobs.values()].map((j) => j.scheduler);
    this.jobs.clear();
    // Stopping calls off pending markers (none on shutdown, as in Prometheus), which ends the drains.
    const draining = [...this.retiring];
    for (const r of draining) all.push(r.scheduler);
    await Promise.all(all.map((s) => s.stop()));
    await Promise.all(draining.map((r) => r.done));
  }
}
