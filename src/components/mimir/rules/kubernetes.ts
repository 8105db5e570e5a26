// mimir.rules.kubernetes: sync PrometheusRule resources into the Mimir ruler.
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { rulesArgsSchema } from '../../../crd/rules/args.js';
import { RulesComponent } from '../../../crd/rules/component.js';
import { loadKubeClient } from '../../../kube/client.js';

export const mimirRulesKubernetes: ComponentDefinition<Record<string, unknown>> = {
  name: 'mimir.rules.kubernetes',
  load: loadKubeClient,
  args: rulesArgsSchema('mimir'),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new RulesComponent(ctx, 'mimir');
  },
};

registerComponent(mimirRulesKubernetes);
