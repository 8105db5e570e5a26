// loki.source.podlogs: tail the containers PodLogs resources
// (monitoring.grafana.com/v1alpha2) select, through the API server's pods/log,
// with the stream set loki.source.kubernetes uses (positions, hand-off).
import { kubeClientSchema, validateKubeClientArgs, loadKubeClient } from '../../../kube/client.js';
import { PodLogsController, type PodLogsArgs } from '../../../crd/podlogs/controller.js';
import { selectorBlockSchema } from '../../../crd/selector.js';
import { LOGS_RECEIVER } from '../../../pipeline/logs.js';
import { registerComponent } from '../../../runtime/registry.js';
import { t, type ComponentContext, type ComponentDefinition } from '../../../runtime/types.js';

export const lokiSourcePodLogs: ComponentDefinition<PodLogsArgs> = {
  name: 'loki.source.podlogs',
  load: loadKubeClient,
  labelRequired: true,
  args: {
    attrs: {
      forward_to: { type: t.array(t.capsule(LOGS_RECEIVER)), required: true },
      tail_from_end: { type: t.bool(), default: false },
      preserve_discovered_labels: { type: t.bool(), default: false },
    },
    blocks: {
      client: { schema: { ...kubeClientSchema, validate: validateKubeClientArgs } },
      selector: { schema: selectorBlockSchema },
      namespace_selector: { schema: selectorBlockSchema },
      node_filter: {
        schema: {
          attrs: {
            enabled: { type: t.bool(), default: false },
            node_name: { type: t.string(), default: '' },
          },
        },
      },
      // Alloy: `enabled` is required when the block is present.
      clustering: { schema: { attrs: { enabled: { type: t.bool(), required: true } } } },
    },
  },
  exports: {},
  build(ctx: ComponentContext) {
    return new PodLogsController(ctx);
  },
};

registerComponent(lokiSourcePodLogs);
