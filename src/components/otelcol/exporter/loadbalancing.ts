// otelcol.exporter.loadbalancing: spreads traces and logs (or metrics, by the
// routing key) over OTLP/gRPC backends on a consistent-hash ring, so every
// span of one trace reaches one backend (mechanism: src/otel/loadbalancing/).
// Each backend gets the sender and gRPC transport of otelcol.exporter.otlp
// (src/otel/exporter/). Backends come from resolver > static, dns, kubernetes
// (the shared Endpoints informer of the service) or, our addition, clustering
// (the cluster's participants).
import { Counter, Gauge, Registry } from 'prom-client';
import type { KubeConfig } from '@kubernetes/client-node';
import { acquireInformer, type InformerHandle } from '../../../kube/informers.js';
import { makeKubeConfig, loadKubeClient } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, otelConsumer, type OtelConsumer, type OtelContext, type Signal, type SignalData } from '../../../pipeline/otel.js';
import { QUEUE_DEFAULTS, RETRY_DEFAULTS, authAttr, debugMetricsSchema, queueSchema, retrySchema, type QueueArgs, type RetryArgs } from '../../../otel/config-schema.js';
import { ExporterMetrics } from '../../../otel/exporter/exporter-metrics.js';
import { ExportError, type ExportTransport } from '../../../otel/exporter/export-error.js';
import { GRPC_COMPRESSIONS, GrpcTransport, type GrpcClientArgs } from '../../../otel/exporter/grpc-transport.js';
import { ExportSender } from '../../../otel/exporter/sender.js';
import { LoadBalancer, type Backend } from '../../../otel/loadbalancing/balancer.js';
import { kubernetesEndpoints, parseService } from '../../../otel/loadbalancing/kubernetes-endpoints.js';
import { ClusterResolver, DnsResolver, StaticResolver, type LookupFn, type Resolver } from '../../../otel/loadbalancing/resolvers.js';
import { ROUTING_KEYS, SIGNALS_OF, type RoutingKey } from '../../../otel/loadbalancing/routing.js';
import { tlsClientSchema } from '../../../otel/tls.js';
import { parseBase2Bytes } from '../../../otel/units.js';

type ClientArgs = Omit<GrpcClientArgs, 'endpoint'> & { read_buffer_size?: string; write_buffer_size?: string };

interface KubernetesResolverArgs {
  service: string;
  ports: number[];
  timeout: number;
  return_hostnames: boolean;
}

export interface LoadBalancingArgs {
  routing_key: string;
  timeout: number;
  retry_on_failure?: Partial<RetryArgs>;
  sending_queue?: Partial<QueueArgs>;
  resolver: {
    static?: { hostnames: string[] };
    dns?: { hostname: string; port: string; interval: number; timeout: number };
    kubernetes?: KubernetesResolverArgs;
    clustering?: { port: string };
  };
  protocol?: { otlp?: { timeout: number; queue?: Partial<QueueArgs>; retry?: Partial<RetryArgs>; client?: ClientArgs } };
}

/** Test hook: the client the kubernetes resolver uses (default: in-cluster, as the Collector). */
export interface LoadBalancingOptions {
  kubeConfig?: () => KubeConfig;
  /** resolver > dns: the name lookup (tests script it). */
  lookup?: LookupFn;
}

const CLIENT_DEFAULTS: ClientArgs = { compression: 'gzip', headers: {}, balancer_name: 'round_robin', wait_for_ready: false };

/** The resolver > kubernetes block: one shared Endpoints watch of the service. */
class KubernetesResolver implements Resolver {
  #handle: InformerHandle | undefined;
  constructor(
    private readonly a: KubernetesResolverArgs,
    private readonly kubeConfig: KubeConfig,
    private readonly ctx: ComponentContext,
  ) {}
  start(onEndpoints: (e: string[]) => void): void {
    const { name, namespace } = parseService(this.a.service);
    const h = acquireInformer({ kubeConfig: this.kubeConfig, group: '', version: 'v1', resource: 'endpoints', namespace, fieldSelector: `metadata.name=${name}`, logger: this.ctx.logger });
    this.#handle = h;
    const publish = () => onEndpoints(kubernetesEndpoints(h.get(`${namespace}/${name}`) as never, this.a.ports, this.a.return_hostnames));
    h.onChange(publish);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.a.timeout)));
    void Promise.race([h.whenSynced(), timeout]).then(() => {
      clearTimeout(timer);
      if (!h.synced) this.ctx.logger.warn(`resolver.kubernetes: endpoints of ${this.a.service} not listed within ${this.a.timeout} ms; still trying`);
      publish();
    });
  }
  stop(): void {
    void this.#handle?.release();
  }
}

class LoadBalancingExporter {
  readonly #ctx: ComponentContext;
  readonly #opts: LoadBalancingOptions;
  readonly input: OtelConsumer;
  readonly #metrics: ExporterMetrics;
  readonly #backendsGauge: Gauge;
  readonly #outcome: Counter;
  readonly #resolutions: Counter;
  readonly #backendUpdates: Counter;
  #balancer: LoadBalancer | undefined;
  #resolver: Resolver | undefined;
  #front: ExportSender | undefined;
  #signals: readonly Signal[] = [];
  #key = '';

  constructor(ctx: ComponentContext, opts: LoadBalancingOptions = {}) {
    this.#ctx = ctx;
    this.#opts = opts;
    this.#metrics = new ExporterMetrics(ctx.metrics, ctx.id);
    this.#backendsGauge = new Gauge({ name: 'otelcol_loadbalancer_num_backends', help: 'Current number of backends in use.', labelNames: ['resolver'], registers: [ctx.metrics] });
    this.#outcome = new Counter({ name: 'otelcol_loadbalancer_backend_outcome_total', help: 'Number of successes and failures for each endpoint.', labelNames: ['success'], registers: [ctx.metrics] });
    this.#resolutions = new Counter({ name: 'otelcol_loadbalancer_num_resolutions_total', help: 'Number of times the resolver has triggered new resolutions.', labelNames: ['resolver', 'success'], registers: [ctx.metrics] });
    this.#backendUpdates = new Counter({ name: 'otelcol_loadbalancer_num_backend_updates_total', help: 'Number of times the list of backends was updated.', labelNames: ['resolver'], registers: [ctx.metrics] });
    const take = <S extends Signal>(signal: S, data: SignalData[S], c?: OtelContext): Promise<void> => {
      if (!this.#front) return Promise.reject(new Error(`${ctx.id} is not configured`));
      if (!this.#signals.includes(signal)) return Promise.reject(new Error(`${ctx.id}: routing_key does not balance ${signal}`));
      return this.#front.send(signal, data, c);
    };
    this.input = otelConsumer({ consumeTraces: (d, c) => take('traces', d, c), consumeMetrics: (d, c) => take('metrics', d, c), consumeLogs: (d, c) => take('logs', d, c) });
    ctx.setExports({ input: this.input });
  }

  #backend(endpoint: string, a: LoadBalancingArgs): Backend {
    const otlp = a.protocol?.otlp;
    const client: GrpcClientArgs = { ...CLIENT_DEFAULTS, ...otlp?.client, endpoint };
    return new ExportSender(
      new GrpcTransport(client, this.#ctx.logger),
      { queue: { ...QUEUE_DEFAULTS, ...otlp?.queue }, retry: { ...RETRY_DEFAULTS, ...otlp?.retry }, timeoutMs: otlp?.timeout ?? 5_000 },
      this.#metrics,
      this.#ctx.logger.child({ endpoint }),
    );
  }

  #resolverOf(a: LoadBalancingArgs): { resolver: Resolver; name: string } {
    const r = a.resolver;
    if (r.clustering) return { resolver: new ClusterResolver(this.#ctx.cluster, r.clustering.port), name: 'clustering' };
    if (r.kubernetes) return { resolver: new KubernetesResolver(r.kubernetes, (this.#opts.kubeConfig ?? (() => makeKubeConfig({})))(), this.#ctx), name: 'k8s' };
    // Alloy: dns takes precedence over static.
    // A failed lookup counts here; every list a resolver publishes counts as a successful resolution (update()).
    if (r.dns) return { resolver: new DnsResolver(r.dns, this.#ctx.logger, this.#opts.lookup, (ok) => void (ok || this.#resolutions.inc({ resolver: 'dns', success: 'false' }))), name: 'dns' };
    return { resolver: new StaticResolver(r.static!.hostnames), name: 'static' };
  }

  async update(a: LoadBalancingArgs): Promise<void> {
    const key = JSON.stringify(a, (k, v) => (k === 'auth' ? (v as { componentId?: string } | undefined)?.componentId : v && typeof v === 'object' && 'reveal' in v ? (v as { reveal(): string }).reveal() : v));
    if (key === this.#key && this.#front) return;
    this.#key = key;
    const client = a.protocol?.otlp?.client;
    if (client && (client.read_buffer_size !== undefined || client.write_buffer_size !== undefined)) {
      this.#ctx.logger.warn('protocol.otlp.client.read_buffer_size and write_buffer_size are accepted but not applied: grpc-js sizes its socket buffers itself');
    }
    await this.#teardown();
    const routing = a.routing_key as RoutingKey;
    this.#signals = SIGNALS_OF[routing];
    const { resolver, name } = this.#resolverOf(a);
    const balancer = new LoadBalancer(routing, (e) => this.#backend(e, a), this.#ctx.logger, {
      onBackends: (n) => {
        this.#backendsGauge.set({ resolver: name }, n);
        this.#backendUpdates.inc({ resolver: name });
      },
      onOutcome: (ok) => this.#outcome.inc({ success: String(ok) }),
    });
    const transport: ExportTransport = {
      export: async (signal, data, c) => {
        try {
          await balancer.consume(signal, data, c);
        } catch (e) {
          throw new ExportError((e as Error).message, true);
        }
      },
      close: () => {},
    };
    // The top-level queue and retry (off unless configured, as in Alloy) re-route a failed request over the current backends.
    this.#front = new ExportSender(
      transport,
      { queue: { ...QUEUE_DEFAULTS, enabled: false, ...a.sending_queue }, retry: { ...RETRY_DEFAULTS, enabled: false, ...a.retry_on_failure }, timeoutMs: a.timeout },
      new ExporterMetrics(new Registry(), this.#ctx.id),
      this.#ctx.logger,
    );
    this.#balancer = balancer;
    this.#resolver = resolver;
    resolver.start((endpoints) => {
      this.#resolutions.inc({ resolver: name, success: 'true' });
      balancer.setEndpoints(endpoints);
    });
    this.#ctx.setHealth('healthy');
  }

  async #teardown(): Promise<void> {
    this.#resolver?.stop();
    const front = this.#front;
    const balancer = this.#balancer;
    this.#front = undefined;
    this.#balancer = undefined;
    this.#resolver = undefined;
    await front?.stop();
    await balancer?.stop();
  }

  stop(): Promise<void> {
    return this.#teardown();
  }

  debugInfo(): unknown {
    return { backends: this.#balancer?.endpoints ?? [] };
  }
}

const clientSchema: BlockSchema = {
  attrs: {
    auth: authAttr,
    authority: { type: t.string() },
    balancer_name: { type: t.string(), default: 'round_robin' },
    compression: { type: t.string(), default: 'gzip' },
    headers: { type: t.map(t.string()), default: {} },
    read_buffer_size: { type: t.string() },
    wait_for_ready: { type: t.bool(), default: false },
    write_buffer_size: { type: t.string(), default: '512KiB' },
  },
  blocks: {
    tls: { schema: tlsClientSchema },
    keepalive: { schema: { attrs: { ping_wait: { type: t.duration() }, ping_response_timeout: { type: t.duration() }, ping_without_stream: { type: t.bool() } } } },
  },
  validate: (c: ClientArgs) => {
    if (!GRPC_COMPRESSIONS.includes(c.compression)) throw new Error(`compression: ${JSON.stringify(c.compression)} is not supported over gRPC here (want one of "gzip", "deflate", "zlib", "none", "")`);
    if (c.balancer_name !== 'round_robin' && c.balancer_name !== 'pick_first') throw new Error(`balancer_name: ${JSON.stringify(c.balancer_name)} (want "round_robin" or "pick_first")`);
    for (const k of ['read_buffer_size', 'write_buffer_size'] as const) if (c[k] !== undefined) parseBase2Bytes(k, c[k]!);
  },
};

/** The top-level queue and retry: Alloy leaves them disabled unless configured. */
const offByDefault = (s: BlockSchema): BlockSchema => ({ ...s, attrs: { ...s.attrs, enabled: { type: t.bool(), default: false } } });

const port = { type: t.string(), default: '4317' };

export const loadBalancingExporter: ComponentDefinition<LoadBalancingArgs> = {
  name: 'otelcol.exporter.loadbalancing',
  load: loadKubeClient,
  args: {
    attrs: {
      routing_key: { type: t.string(), default: 'traceID' },
      timeout: { type: t.duration(), default: 0 },
    },
    blocks: {
      resolver: {
        required: true,
        schema: {
          blocks: {
            static: { schema: { attrs: { hostnames: { type: t.array(t.string()), required: true } } } },
            dns: { schema: { attrs: { hostname: { type: t.string(), required: true }, port, interval: { type: t.duration(), default: 5_000 }, timeout: { type: t.duration(), default: 1_000 } } } },
            kubernetes: {
              schema: {
                attrs: { service: { type: t.string(), required: true }, ports: { type: t.array(t.number()), default: [4317] }, timeout: { type: t.duration(), default: 60_000 }, return_hostnames: { type: t.bool(), default: false } },
              },
            },
            clustering: { schema: { attrs: { port } } },
          },
          validate: (r: LoadBalancingArgs['resolver']) => {
            if (!r.static && !r.dns && !r.kubernetes && !r.clustering) throw new Error('resolver: one of static, dns, kubernetes or clustering is required');
            if (r.static && r.static.hostnames.length === 0) throw new Error('resolver.static: hostnames must not be empty');
            if (r.dns && r.dns.interval <= 0) throw new Error('resolver.dns: interval must be positive');
          },
        },
      },
      protocol: {
        schema: {
          blocks: {
            otlp: {
              schema: {
                attrs: { timeout: { type: t.duration(), default: 5_000 } },
                blocks: { queue: { schema: queueSchema }, retry: { schema: retrySchema }, client: { schema: clientSchema } },
              },
            },
          },
        },
      },
      retry_on_failure: { schema: offByDefault(retrySchema) },
      sending_queue: { schema: offByDefault(queueSchema) },
      debug_metrics: { schema: debugMetricsSchema },
    },
    validate: (a: LoadBalancingArgs) => {
      if (!ROUTING_KEYS.includes(a.routing_key as RoutingKey)) {
        const why = a.routing_key === 'streamID' ? ' ("streamID" is not supported by this build)' : '';
        throw new Error(`routing_key ${JSON.stringify(a.routing_key)} is not one of ${ROUTING_KEYS.join(', ')}${why}`);
      }
    },
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx) => new LoadBalancingExporter(ctx),
};

/** For tests: the component with its hooks. */
export function buildLoadBalancing(ctx: ComponentContext, opts: LoadBalancingOptions): LoadBalancingExporter {
  return new LoadBalancingExporter(ctx, opts);
}

registerComponent(loadBalancingExporter);
