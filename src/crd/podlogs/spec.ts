// PodLogs (monitoring.grafana.com/v1alpha2) custom resources decoded into
// checked values. Fields as Alloy's CRD defines them: spec.selector,
// spec.namespaceSelector (label selectors) and spec.relabelings (the
// prometheus-operator's RelabelConfig). Any problem rejects the whole CR
// with the field path and reason; the other CRs keep working.
import { compileRules, RelabelConfigError, type CompiledRule } from '../../relabel/index.js';
import { relabelings, selectorOf } from '../operator/monitor.js';
import { FieldError, Reader } from '../operator/reader.js';
import type { LabelSelector } from '../selector.js';

export const PODLOGS_GROUP = 'monitoring.grafana.com';
export const PODLOGS_VERSION = 'v1alpha2';
export const PODLOGS_RESOURCE = 'podlogs';

export interface PodLogsSpec {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  selector: LabelSelector;
  namespaceSelector: LabelSelector;
  rules: CompiledRule[];
}

/** "PodLogs/<namespace>/<name>": how reports name a CR. */
export function podLogsName(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `PodLogs/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** Decode a PodLogs object; throws FieldError naming the bad field. */
export function parsePodLogs(obj: unknown): PodLogsSpec {
  const root = Reader.of(obj, '');
  const meta = root.obj('metadata') ?? Reader.of({}, 'metadata');
  const spec = Reader.of(root.value.spec, 'spec');
  const raw = relabelings(spec, 'relabelings');
  let rules: CompiledRule[];
  try {
    rules = compileRules(raw);
  } catch (e) {
    if (e instanceof RelabelConfigError) throw new FieldError('spec.relabelings', e.message);
    throw e;
  }
  return {
    namespace: meta.str('namespace') ?? '',
    name: meta.str('name') ?? '',
    labels: meta.strMap('labels'),
    annotations: meta.strMap('annotations'),
    selector: selectorOf(spec.obj('selector')),
    namespaceSelector: selectorOf(spec.obj('namespaceSelector')),
    rules,
  };
}
