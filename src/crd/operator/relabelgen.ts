// The target relabelings the prometheus-operator generates for each
// endpoint of a ServiceMonitor or PodMonitor (same rules, same order), so a
// target gets exactly the labels it would get under the operator: selector
// keep/drop rules, port matching, namespace/service/pod/container/endpoint/
// job labels, jobLabel, targetLabels, podTargetLabels, the running-pod filter,
// then the CR's own relabelings.
import type { RawRule } from '../../relabel/index.js';
import { sanitizeLabelName } from '../../discovery/kubernetes/labels.js';
import type { LabelSelector } from '../selector.js';
import type { EndpointSpec, MonitorSpec } from './monitor.js';

export type DiscoveryRole = 'endpoints' | 'endpointslice' | 'pod';

const keep = (sourceLabels: string[], regex: string): RawRule => ({ action: 'keep', sourceLabels, regex });
const drop = (sourceLabels: string[], regex: string): RawRule => ({ action: 'drop', sourceLabels, regex });
const copy = (source: string, targetLabel: string): RawRule => ({ sourceLabels: [source], targetLabel });
/** Copy a label when it is non-empty (regex "(.+)"), keeping the previous value otherwise. */
const copyNonEmpty = (source: string, targetLabel: string): RawRule => ({ sourceLabels: [source], targetLabel, regex: '(.+)', replacement: '${1}' });

/**
 * A monitor's selector as relabel rules (the operator's RelabelConfig selector
 * mechanism); none with RoleSelector, whose selector goes to discovery.
 */
function monitorSelectorRules(m: MonitorSpec, obj: 'service' | 'pod'): RawRule[] {
  return m.selectorMechanism === 'RoleSelector' ? [] : selectorRules(m.selector, obj);
}

/** Selector as relabel rules on `__meta_kubernetes_<obj>_label(present)_*`. */
export function selectorRules(sel: LabelSelector, obj: 'service' | 'pod' | 'ingress'): RawRule[] {
  const label = (k: string) => `__meta_kubernetes_${obj}_label_${sanitizeLabelName(k)}`;
  const present = (k: string) => `__meta_kubernetes_${obj}_labelpresent_${sanitizeLabelName(k)}`;
  const out: RawRule[] = [];
  const ml = sel.matchLabels ?? {};
  for (const k of Object.keys(ml).sort()) out.push(keep([label(k), present(k)], `(${ml[k]});true`));
  for (const e of sel.matchExpressions ?? []) {
    const vals = (e.values ?? []).join('|');
    if (e.operator === 'In') out.push(keep([label(e.key), present(e.key)], `(${vals});true`));
    else if (e.operator === 'NotIn') out.push(drop([label(e.key), present(e.key)], `(${vals});true`));
    else if (e.operator === 'Exists') out.push(keep([present(e.key)], 'true'));
    else if (e.operator === 'DoesNotExist') out.push(drop([present(e.key)], 'true'));
  }
  return out;
}

const RUNNING_FILTER: RawRule = drop(['__meta_kubernetes_pod_phase'], '(Failed|Succeeded)');
const INIT: RawRule = { sourceLabels: ['job'], targetLabel: '__tmp_prometheus_job_name' };

export function serviceMonitorRules(m: MonitorSpec, ep: EndpointSpec, role: 'endpoints' | 'endpointslice'): RawRule[] {
  const rules: RawRule[] = [INIT, ...monitorSelectorRules(m, 'service')];
  if (ep.port) {
    rules.push(keep([role === 'endpointslice' ? '__meta_kubernetes_endpointslice_port_name' : '__meta_kubernetes_endpoint_port_name'], ep.port));
  } else if (ep.targetPort !== undefined) {
    if (typeof ep.targetPort === 'string' && ep.targetPort !== '') rules.push(keep(['__meta_kubernetes_pod_container_port_name'], ep.targetPort));
    else if (typeof ep.targetPort === 'number' && ep.targetPort !== 0) rules.push(keep(['__meta_kubernetes_pod_container_port_number'], String(ep.targetPort)));
  }
  const kindName =
    role === 'endpointslice'
      ? ['__meta_kubernetes_endpointslice_address_target_kind', '__meta_kubernetes_endpointslice_address_target_name']
      : ['__meta_kubernetes_endpoint_address_target_kind', '__meta_kubernetes_endpoint_address_target_name'];
  rules.push(
    { sourceLabels: kindName, separator: ';', regex: 'Node;(.*)', replacement: '${1}', targetLabel: 'node' },
    { sourceLabels: kindName, separator: ';', regex: 'Pod;(.*)', replacement: '${1}', targetLabel: 'pod' },
    copy('__meta_kubernetes_namespace', 'namespace'),
    copy('__meta_kubernetes_service_name', 'service'),
    copy('__meta_kubernetes_pod_name', 'pod'),
    copy('__meta_kubernetes_pod_container_name', 'container'),
  );
  if (ep.filterRunning) rules.push(RUNNING_FILTER);
  for (const l of m.targetLabels) rules.push(copyNonEmpty(`__meta_kubernetes_service_label_${sanitizeLabelName(l)}`, sanitizeLabelName(l)));
  for (const l of m.podTargetLabels) rules.push(copyNonEmpty(`__meta_kubernetes_pod_label_${sanitizeLabelName(l)}`, sanitizeLabelName(l)));
  rules.push({ sourceLabels: ['__meta_kubernetes_service_name'], targetLabel: 'job', replacement: '${1}' });
  if (m.jobLabel) rules.push(copyNonEmpty(`__meta_kubernetes_service_label_${sanitizeLabelName(m.jobLabel)}`, 'job'));
  const endpoint = ep.port ?? (ep.targetPort !== undefined && String(ep.targetPort) !== '' ? String(ep.targetPort) : undefined);
  if (endpoint !== undefined) rules.push({ targetLabel: 'endpoint', replacement: endpoint });
  return [...rules, ...ep.relabelings];
}

export function podMonitorRules(m: MonitorSpec, ep: EndpointSpec): RawRule[] {
  const rules: RawRule[] = [INIT];
  if (ep.filterRunning) rules.push(RUNNING_FILTER);
  rules.push(...monitorSelectorRules(m, 'pod'));
  if (ep.port) rules.push(keep(['__meta_kubernetes_pod_container_port_name'], ep.port));
  else if (ep.portNumber) rules.push(keep(['__meta_kubernetes_pod_container_port_number'], String(ep.portNumber)));
  else if (ep.targetPort !== undefined) {
    if (typeof ep.targetPort === 'string' && ep.targetPort !== '') rules.push(keep(['__meta_kubernetes_pod_container_port_name'], ep.targetPort));
    else if (typeof ep.targetPort === 'number' && ep.targetPort !== 0) rules.push(keep(['__meta_kubernetes_pod_container_port_number'], String(ep.targetPort)));
  }
  rules.push(copy('__meta_kubernetes_namespace', 'namespace'), copy('__meta_kubernetes_pod_container_name', 'container'), copy('__meta_kubernetes_pod_name', 'pod'));
  for (const l of m.podTargetLabels) rules.push(copyNonEmpty(`__meta_kubernetes_pod_label_${sanitizeLabelName(l)}`, sanitizeLabelName(l)));
  rules.push({ targetLabel: 'job', replacement: `${m.namespace}/${m.name}` });
  if (m.jobLabel) rules.push(copyNonEmpty(`__meta_kubernetes_pod_label_${sanitizeLabelName(m.jobLabel)}`, 'job'));
  if (ep.port) rules.push({ targetLabel: 'endpoint', replacement: ep.port });
  else if (ep.targetPort !== undefined && String(ep.targetPort) !== '') rules.push({ targetLabel: 'endpoint', replacement: String(ep.targetPort) });
  return [...rules, ...ep.relabelings];
}

/** The operator's job names. */
export function jobName(m: MonitorSpec, index: number): string {
  return `${m.kind === 'ServiceMonitor' ? 'serviceMonitor' : 'podMonitor'}/${m.namespace}/${m.name}/${index}`;
}
