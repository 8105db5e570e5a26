// A config shaped like the ones the Grafana k8s-monitoring Helm chart (v2+)
// generates for alloy-metrics: each feature is a `declare` with the argument
// `metrics_destinations`, instantiated below with the destination's receiver;
// the destination is a prometheus.remote_write with the chart's settings.
// Differences from the chart's output, because the test runs outside a
// cluster: discovery.kubernetes gets kubeconfig_file (the chart relies on
// in-cluster config), no bearer_token_file (no service account token here),
// the chart's self-reporting block and otelcol.exporter.prometheus (not in
// this collector) are left out, and so are prometheus.scrape's
// scrape_classic_histograms / scrape_native_histograms (the chart writes them
// as false; this collector's prometheus.scrape does not accept them yet).
// The relabel rules are the chart's.

/** Feature: Annotation Autodiscovery (pods), as the chart writes it. */
export function annotationAutodiscovery(kubeconfig: string): string {
  return `// Feature: Annotation Autodiscovery
declare "annotation_autodiscovery" {
  argument "metrics_destinations" {
    comment = "Must be a list of metric destinations where collected metrics should be forwarded to"
  }

  discovery.kubernetes "pods" {
    role = "pod"
    kubeconfig_file = ${JSON.stringify(kubeconfig)}
  }

  discovery.relabel "annotation_autodiscovery_pods" {
    targets = discovery.kubernetes.pods.targets
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_scrape"]
      regex = "true"
      action = "keep"
    }
    // Only keep pods that are running, ready, and not init containers.
    rule {
      source_labels = [
        "__meta_kubernetes_pod_phase",
        "__meta_kubernetes_pod_ready",
        "__meta_kubernetes_pod_container_init",
      ]
      regex = "Running;true;false"
      action = "keep"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_name"]
      target_label = "pod"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_container_name"]
      target_label = "container"
    }
    rule {
      source_labels = ["__meta_kubernetes_namespace"]
      target_label = "namespace"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_job"]
      target_label = "job"
    }
    rule {
      source_labels = ["job", "__meta_kubernetes_pod_label_app_kubernetes_io_name"]
      regex = ";(.+)"
      target_label = "job"
    }
    rule {
      source_labels = ["job", "__meta_kubernetes_pod_label_app"]
      regex = ";(.+)"
      target_label = "job"
    }
    rule {
      source_labels = ["job", "container"]
      regex = ";(.+)"
      target_label = "job"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_instance"]
      target_label = "instance"
    }

    // Rules to choose the right container
    rule {
      source_labels = ["container"]
      target_label = "__tmp_container"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_container"]
      regex = "(.+)"
      target_label = "__tmp_container"
    }
    rule {
      source_labels = ["container"]
      action = "keepequal"
      target_label = "__tmp_container"
    }
    rule {
      action = "labeldrop"
      regex = "__tmp_container"
    }

    // Set metrics path
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_path"]
      regex = "(.+)"
      target_label = "__metrics_path__"
    }

    // Choose the pod port
    rule {
      source_labels = ["__meta_kubernetes_pod_container_port_name"]
      target_label = "__tmp_port"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_portName"]
      regex = "(.+)"
      target_label = "__tmp_port"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_container_port_name"]
      action = "keepequal"
      target_label = "__tmp_port"
    }
    rule {
      action = "labeldrop"
      regex = "__tmp_port"
    }

    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_portNumber", "__meta_kubernetes_pod_ip"]
      regex = "(\\\\d+);((([0-9]+?)(\\\\.|$)){4})" // IPv4, takes priority over IPv6 when both exists
      replacement = "$2:$1"
      target_label = "__address__"
    }

    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_scheme"]
      regex = "(.+)"
      target_label = "__scheme__"
    }

    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_scrapeInterval"]
      regex = "(.+)"
      target_label = "__scrape_interval__"
    }
    rule {
      source_labels = ["__scrape_interval__"]
      regex = ""
      replacement = "60s"
      target_label = "__scrape_interval__"
    }
    rule {
      source_labels = ["__meta_kubernetes_pod_annotation_k8s_grafana_com_metrics_scrapeTimeout"]
      regex = "(.+)"
      target_label = "__scrape_timeout__"
    }
    rule {
      source_labels = ["__scrape_timeout__"]
      regex = ""
      replacement = "10s"
      target_label = "__scrape_timeout__"
    }
  }

  discovery.relabel "annotation_autodiscovery_http" {
    targets = array.concat(discovery.relabel.annotation_autodiscovery_pods.output)
    rule {
      source_labels = ["__scheme__"]
      regex = "https"
      action = "drop"
    }
  }

  prometheus.scrape "annotation_autodiscovery_http" {
    targets = discovery.relabel.annotation_autodiscovery_http.output
    honor_labels = true
    scrape_protocols = ["OpenMetricsText1.0.0","OpenMetricsText0.0.1","PrometheusText0.0.4"]
    clustering {
      enabled = true
    }

    forward_to = argument.metrics_destinations.value
  }
}
`;
}

/** A second feature (static targets with a label), the one the reload test changes. */
export function staticTargets(address: string, tier: string): string {
  return `// Feature: Static targets
declare "static_targets" {
  argument "metrics_destinations" {
    comment = "Must be a list of metric destinations where collected metrics should be forwarded to"
  }
  argument "scrape_interval" {
    optional = true
    default  = "60s"
  }
  argument "scrape_timeout" {
    optional = true
    default  = "10s"
  }

  discovery.relabel "static" {
    targets = [{"__address__" = ${JSON.stringify(address)}}]
    rule {
      target_label = "tier"
      replacement  = ${JSON.stringify(tier)}
    }
    rule {
      target_label = "job"
      replacement  = "static"
    }
  }

  prometheus.scrape "static" {
    targets         = discovery.relabel.static.output
    scrape_interval = argument.scrape_interval.value
    scrape_timeout  = argument.scrape_timeout.value
    forward_to      = argument.metrics_destinations.value
  }
}
`;
}

export function instances(withStatic: boolean): string {
  return `annotation_autodiscovery "feature" {
  metrics_destinations = [
    prometheus.remote_write.prometheus.receiver,
  ]
}
${withStatic ? `static_targets "feature" {\n  metrics_destinations = [\n    prometheus.remote_write.prometheus.receiver,\n  ]\n  scrape_interval = "1s"\n  scrape_timeout  = "900ms"\n}\n` : ''}`;
}

/** Destination: prometheus (prometheus), with the chart's settings (a shorter batch deadline for the test). */
export function destination(remoteWriteUrl: string, cluster: string): string {
  return `// Destination: prometheus (prometheus)
prometheus.remote_write "prometheus" {
  endpoint {
    url = ${JSON.stringify(remoteWriteUrl)}
    headers = {
    }
    tls_config {
      insecure_skip_verify = false
    }
    send_native_histograms = false

    queue_config {
      capacity = 10000
      min_shards = 1
      max_shards = 50
      max_samples_per_send = 2000
      batch_send_deadline = "1s"
      min_backoff = "30ms"
      max_backoff = "5s"
      retry_on_http_429 = true
      sample_age_limit = "0s"
    }
  }

  wal {
    truncate_frequency = "2h"
    min_keepalive_time = "5m"
    max_keepalive_time = "8h"
  }
  external_labels = {
    "cluster" = ${JSON.stringify(cluster)},
    "k8s_cluster_name" = ${JSON.stringify(cluster)},
  }
}
`;
}
