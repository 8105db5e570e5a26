// import.http: a module fetched from a URL, polled every poll_frequency.
import { registerComponent } from '../../runtime/registry.js';
import { httpClientBlockSchema, type FullHttpClientArgs } from '../../net/client-schema.js';
import { HttpModuleClient } from '../../modules/sources/http.js';
import { ModulePoller } from '../../modules/sources/poller.js';
import { t, type Component, type ComponentContext, type ComponentDefinition } from '../../runtime/types.js';

interface Args {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  poll_frequency: number;
  poll_timeout: number;
  client?: FullHttpClientArgs;
}

class ImportHttp implements Component<Args> {
  private readonly poller: ModulePoller;
  private client?: HttpModuleClient;
  private args?: Args;

  constructor(ctx: ComponentContext) {
    this.poller = new ModulePoller(ctx);
  }

  async update(args: Args): Promise<void> {
    this.args = args;
    this.client?.close();
    const client = new HttpModuleClient({ url: args.url, method: args.method, headers: args.headers, body: args.body, timeoutMs: args.poll_timeout, client: args.client ?? {} });
    this.client = client;
    await this.poller.start((signal) => client.fetch(signal), args.poll_frequency);
  }

  stop(): void {
    this.poller.stop();
    this.client?.close();
  }

  debugInfo() {
    return { url: this.args?.url, lastError: this.poller.lastError ?? null, lastSuccess: this.poller.lastSuccess ?? null };
  }
}

export const importHttp: ComponentDefinition<Args> = {
  name: 'import.http',
  kind: 'import',
  args: {
    attrs: {
      url: { type: t.string(), required: true },
      method: { type: t.string(), default: 'GET' },
      headers: { type: t.map(t.string()), default: {} },
      body: { type: t.string(), default: '' },
      poll_frequency: { type: t.duration(), default: 60_000 },
      poll_timeout: { type: t.duration(), default: 10_000 },
    },
    blocks: { client: { schema: httpClientBlockSchema() } },
    validate(a: Args) {
      if (a.poll_frequency <= 0) throw new Error('poll_frequency must be greater than 0');
      if (a.poll_timeout <= 0) throw new Error('poll_timeout must be greater than 0');
      if (a.poll_timeout >= a.poll_frequency) throw new Error('poll_timeout must be less than poll_frequency');
    },
  },
  exports: {},
  build: (ctx) => new ImportHttp(ctx),
};

registerComponent(importHttp);
