// The two annotation conventions for auto-scrape and how their annotations
// appear in discovery.kubernetes target labels.

export type Convention = 'prometheus.io' | 'k8s.grafana.com';
export const CONVENTIONS: readonly Convention[] = ['k8s.grafana.com', 'prometheus.io'];

/** Settings an annotation can carry; each convention spells a subset of them. */
export type Setting =
  | 'scrape'
  | 'job'
  | 'instance'
  | 'container'
  | 'path'
  | 'portNumber'
  | 'portName'
  | 'scheme'
  | 'scrapeInterval'
  | 'scrapeTimeout';

interface ConventionSpec {
  settings: Partial<Record<Setting, string>>;
  /** Prefix of the annotations that become URL parameters (`<prefix><name>` -> `__param_<name>`). */
  paramPrefix: string;
}

export const SPECS: Record<Convention, ConventionSpec> = {
  'prometheus.io': {
    settings: {
      scrape: 'prometheus.io/scrape',
      path: 'prometheus.io/path',
      portNumber: 'prometheus.io/port',
      scheme: 'prometheus.io/scheme',
    },
    paramPrefix: 'prometheus.io/param_',
  },
  'k8s.grafana.com': {
    settings: {
      scrape: 'k8s.grafana.com/scrape',
      job: 'k8s.grafana.com/job',
      instance: 'k8s.grafana.com/instance',
      container: 'k8s.grafana.com/metrics.container',
      path: 'k8s.grafana.com/metrics.path',
      portNumber: 'k8s.grafana.com/metrics.portNumber',
      portName: 'k8s.grafana.com/metrics.portName',
      scheme: 'k8s.grafana.com/metrics.scheme',
      scrapeInterval: 'k8s.grafana.com/metrics.scrapeInterval',
      scrapeTimeout: 'k8s.grafana.com/metrics.scrapeTimeout',
    },
    paramPrefix: 'k8s.grafana.com/metrics.param_',
  },
};

/** Kubernetes names as Prometheus label names: every character outside [a-zA-Z0-9_] becomes '_' (case kept). */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/gu, '_'); // per code point, as Go does per rune
}

export type ObjectRole = 'pod' | 'service';

/** `__meta_kubernetes_pod_annotation_prometheus_io_scrape` and friends. */
export function annotationLabel(role: ObjectRole, annotation: string): string {
  return `__meta_kubernetes_${role}_annotation_${sanitizeLabelName(annotation)}`;
}

/** `__meta_kubernetes_pod_label_app_kubernetes_io_name` and friends. */
export function objectLabel(role: ObjectRole, label: string): string {
  return `__meta_kubernetes_${role}_label_${sanitizeLabelName(label)}`;
}

/** Validates the `conventions` argument; order is irrelevant (k8s.grafana.com always wins a conflict). */
export function parseConventions(list: readonly string[]): Convention[] {
  if (!Array.isArray(list) || list.length === 0) throw new Error('conventions must list at least one of "prometheus.io", "k8s.grafana.com"');
  for (const c of list) {
    if (!(CONVENTIONS as readonly string[]).includes(c)) {
      throw new Error(`unknown annotation convention ${JSON.stringify(c)} (want "prometheus.io" or "k8s.grafana.com")`);
    }
  }
  // Precedence order, not the user's order.
  return CONVENTIONS.filter((c) => list.includes(c));
}
