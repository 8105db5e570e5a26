// discovery.kubelet metrics (prefix alloy_kubelet_), in the component's own
// registry (which labels every series with component_id).
import { Counter, Gauge, type Registry } from 'prom-client';

export interface KubeletMetrics {
  polls: Counter<'outcome'>;
  targets: Gauge;
}

export function kubeletMetrics(registry: Registry): KubeletMetrics {
  const registers = [registry];
  return {
    polls: new Counter({
      name: 'alloy_kubelet_polls_total',
      help: 'Requests of the kubelet /pods endpoint, per outcome (success or the error kind).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    targets: new Gauge({ name: 'alloy_kubelet_targets', help: 'Targets currently exported.', registers }),
  };
}
