// prometheus.operator.probes: scrape what Probe resources describe (through their prober), without the operator.
import { loadKubeClient } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { type OperatorArgs, operatorArgsSchema } from '../../../crd/operator/args.js';
import { CrJobsComponent } from '../../../crd/crjobs/component.js';
import { PROBE_KIND } from '../../../crd/probe/probe.js';

export const probes: ComponentDefinition<OperatorArgs> = {
  name: 'prometheus.operator.probes',
  load: loadKubeClient,
  args: operatorArgsSchema(false),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new CrJobsComponent(ctx, PROBE_KIND);
  },
};

registerComponent(probes);
