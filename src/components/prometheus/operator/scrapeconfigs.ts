// prometheus.operator.scrapeconfigs (experimental, as in Alloy): scrape what ScrapeConfig resources describe, without the operator.
import { loadKubeClient } from '../../../kube/client.js';
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { type OperatorArgs, operatorArgsSchema } from '../../../crd/operator/args.js';
import { CrJobsComponent } from '../../../crd/crjobs/component.js';
import { SCRAPECONFIG_KIND } from '../../../crd/scrapeconfig/scrapeconfig.js';

export const scrapeConfigs: ComponentDefinition<OperatorArgs> = {
  name: 'prometheus.operator.scrapeconfigs',
  load: loadKubeClient,
  stability: 'experimental',
  args: operatorArgsSchema(false),
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new CrJobsComponent(ctx, SCRAPECONFIG_KIND);
  },
};

registerComponent(scrapeConfigs);
