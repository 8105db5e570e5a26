// prometheus.scrape: scrapes targets on their interval and forwards samples
// (scraped + synthetic series) to forward_to. Parsing and label work happen
// in the shared scrape worker pool; this file wires config, cluster and health.
import { registerComponent } from '../../runtime/registry.js';
import type { Component, ComponentContext, ComponentDefinition } from '../../runtime/types.js';
import { poolWireConfig, type ScrapeArgs, scrapeArgsSchema } from '../../scrape/args.js';
import { scrapeMetrics } from '../../scrape/metrics.js';
import { ScrapeWorkerPool } from '../../scrape/pool.js';
import { ScrapeScheduler } from '../../scrape/scheduler.js';

class PrometheusScrape implements Component<ScrapeArgs> {
  private readonly pool = ScrapeWorkerPool.acquire();
  private readonly scheduler: ScrapeScheduler;
  private unsubscribe: (() => void) | undefined;
  private args: ScrapeArgs | undefined;
  private stopped = false;

  constructor(private readonly ctx: ComponentContext) {
    const metrics = scrapeMetrics(ctx.metrics);
    metrics.poolsTotal.inc();
    this.pool.onWorkerLog = (m) => ctx.logger.warn(m);
    // The worker pool is shared by the process: key this instance's settings uniquely, so a
    // component rebuilt under the same id (or several in-process replicas) never share them.
    this.scheduler = new ScrapeScheduler(
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
    this.args = args;
    const clustering = args.clustering?.enabled === true;
    if (clustering && !this.unsubscribe) this.unsubscribe = this.ctx.cluster.onChange(() => this.scheduler.resync());
    if (!clustering && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
    try {
      this.scheduler.update(
        {
          defaults: {
            jobName: args.job_name || this.ctx.id,
            scheme: args.scheme,
            metricsPath: args.metrics_path,
            intervalMs: args.scrape_interval,
            timeoutMs: args.scrape_timeout,
            params: args.params ?? {},
          },
          wire: poolWireConfig(args),
          targetLimit: args.target_limit,
          extraMetrics: args.extra_metrics,
          clustering,
          excludedLabels: args.clustering?.excluded_labels ?? [],
          forwardTo: args.forward_to ?? [],
        },
        Array.isArray(args.targets) ? args.targets : [],
      );
      this.ctx.setHealth('healthy', 'scrape targets updated');
    } catch (e) {
      this.ctx.setHealth('unhealthy', `invalid arguments: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    await this.scheduler.stop();
    await ScrapeWorkerPool.release();
  }

  debugInfo(): unknown {
    const { active, dropped } = this.scheduler.debugTargets();
    return {
      job_name: this.args?.job_name || this.ctx.id,
      targets: active,
      dropped_targets: dropped,
      workers: this.pool.stats(),
    };
  }

  /** For tests: the scheduler's worker pool. */
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
