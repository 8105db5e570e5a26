// loki.rules.kubernetes: sync PrometheusRule resources into the Loki ruler.
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { rulesArgsSchema } from '../../../crd/rules/args.js';
import { RulesComponent } from '../../../crd/rules/component.js';
import { loadKubeClient } from '../../../kube/client.js';

export const lokiRulesKubernetes: ComponentDefinition<Record<string, unknown>> = {
  name: 'loki.rules.kubernetes',
  load: loadKubeClient,
  args: rulesArgsSchema('loki'),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new RulesComponent(ctx, 'loki');
  },
};

registerComponent(lokiRulesKubernetes);
