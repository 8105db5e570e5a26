// The demo's Alloy config: the annotation-driven pipeline the chart ships,
// plus log tailing and CRD support when those components are built in.
export interface DemoConfigOptions {
  kubeconfig: string;
  remoteWriteUrl: string;
  lokiUrl: string;
  rulerUrl: string;
  /** The sandbox fleet server: the remote config runs beside this one. */
  fleetUrl?: string;
  has: (component: string) => boolean;
}

export function demoConfig(o: DemoConfigOptions): string {
  const parts = [
    `// Annotation-driven metrics: discover pods, keep the annotated ones, scrape, remote-write.
discovery.kubernetes "pods" {
  role            = "pod"
  kubeconfig_file = "${o.kubeconfig}"
}

discovery.annotations "pods" {
  targets = discovery.kubernetes.pods.targets
}

prometheus.scrape "annotated" {
  targets         = discovery.annotations.pods.output
  forward_to      = [prometheus.remote_write.default.receiver]
  scrape_interval = "5s"
  scrape_timeout  = "4s"

  clustering {
    enabled = true
  }
}

prometheus.remote_write "default" {
  endpoint {
    url = "${o.remoteWriteUrl}"
  }
}
`,
  ];
  if (o.has('loki.source.kubernetes') && o.has('loki.write')) {
    parts.push(`// Pod logs over the API server (no hostPath), to Loki.
loki.source.kubernetes "pods" {
  targets    = discovery.kubernetes.pods.targets
  forward_to = [loki.write.default.receiver]

  client {
    kubeconfig_file = "${o.kubeconfig}"
  }

  clustering {
    enabled = true
  }
}

loki.write "default" {
  endpoint {
    url = "${o.lokiUrl}"
  }
}
`);
  }
  if (o.has('prometheus.operator.servicemonitors') && o.has('mimir.rules.kubernetes')) {
    parts.push(`// ServiceMonitors become scrape jobs without the prometheus-operator; PrometheusRules go to the ruler.
prometheus.operator.servicemonitors "crds" {
  forward_to = [prometheus.remote_write.default.receiver]

  client {
    kubeconfig_file = "${o.kubeconfig}"
  }

  clustering {
    enabled = true
  }
}

mimir.rules.kubernetes "crds" {
  address = "${o.rulerUrl}"

  client {
    kubeconfig_file = "${o.kubeconfig}"
  }
}
`);
  }
  if (o.fleetUrl) {
    parts.push(`// Fleet management: the sandbox fleet server serves a pipeline to collectors with demo = "true".
remotecfg {
  url            = "${o.fleetUrl}"
  attributes     = {"demo" = "true"}
  poll_frequency = "10s"
}
`);
  }
  return parts.join('\n');
}
