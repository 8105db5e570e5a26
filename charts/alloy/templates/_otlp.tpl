{{/* "true" when the pods listen for OTLP: otlp.enabled (a config of your own) or features.otlp.enabled. */}}
{{- define "alloy.otlp.enabled" -}}
{{- if or .Values.otlp.enabled .Values.features.otlp.enabled -}}true{{- end -}}
{{- end -}}

{{/* The container ports of OTLP/gRPC and OTLP/HTTP. */}}
{{- define "alloy.otlp.containerPorts" -}}
{{- if include "alloy.otlp.enabled" . }}
- name: otlp-grpc
  containerPort: {{ .Values.otlp.grpcPort }}
  protocol: TCP
- name: otlp-http
  containerPort: {{ .Values.otlp.httpPort }}
  protocol: TCP
{{- end }}
{{- end -}}

{{/*
features.otlp: OTLP in -> otelcol.processor.k8sattributes -> otelcol.processor.batch
-> otelcol.exporter.otlp. Spans, metrics and logs sent to the pods get their
sender pod's metadata (matched by the connection's address). k8sattributes
watches pods and ReplicaSets (and namespaces for namespaceLabels); with
rbac.namespaces it may watch one namespace only.
*/}}
{{- define "alloy.config.otlp" -}}
{{- $f := .Values.features.otlp -}}
{{- $type := include "alloy.controllerType" . -}}
{{- if gt (len .Values.rbac.namespaces) 1 -}}
{{- fail "features.otlp: otelcol.processor.k8sattributes watches all namespaces or one; rbac.namespaces lists more than one" -}}
{{- end }}

// OTLP from applications, with the sending pod's metadata added.
otelcol.receiver.otlp "default" {
  grpc {
    endpoint = {{ include "alloy.hostPort" (list .Values.alloy.listenAddr .Values.otlp.grpcPort) | quote }}
  }
  http {
    endpoint = {{ include "alloy.hostPort" (list .Values.alloy.listenAddr .Values.otlp.httpPort) | quote }}
  }
  output {
    metrics = [otelcol.processor.k8sattributes.default.input]
    logs    = [otelcol.processor.k8sattributes.default.input]
    traces  = [otelcol.processor.k8sattributes.default.input]
  }
}

otelcol.processor.k8sattributes "default" {
  extract {
    // The Deployment from the ReplicaSet's owner, not from its name.
    deployment_name_from_replicaset = false
    {{- range $key := $f.namespaceLabels }}

    label {
      from = "namespace"
      key  = {{ $key | quote }}
    }
    {{- end }}
  }
  {{- if or (eq $type "daemonset") .Values.rbac.namespaces }}

  filter {
    {{- if eq $type "daemonset" }}
    node      = sys.env("HOSTNAME")
    {{- end }}
    {{- with .Values.rbac.namespaces }}
    namespace = {{ index . 0 | quote }}
    {{- end }}
  }
  {{- end }}
  output {
    metrics = [otelcol.processor.batch.default.input]
    logs    = [otelcol.processor.batch.default.input]
    traces  = [otelcol.processor.batch.default.input]
  }
}

otelcol.processor.batch "default" {
  output {
    metrics = [otelcol.exporter.otlp.default.input]
    logs    = [otelcol.exporter.otlp.default.input]
    traces  = [otelcol.exporter.otlp.default.input]
  }
}

otelcol.exporter.otlp "default" {
  client {
    endpoint = {{ required "features.otlp.endpoint is required" $f.endpoint | quote }}
    {{- if $f.insecure }}

    tls {
      insecure = true
    }
    {{- end }}
  }
}
{{- end -}}
