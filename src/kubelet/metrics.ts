// discovery.kubelet metrics (prefix alloy_kubelet_), registered once per prom-client registry.
import { Counter, Gauge, type Registry } from 'prom-client';

export interface KubeletMetrics {
  polls: Counter<'component_id' | 'outcome'>;
  targets: Gauge<'component_id'>;
}

const byRegistry = new WeakMap<Registry, KubeletMetrics>();

export function kubeletMetrics(registry: Registry): KubeletMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  const registers = [registry];
  m = {
    polls: new Counter({
      name: 'alloy_kubelet_polls_total',
      help: 'Requests of the kubelet /pods endpoint, per component and outcome (success or the error kind).',
      labelNames: ['component_id', 'outcome'],
      registers,
    }),
    targets: new Gauge({ name: 'alloy_kubelet_targets', help: 'Targets currently exported, per component.', labelNames: ['component_id'], registers }),
  };
  byRegistry.set(registry, m);
  return m;
}
