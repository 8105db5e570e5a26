// loki.source.kubernetes: tails the logs of the containers in `targets`
// (discovery.kubernetes role "pod") through the API server's pods/log
// endpoint, one tailer per container this replica owns, and forwards the
// lines. Positions (positions/) make restarts and hand-offs between
// replicas lossless and free of duplicates.
import { kubeClientSchema, loadKubeClient, validateKubeClientArgs, type KubeClientArgs } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';
import { TailStreams } from '../../../logs/tail/streams.js';
import type { TailTarget } from '../../../logs/tail/tailer.js';
import { LOGS_RECEIVER, type LogsReceiver } from '../../../pipeline/logs.js';

export interface LokiSourceKubernetesArgs {
  targets: Record<string, string>[];
  forward_to: LogsReceiver[];
  client?: KubeClientArgs;
  clustering?: { enabled?: boolean };
}

/**
 * Build a tail target from a discovery target; undefined when it lacks the pod
 * coordinates. As in Alloy, each coordinate comes from discovery's
 * __meta_kubernetes_* label or from the __pod_*__ label a relabel can set.
 */
export function toTailTarget(labels: Record<string, string>): TailTarget | undefined {
  const namespace = labels.__meta_kubernetes_namespace || labels.__pod_namespace__;
  const pod = labels.__meta_kubernetes_pod_name || labels.__pod_name__;
  const container = labels.__meta_kubernetes_pod_container_name || labels.__pod_container_name__;
  if (!namespace || !pod || !container) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!k.startsWith('__')) out[k] = v;
  out.namespace = namespace;
  out.pod = pod;
  out.container = container;
  out.job ??= `${namespace}/${container}`;
  out.instance ??= `${namespace}/${pod}:${container}`;
  return { key: `${namespace}/${pod}:${container}`, namespace, pod, container, uid: labels.__meta_kubernetes_pod_uid || labels.__pod_uid__ || undefined, labels: out };
}

class LokiSourceKubernetes {
  readonly #streams: TailStreams;

  constructor(private readonly ctx: ComponentContext) {
    this.#streams = new TailStreams(ctx);
  }

  async update(args: LokiSourceKubernetesArgs): Promise<void> {
    const targets = new Map<string, TailTarget>();
    let skipped = 0;
    for (const labels of args.targets ?? []) {
      const tt = toTailTarget(labels);
      if (!tt) skipped++;
      // Several targets per container (one per port) collapse into one stream.
      else if (!targets.has(tt.key)) targets.set(tt.key, tt);
    }
    await this.#streams.sync({ targets, forward: args.forward_to ?? [], client: args.client, clustered: !!args.clustering?.enabled });
    this.ctx.setHealth('healthy', `${this.#streams.size} stream(s) tailed, ${targets.size} target container(s)${skipped ? `, ${skipped} target(s) without pod labels ignored` : ''}`);
  }

  stop(): Promise<void> {
    return this.#streams.stop();
  }

  debugInfo(): unknown {
    return this.#streams.debugInfo();
  }
}

export const lokiSourceKubernetes: ComponentDefinition<LokiSourceKubernetesArgs> = {
  name: 'loki.source.kubernetes',
  load: loadKubeClient,
  labelRequired: true,
  args: {
    attrs: {
      targets: { type: t.targets(), required: true },
      forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true },
    },
    blocks: {
      client: { schema: { ...kubeClientSchema, validate: validateKubeClientArgs } },
      // Alloy: `enabled` is required when the block is present.
      clustering: { schema: { attrs: { enabled: { type: t.bool(), required: true } } } },
    },
  },
  exports: {},
  build(ctx: ComponentContext) {
    return new LokiSourceKubernetes(ctx);
  },
};

registerComponent(lokiSourceKubernetes);
