// Counters a stage registers on its loki.process's registry. A stage is
// rebuilt on every config update, so an existing counter is reused (Alloy's
// MustRegisterOrGet).
import { Counter } from 'prom-client';
import type { StageEnv } from './types.js';

export function counter<L extends string = never>(env: StageEnv, name: string, help: string, labelNames: readonly L[] = []): Counter<L> | undefined {
  const reg = env.registry;
  if (!reg) return undefined;
  const existing = reg.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [reg] });
}
