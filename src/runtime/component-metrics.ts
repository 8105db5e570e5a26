// Every component registers its metrics into a registry of its own, so two
// instances of one component never clash over a metric name and each series
// says where it comes from: the registry labels it component_id (the
// component's id) and component_path (the module it runs in, "/" at the top
// level), as Alloy labels component metrics. /metrics merges the registries.
import { AggregatorRegistry, Registry } from 'prom-client';

/** Module path of the top-level config (modules will run their components under their own path). */
export const ROOT_COMPONENT_PATH = '/';

export function componentRegistry(id: string, componentPath = ROOT_COMPONENT_PATH): Registry {
  const r = new Registry();
  r.setDefaultLabels({ component_id: id, component_path: componentPath });
  return r;
}

/**
 * One exposition of several registries. Families of the same name (one per
 * component instance) are concatenated: their series differ by component_id,
 * so prom-client's aggregation with "sum" keeps each series as it is.
 */
export async function gatherMetrics(registries: readonly Registry[]): Promise<string> {
  const families = await Promise.all(
    registries.map(async (r) => (await r.getMetricsAsJSON()).map((m) => ({ ...m, aggregator: 'sum' as const }))),
  );
  return AggregatorRegistry.aggregate(families).metrics();
}
