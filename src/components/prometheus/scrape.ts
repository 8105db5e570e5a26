// prometheus.scrape: scrapes targets on their interval and forwards samples
// (scraped + synthetic series) to forward_to. The arguments become one
// ScrapeJob run by the component's ScrapeManager; parsing and label work
// happen in the shared scrape worker pool. This file wires config, cluster and health.
import { registerComponent } from '../../runtime/registry.js';
import type { Component, ComponentContext, ComponentDefinition } from '../../runtime/types.js';
import { buildScrapeArgsJob, type ScrapeArgs, scrapeArgsSchema } from '../../scrape/args.js';
import { ScrapeManager } from '../../scrape/manager.js';
import { scrapeMetrics } from '../../scrape/metrics.js';
import { ScrapeWorkerPool } from '../../scrape/pool.js';

class PrometheusScrape implements Component<ScrapeArgs> {
  private readonly pool = ScrapeWorkerPool.acquire();
  private readonly manager: ScrapeManager;
  private unsubscribe: (() => void) | undefined;
  private jobName: string | undefined;
  private stopped = false;
  private stopping: Promise<void> | undefined;

  constructor(private readonly ctx: ComponentContext) {
    const metrics = scrapeMetrics(ctx.metrics);
    metrics.poolsTotal.inc();
    this.pool.onWorkerLog = (m) => ctx.logger.warn(m);
    // The worker pool is shared by the process: key this instance's settings uniquely, so a
    // component rebuilt under the same id (or several in-process replicas) never share them.
    this.manager = new ScrapeManager(
      `${ctx.id}#${++instanceSeq}`,
      this.pool,
      metrics,
      ctx.cluster,
      (msg, extra) => ctx.logger.debug(extra ?? {}, msg),
    );
    ctx.signal.addEventListener('abort', () => void this.stop(), { once: true });
  }

  update(args: ScrapeArgs): void {
    if (this.stopped) return;
    const clustering = args.clustering?.enabled === true;
    this.manager.setClustering(clustering, args.clustering?.excluded_labels ?? []);
    if (clustering && !this.unsubscribe) this.unsubscribe = this.ctx.cluster.onChange(() => this.manager.resync());
    if (!clustering && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
    try {
      const job = buildScrapeArgsJob(args, args.job_name || this.ctx.id);
      this.jobName = job.name;
      this.manager.apply([job], args.forward_to ?? []);
      this.ctx.setHealth('healthy', 'scrape targets updated');
    } catch (e) {
      this.ctx.setHealth('unhealthy', `invalid arguments: ${(e as Error).message}`);
    }
  }

  /**
   * One shutdown, awaited by every caller: the abort signal starts it before
   * the controller calls stop(), and that call must not return before its
   * scrape loops have ended.
   */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    await this.manager.stop();
    await ScrapeWorkerPool.release();
  }

  debugInfo(): unknown {
    const { active, dropped } = (this.jobName !== undefined ? this.manager.debug(this.jobName) : undefined) ?? { active: [], dropped: [] };
    return {
      job_name: this.jobName ?? this.ctx.id,
      targets: active,
      dropped_targets: dropped,
      workers: this.pool.stats(),
    };
  }

  /** For tests: the shared worker pool. */
  get workerPool(): ScrapeWorkerPool {
    return this.pool;
  }
}

let instanceSeq = 0;

export const prometheusScrape: ComponentDefinition<ScrapeArgs> = {
  name: 'prometheus.scrape',
  args: scrapeArgsSchema,
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext): Component<ScrapeArgs> {
    return new PrometheusScrape(ctx);
  },
};

registerComponent(prometheusScrape);
