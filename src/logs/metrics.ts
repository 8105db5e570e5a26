// prom-client refuses to register a name twice in one registry, yet several
// instances of a component share the process-wide registry. Metrics are
// therefore created once per registry and told apart by a component_id label.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}

export function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return existing<Counter<L>>(registry, name) ?? new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

export function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Gauge<L> {
  return existing<Gauge<L>>(registry, name) ?? new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
}

export function histogram<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  return existing<Histogram<L>>(registry, name) ?? new Histogram<L>({ name, help, labelNames: [...labelNames], buckets, registers: [registry] });
}
