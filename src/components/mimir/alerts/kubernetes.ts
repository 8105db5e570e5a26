// mimir.alerts.kubernetes: merge AlertmanagerConfig resources into a base
// configuration and load it into the Mimir Alertmanager (experimental, as in Alloy).
import { registerComponent } from '../../../runtime/registry.js';
import type { ComponentContext, ComponentDefinition } from '../../../runtime/types.js';
import { alertsArgsSchema } from '../../../crd/alerts/args.js';
import { AlertsComponent } from '../../../crd/alerts/component.js';
import { loadKubeClient } from '../../../kube/client.js';

export const mimirAlertsKubernetes: ComponentDefinition<Record<string, unknown>> = {
  name: 'mimir.alerts.kubernetes',
  stability: 'experimental',
  load: loadKubeClient,
  args: alertsArgsSchema,
  exports: {},
  labelRequired: true,
  build(ctx: ComponentContext) {
    return new AlertsComponent(ctx);
  },
};

registerComponent(mimirAlertsKubernetes);
