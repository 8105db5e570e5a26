// The loop every import.* source shares: fetch the module once when the
// arguments arrive (a failure rejects them: on the first load nothing could
// run), then again every period. A failed fetch keeps the last good module and
// marks the import unhealthy with the reason; a good one hands the module to
// the runtime, which re-plans only when the content changed.
import type { ComponentContext, ModuleSource } from '../../runtime/types.js';

export type ModuleFetch = (signal: AbortSignal) => Promise<ModuleSource>;

export class ModulePoller {
  private timer?: NodeJS.Timeout;
  private abort?: AbortController;
  private generation = 0;
  lastError: string | undefined;
  lastSuccess: string | undefined;

  constructor(private readonly ctx: ComponentContext) {}

  /** Fetches now (throws on failure), then every `everyMs` (0: never again). */
  async start(fetch: ModuleFetch, everyMs: number): Promise<void> {
    this.stop();
    const gen = ++this.generation;
    await this.once(fetch, gen, true);
    if (everyMs > 0) this.schedule(fetch, everyMs, gen);
  }

  private schedule(fetch: ModuleFetch, everyMs: number, gen: number): void {
    this.timer = setTimeout(async () => {
      if (gen !== this.generation || this.ctx.signal.aborted) return;
      await this.once(fetch, gen, false).catch(() => undefined);
      if (gen === this.generation && !this.ctx.signal.aborted) this.schedule(fetch, everyMs, gen);
    }, everyMs);
    this.timer.unref();
  }

  private async once(fetch: ModuleFetch, gen: number, initial: boolean): Promise<void> {
    this.abort = new AbortController();
    const onStop = () => this.abort?.abort();
    this.ctx.signal.addEventListener('abort', onStop, { once: true });
    try {
      const source = await fetch(this.abort.signal);
      if (gen !== this.generation) return;
      this.lastError = undefined;
      this.lastSuccess = new Date().toISOString();
      this.ctx.setHealth('healthy', 'module updated');
      this.ctx.setModuleContent?.(source);
    } catch (e) {
      if (gen !== this.generation) return;
      const reason = (e as Error).message ?? String(e);
      if (reason !== this.lastError) this.ctx.logger.error({ err: reason }, 'failed to fetch module');
      this.lastError = reason;
      this.ctx.setHealth('unhealthy', initial ? reason : `${reason} (the last good module keeps running)`);
      if (initial) throw e;
    } finally {
      this.ctx.signal.removeEventListener('abort', onStop);
    }
  }

  stop(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
  }
}
