// prometheus.operator.podmonitors: scrape what PodMonitor resources describe, without the operator.
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { type OperatorArgs, operatorArgsSchema } from '../../../crd/operator/args.js';
import { MonitorComponent } from '../../../crd/operator/component.js';
import { loadKubeClient } from '../../../kube/client.js';

export const podMonitors: ComponentDefinition<OperatorArgs> = {
  name: 'prometheus.operator.podmonitors',
  load: loadKubeClient,
  args: operatorArgsSchema(false),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new MonitorComponent(ctx, 'PodMonitor');
  },
};

registerComponent(podMonitors);
