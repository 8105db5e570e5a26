// otelcol.processor.k8sattributes: adds pod metadata to resources (mechanism:
// src/otel/k8sattributes/). The pods, namespaces, nodes and ReplicaSets come
// from the process's shared informers (src/kube/informers.ts), so a
// discovery.kubernetes watching pods with the same client opens no second
// watch. Only the watches the rules need are opened; passthrough opens none.
import os from 'node:os';
import path from 'node:path';
import { acquireInformer, type InformerHandle } from '../../../kube/informers.js';
import { makeKubeConfig, type AlloyKubeConfig, loadKubeClient } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type BlockSchema, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { OTELCOL_CONSUMER, fanoutSignal, otelConsumer, type OtelConsumer, type OtelContext, type OtelOutput, type Signal, type SignalData } from '../../../pipeline/otel.js';
import { debugMetricsSchema, outputOf, outputSchema } from '../../../otel/config-schema.js';
import { podSelectors, rulesOf, type K8sAttributesArgs, type Rules } from '../../../otel/k8sattributes/config.js';
import type { MetadataLookups, MetaObject, PodObject } from '../../../otel/k8sattributes/pod-metadata.js';
import { PodTable } from '../../../otel/k8sattributes/pod-table.js';
import { K8sAttributesProcessor } from '../../../otel/k8sattributes/processor.js';
import { itemCount } from '../../../otel/model.js';
import { ProcessorMetrics } from '../../../otel/processor-metrics.js';

export interface K8sAttributesProcessorArgs extends K8sAttributesArgs {
  output: Partial<OtelOutput>;
}

/** The client each auth_type means (the Collector's k8sconfig). */
export function kubeConfigFor(authType: string): AlloyKubeConfig {
  switch (authType) {
    case 'kubeConfig': {
      // The first file of KUBECONFIG, else ~/.kube/config, as kubectl.
      const file = (process.env.KUBECONFIG ?? '').split(path.delimiter).find((f) => f) ?? path.join(os.homedir(), '.kube', 'config');
      return makeKubeConfig({ kubeconfig_file: file });
    }
    case 'none': {
      const host = process.env.KUBERNETES_SERVICE_HOST;
      if (!host) throw new Error('auth_type "none": not running in a cluster (KUBERNETES_SERVICE_HOST is unset)');
      const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
      return makeKubeConfig({ api_server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, tls_config: { insecure_skip_verify: true } });
    }
    case 'tls':
      throw new Error('auth_type "tls" is not supported by this build (Alloy exposes no certificate arguments for it); use "serviceAccount" or "kubeConfig"');
    default:
      return makeKubeConfig({});
  }
}

/** The informers the rules need, and lookups backed by their caches. */
class Watches {
  readonly handles: InformerHandle[] = [];
  readonly pods: InformerHandle;
  readonly lookups: MetadataLookups = {};

  constructor(args: K8sAttributesArgs, rules: Rules, ctx: ComponentContext) {
    const kubeConfig = kubeConfigFor(args.auth_type);
    const acquire = (group: string, version: string, resource: string, extra: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}) => {
      const h = acquireInformer({ kubeConfig, group, version, resource, ...extra, logger: ctx.logger });
      this.handles.push(h);
      return h;
    };
    this.pods = acquire('', 'v1', 'pods', podSelectors(args));
    const from = new Set(rules.extract.map((r) => r.from));
    if (from.has('namespace')) {
      const ns = acquire('', 'v1', 'namespaces');
      this.lookups.namespace = (name) => ns.get(name) as MetaObject | undefined;
    }
    if (from.has('node')) {
      const nodes = acquire('', 'v1', 'nodes');
      this.lookups.node = (name) => nodes.get(name) as MetaObject | undefined;
    }
    if (!rules.deploymentFromReplicaSetName && (rules.metadata.has('k8s.deployment.name') || rules.metadata.has('k8s.deployment.uid'))) {
      const rs = acquire('apps', 'v1', 'replicasets', { namespace: args.filter?.namespace || undefined });
      this.lookups.replicaSet = (namespace, name) => rs.get(`${namespace}/${name}`) as MetaObject | undefined;
    }
  }

  whenSynced(): Promise<void> {
    return Promise.all(this.handles.map((h) => h.whenSynced())).then(() => undefined);
  }

  release(): Promise<void> {
    return Promise.all(this.handles.map((h) => h.release())).then(() => undefined);
  }
}

class K8sAttributes {
  readonly #ctx: ComponentContext;
  readonly input: OtelConsumer;
  #output: OtelOutput = outputOf(undefined);
  #processor: K8sAttributesProcessor | undefined;
  #watches: Watches | undefined;
  #table: PodTable | undefined;
  #dirty = false;
  #key = '';
  readonly #warned = new Set<string>();

  constructor(ctx: ComponentContext) {
    this.#ctx = ctx;
    const metrics = new ProcessorMetrics(ctx.metrics, ctx.id);
    const take = <S extends Signal>(signal: S, data: SignalData[S], c?: OtelContext): Promise<void> => {
      const p = this.#processor;
      if (!p) return Promise.reject(new Error(`${ctx.id} is not configured`));
      const incoming = itemCount(signal, data);
      const start = performance.now();
      let out: SignalData[S];
      try {
        this.#refresh();
        out = p.process(signal, data, c);
      } catch (e) {
        metrics.record(signal, incoming, 0, (performance.now() - start) / 1000);
        return Promise.reject(e);
      }
      metrics.record(signal, incoming, itemCount(signal, out), (performance.now() - start) / 1000);
      const consumers = this.#output[signal];
      return consumers.length ? fanoutSignal(consumers, signal, out, c) : Promise.resolve();
    };
    this.input = otelConsumer({ consumeTraces: (d, c) => take('traces', d, c), consumeMetrics: (d, c) => take('metrics', d, c), consumeLogs: (d, c) => take('logs', d, c) });
    ctx.setExports({ input: this.input });
  }

  #warnOnce(msg: string): void {
    if (this.#warned.has(msg)) return;
    this.#warned.add(msg);
    this.#ctx.logger.warn(msg);
  }

  /** Rebuild the pod table from the caches when any watched resource changed since the last request. */
  #refresh(): void {
    if (!this.#dirty || !this.#watches || !this.#table) return;
    this.#dirty = false;
    const w = this.#watches;
    // A namespace, node or ReplicaSet change can change every pod's attributes: recompute all.
    this.#table.rebuild(w.pods.objects() as PodObject[], w.lookups, this.#lookupsDirty);
    this.#lookupsDirty = false;
  }
  #lookupsDirty = false;

  async update(args: K8sAttributesProcessorArgs): Promise<void> {
    this.#output = outputOf(args.output);
    const { output: _o, ...rest } = args;
    const key = JSON.stringify(rest);
    if (key === this.#key && this.#processor) return;
    const rules = rulesOf(args);
    for (const k of rules.unsupported) this.#warnOnce(`extract.metadata: ${JSON.stringify(k)} is accepted but not filled by this build`);
    if (args.watch_sync_period !== 300_000) this.#warnOnce('watch_sync_period is accepted but has no effect: the shared informers keep their caches current from the watch, without periodic resyncs');
    this.#key = key;
    const old = this.#watches;
    this.#watches = undefined;
    this.#table = undefined;
    if (!args.passthrough) {
      const watches = new Watches(args, rules, this.#ctx);
      const table = new PodTable(rules, args.pod_delete_grace_period);
      watches.pods.onChange(() => (this.#dirty = true));
      for (const h of watches.handles) if (h !== watches.pods) h.onChange(() => ((this.#dirty = true), (this.#lookupsDirty = true)));
      this.#watches = watches;
      this.#table = table;
      this.#dirty = true;
      if (args.wait_for_metadata) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`Kubernetes metadata was not synced within wait_for_metadata_timeout (${args.wait_for_metadata_timeout} ms)`)), args.wait_for_metadata_timeout)));
        try {
          await Promise.race([watches.whenSynced(), timeout]);
        } catch (e) {
          // The next update with the same arguments tries again.
          this.#key = '';
          throw e;
        } finally {
          clearTimeout(timer);
        }
      }
    }
    this.#processor = new K8sAttributesProcessor(rules, this.#table, args.passthrough);
    await old?.release();
    this.#ctx.setHealth('healthy');
  }

  async stop(): Promise<void> {
    const w = this.#watches;
    this.#watches = undefined;
    await w?.release();
  }

  debugInfo(): unknown {
    return { pods_indexed: this.#table?.size ?? 0, watches: this.#watches?.handles.length ?? 0 };
  }
}

const extractFieldSchema: BlockSchema = {
  attrs: {
    tag_name: { type: t.string(), default: '' },
    key: { type: t.string(), default: '' },
    key_regex: { type: t.string(), default: '' },
    from: { type: t.string(), default: 'pod' },
  },
};

const filterFieldSchema: BlockSchema = {
  attrs: { key: { type: t.string(), required: true }, value: { type: t.string(), required: true }, op: { type: t.string(), default: 'equals' } },
};

export const k8sAttributesProcessor: ComponentDefinition<K8sAttributesProcessorArgs> = {
  name: 'otelcol.processor.k8sattributes',
  load: loadKubeClient,
  args: {
    attrs: {
      auth_type: { type: t.string(), default: 'serviceAccount' },
      passthrough: { type: t.bool(), default: false },
      wait_for_metadata: { type: t.bool(), default: false },
      wait_for_metadata_timeout: { type: t.duration(), default: 10_000 },
      watch_sync_period: { type: t.duration(), default: 300_000 },
      pod_delete_grace_period: { type: t.duration(), default: 120_000 },
    },
    blocks: {
      extract: {
        schema: {
          attrs: {
            metadata: { type: t.array(t.string()) },
            otel_annotations: { type: t.bool(), default: false },
            deployment_name_from_replicaset: { type: t.bool(), default: true },
          },
          blocks: { annotation: { schema: extractFieldSchema, multiple: true }, label: { schema: extractFieldSchema, multiple: true } },
        },
      },
      filter: {
        schema: {
          attrs: { node: { type: t.string(), default: '' }, namespace: { type: t.string(), default: '' } },
          blocks: { field: { schema: filterFieldSchema, multiple: true }, label: { schema: filterFieldSchema, multiple: true } },
        },
      },
      pod_association: {
        multiple: true,
        schema: { blocks: { source: { multiple: true, required: true, schema: { attrs: { from: { type: t.string(), required: true }, name: { type: t.string() } } } } } },
      },
      exclude: { schema: { blocks: { pod: { multiple: true, schema: { attrs: { name: { type: t.string(), required: true } } } } } } },
      output: { schema: outputSchema, required: true },
      debug_metrics: { schema: debugMetricsSchema },
    },
    validate: (a: K8sAttributesArgs) => void rulesOf(a),
  },
  exports: { input: t.capsule(OTELCOL_CONSUMER) },
  build: (ctx) => new K8sAttributes(ctx),
};

registerComponent(k8sAttributesProcessor);
