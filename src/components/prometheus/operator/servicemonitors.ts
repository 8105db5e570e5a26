// prometheus.operator.servicemonitors: scrape what ServiceMonitor resources describe, without the operator.
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { type OperatorArgs, operatorArgsSchema } from '../../../crd/operator/args.js';
import { MonitorComponent } from '../../../crd/operator/component.js';
import { loadKubeClient } from '../../../kube/client.js';

export const serviceMonitors: ComponentDefinition<OperatorArgs> = {
  name: 'prometheus.operator.servicemonitors',
  load: loadKubeClient,
  args: operatorArgsSchema(true),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new MonitorComponent(ctx, 'ServiceMonitor');
  },
};

registerComponent(serviceMonitors);
