// The scrape manager of one component, as Prometheus's scrape.Manager is of
// one process: scrape pools (ScrapeScheduler on the shared worker pool) keyed
// by job name. A new job starts a pool, a changed job (settings, targets,
// receivers or clustering) updates its pool (unchanged targets keep their
// loops, caches and phase), an unchanged job is not touched at all, and a job
// that goes away is drained (its targets withdrawn; their end-of-run
// staleness markers go out about two intervals later) and stopped once done.
import type { ClusterOwnership } from '../clustering/ownership.js';
import type { MetricsReceiver } from '../pipeline/metrics.js';
import type { ScrapeJob } from './job.js';
import { targetDefaults, wireConfig } from './wire.js';
import type { ScrapeMetrics } from './metrics.js';
import type { ScrapeWorkerPool } from './pool.js';
import { type DroppedTarget, ScrapeScheduler, type SchedulerConfig, type TargetDebug } from './scheduler.js';

interface ManagedJob {
  scheduler: ScrapeScheduler;
  /** Comparable form of the job and the manager settings it ran with. */
  key: string;
  forwardTo: readonly MetricsReceiver[];
  /** Bumped when a receiver that wants metadata joins forward_to. */
  metadataEpoch?: number;
}

let poolSeq = 0;

function sameReceivers(a: readonly MetricsReceiver[], b: readonly MetricsReceiver[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

export class ScrapeManager {
  private readonly jobs = new Map<string, ManagedJob>();
  private readonly retiring = new Set<{ scheduler: ScrapeScheduler; done: Promise<void> }>();
  private clustering = false;
  private excludedLabels: string[] = [];
  private stopped = false;

  /** `id` keeps this manager's pool settings apart from every other one's in the shared workers. */
  constructor(
    private readonly id: string,
    private readonly pool: ScrapeWorkerPool,
    private readonly metrics: ScrapeMetrics,
    private readonly cluster: ClusterOwnership,
    private readonly log: (msg: string, extra?: Record<string, unknown>) => void,
  ) {}

  /** `excluded`: label names left out of the targets' cluster keys (clustering { excluded_labels }); applies at the next update. */
  setClustering(on: boolean, excluded: string[] = []): void {
    this.clustering = on;
    this.excludedLabels = excluded;
  }

  /** Cluster membership changed: every pool re-checks which targets it owns. */
  resync(): void {
    for (const j of this.jobs.values()) j.scheduler.resync();
  }

  has(name: string): boolean {
    return this.jobs.has(name);
  }

  /** Starts or updates one job. Returns false when it was running unchanged (and was left alone). */
  update(job: ScrapeJob, forwardTo: readonly MetricsReceiver[]): boolean {
    if (this.stopped) return false;
    const key = JSON.stringify([job, this.clustering, this.excludedLabels]);
    let j = this.jobs.get(job.name);
    if (j && j.key === key && sameReceivers(j.forwardTo, forwardTo)) return false;
    if (!j) {
      const scheduler = new ScrapeScheduler(`${this.id}/${job.name}#${++poolSeq}`, this.pool, this.metrics, this.cluster, this.log);
      j = { scheduler, key: '', forwardTo: [] };
      this.jobs.set(job.name, j);
    }
    // A receiver that needs metadata joined: the loops send all of it again (see LoopOptions.metadataEpoch).
    if (!sameReceivers(j.forwardTo, forwardTo) && forwardTo.some((r) => r.wantsMetadata && !j!.forwardTo.includes(r))) j.metadataEpoch = (j.metadataEpoch ?? 0) + 1;
    j.key = key;
    j.forwardTo = forwardTo;
    j.scheduler.update(this.schedulerConfig(job, forwardTo, j.metadataEpoch ?? 0), job.targets);
    return true;
  }

  /** The complete set of jobs: each is started or updated, every other one is stopped. */
  apply(jobs: readonly ScrapeJob[], forwardTo: readonly MetricsReceiver[]): void {
    for (const job of jobs) this.update(job, forwardTo);
    this.retainOnly(new Set(jobs.map((j) => j.name)));
  }

  /** Stops every job not in `keep`. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const [name, j] of [...this.jobs]) {
      if (keep.has(name)) continue;
      this.jobs.delete(name);
      this.retire(j);
    }
  }

  private schedulerConfig(job: ScrapeJob, forwardTo: readonly MetricsReceiver[], metadataEpoch: number): SchedulerConfig {
    const wire = wireConfig(job);
    // Receivers that build typed data get family metadata even without honor_metadata.
    if (!wire.samples.honorMetadata && forwardTo.some((r) => r.wantsMetadata)) wire.samples = { ...wire.samples, honorMetadata: true, metadataEpoch };
    else if (metadataEpoch) wire.samples = { ...wire.samples, metadataEpoch };
    return {
      defaults: targetDefaults(job),
      wire,
      honorMetadata: job.samples.honorMetadata,
      targetLimit: job.limits.target,
      extraMetrics: job.extraMetrics,
      clustering: this.clustering,
      excludedLabels: this.excludedLabels,
      forwardTo: [...forwardTo],
      failureLogFile: job.failureLogFile,
    };
  }

  private retire(j: ManagedJob): void {
    // Withdraw every target, then stop the pool once their staleness markers went out.
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

  debug(name: string): { active: TargetDebug[]; dropped: DroppedTarget[] } | undefined {
    return this.jobs.get(name)?.scheduler.debugTargets();
  }

  /** Names of the running jobs. */
  get names(): string[] {
    return [...this.jobs.keys()];
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Stops every pool. Like Prometheus on shutdown, no staleness markers (pending ones are called off too). */
  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.jobs.values()].map((j) => j.scheduler);
    this.jobs.clear();
    const draining = [...this.retiring];
    for (const r of draining) all.push(r.scheduler);
    await Promise.all(all.map((s) => s.stop()));
    await Promise.all(draining.map((r) => r.done));
  }
}
