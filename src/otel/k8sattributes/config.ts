// otelcol.processor.k8sattributes arguments (Alloy's names) and the rules
// derived from them: which metadata keys, which label/annotation extractions,
// which pod association rules, which pods are excluded. Checked once here so
// the processor can trust them.

export interface FieldExtract {
  tag_name: string;
  key: string;
  key_regex: string;
  from: string;
}

export interface FieldFilter {
  key: string;
  value: string;
  op: string;
}

export interface AssociationSource {
  from: string;
  name?: string;
}

export interface K8sAttributesArgs {
  auth_type: string;
  passthrough: boolean;
  wait_for_metadata: boolean;
  wait_for_metadata_timeout: number;
  watch_sync_period: number;
  pod_delete_grace_period: number;
  extract?: {
    metadata?: string[];
    otel_annotations: boolean;
    deployment_name_from_replicaset: boolean;
    annotation?: FieldExtract[];
    label?: FieldExtract[];
  };
  filter?: { node: string; namespace: string; field?: FieldFilter[]; label?: FieldFilter[] };
  pod_association?: { source?: AssociationSource[] }[];
  exclude?: { pod?: { name: string }[] };
}

export const AUTH_TYPES = ['none', 'serviceAccount', 'kubeConfig', 'tls'];

/** The Collector's default metadata when `extract.metadata` is not set. */
export const DEFAULT_METADATA = ['k8s.namespace.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.pod.start_time', 'k8s.deployment.name', 'k8s.node.name', 'container.image.name', 'container.image.tag'];

/** Every key this build produces (pod, owner and container metadata). */
export const SUPPORTED_METADATA = [
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.pod.uid',
  'k8s.pod.start_time',
  'k8s.node.name',
  'k8s.deployment.name',
  'k8s.deployment.uid',
  'k8s.replicaset.name',
  'k8s.replicaset.uid',
  'k8s.statefulset.name',
  'k8s.statefulset.uid',
  'k8s.daemonset.name',
  'k8s.daemonset.uid',
  'k8s.job.name',
  'k8s.job.uid',
  'k8s.cronjob.name',
  'k8s.container.name',
  'container.id',
  'container.image.name',
  'container.image.tag',
];

/** Keys Alloy accepts that need watches or conventions this build does not have. */
export const UNSUPPORTED_METADATA = ['k8s.cronjob.uid', 'service.instance.id', 'service.name', 'service.namespace', 'service.version', 'k8s.cluster.uid'];

/** Pods excluded by default (Alloy's SetToDefault). */
export const DEFAULT_EXCLUDES = ['jaeger-agent', 'jaeger-collector'];

/** A pod with this annotation set to "true" is never associated (the Collector's rule). */
export const IGNORE_ANNOTATION = 'opentelemetry.io/k8s-processor/ignore';

export type ExtractFrom = 'pod' | 'namespace' | 'node';
const EXTRACT_FROM: ExtractFrom[] = ['pod', 'namespace', 'node'];

export interface ExtractRule {
  from: ExtractFrom;
  kind: 'labels' | 'annotations';
  /** Exact key, or undefined with `regex`. */
  key?: string;
  regex?: RegExp;
  /** Attribute name; with a regex it may hold $1 / $<name> references. Empty: the default name. */
  tagName: string;
}

export interface Rules {
  metadata: Set<string>;
  extract: ExtractRule[];
  /** Each rule: every source must resolve. Empty: the Collector's default association. */
  associations: AssociationSource[][];
  excludes: RegExp[];
  deploymentFromReplicaSetName: boolean;
  otelAnnotations: boolean;
  /** Requested keys this build cannot fill (the component warns once). */
  unsupported: string[];
}

/** Go's Expand references ("$1", "${name}") as JavaScript replacement patterns. */
function goTemplateToJs(tag: string): string {
  return tag.replace(/\$\{(\w+)\}/g, (_, n: string) => (/^\d+$/.test(n) ? `$${n}` : `$<${n}>`)).replace(/\$([A-Za-z_]\w*)/g, '$<$1>');
}

function extractRule(kind: 'labels' | 'annotations', block: string, f: FieldExtract): ExtractRule {
  const from = (f.from || 'pod') as ExtractFrom;
  if (!EXTRACT_FROM.includes(from)) throw new Error(`extract.${block}: from ${JSON.stringify(f.from)} is not supported here (want one of ${EXTRACT_FROM.join(', ')})`);
  if (f.key && f.key_regex) throw new Error(`extract.${block}: key and key_regex cannot be used together`);
  if (!f.key && !f.key_regex) throw new Error(`extract.${block}: one of key or key_regex is required`);
  let regex: RegExp | undefined;
  if (f.key_regex) {
    try {
      // The Collector anchors the expression to the whole key.
      regex = new RegExp(`^(?:${f.key_regex})$`);
    } catch (e) {
      throw new Error(`extract.${block}: key_regex ${JSON.stringify(f.key_regex)} is not a valid regular expression: ${(e as Error).message}`);
    }
  }
  return { from, kind, key: f.key || undefined, regex, tagName: regex ? goTemplateToJs(f.tag_name) : f.tag_name };
}

/** Validate the arguments and derive the rules; throws with the argument's name and the reason. */
export function rulesOf(a: K8sAttributesArgs): Rules {
  if (!AUTH_TYPES.includes(a.auth_type)) throw new Error(`auth_type ${JSON.stringify(a.auth_type)} is not one of ${AUTH_TYPES.join(', ')}`);
  const requested = a.extract?.metadata ?? DEFAULT_METADATA;
  const unknown = requested.filter((k) => !SUPPORTED_METADATA.includes(k) && !UNSUPPORTED_METADATA.includes(k));
  if (unknown.length) throw new Error(`extract.metadata: ${unknown.map((k) => JSON.stringify(k)).join(', ')} is not a known metadata key`);
  const associations = (a.pod_association ?? []).map((p, i) => {
    const sources = p.source ?? [];
    if (sources.length === 0) throw new Error(`pod_association[${i}]: at least one source block is required`);
    for (const s of sources) {
      if (s.from !== 'connection' && s.from !== 'resource_attribute') throw new Error(`pod_association[${i}].source: from ${JSON.stringify(s.from)} must be "connection" or "resource_attribute"`);
      if (s.from === 'resource_attribute' && !s.name) throw new Error(`pod_association[${i}].source: name is required with from = "resource_attribute"`);
    }
    return sources;
  });
  const excludes = (a.exclude?.pod ?? DEFAULT_EXCLUDES.map((name) => ({ name }))).map((p) => {
    try {
      return new RegExp(p.name);
    } catch (e) {
      throw new Error(`exclude.pod: name ${JSON.stringify(p.name)} is not a valid regular expression: ${(e as Error).message}`);
    }
  });
  for (const f of [...(a.filter?.field ?? []), ...(a.filter?.label ?? [])]) {
    if (!['equals', 'not-equals', 'exists', 'does-not-exist'].includes(f.op)) throw new Error(`filter: op ${JSON.stringify(f.op)} must be one of equals, not-equals, exists, does-not-exist`);
  }
  for (const f of a.filter?.field ?? []) {
    if (f.op !== 'equals' && f.op !== 'not-equals') throw new Error(`filter.field: op ${JSON.stringify(f.op)} is only valid for labels (fields take equals or not-equals)`);
  }
  return {
    metadata: new Set(requested.filter((k) => SUPPORTED_METADATA.includes(k))),
    extract: [...(a.extract?.label ?? []).map((f) => extractRule('labels', 'label', f)), ...(a.extract?.annotation ?? []).map((f) => extractRule('annotations', 'annotation', f))],
    associations,
    excludes,
    deploymentFromReplicaSetName: a.extract?.deployment_name_from_replicaset ?? true,
    otelAnnotations: a.extract?.otel_annotations ?? false,
    unsupported: requested.filter((k) => UNSUPPORTED_METADATA.includes(k)),
  };
}

/** The pod list+watch selectors the filter block asks for (the Collector's filter, sent to the API server). */
export function podSelectors(a: K8sAttributesArgs): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
  const fields: string[] = [];
  if (a.filter?.node) fields.push(`spec.nodeName=${a.filter.node}`);
  for (const f of a.filter?.field ?? []) fields.push(`${f.key}${f.op === 'not-equals' ? '!=' : '='}${f.value}`);
  const labels = (a.filter?.label ?? []).map((l) => {
    switch (l.op) {
      case 'not-equals':
        return `${l.key}!=${l.value}`;
      case 'exists':
        return l.key;
      case 'does-not-exist':
        return `!${l.key}`;
      default:
        return `${l.key}=${l.value}`;
    }
  });
  return {
    namespace: a.filter?.namespace || undefined,
    fieldSelector: fields.length ? fields.join(',') : undefined,
    labelSelector: labels.length ? labels.join(',') : undefined,
  };
}
