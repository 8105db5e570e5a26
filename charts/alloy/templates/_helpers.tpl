{{/* Names, labels and small decisions shared by every template of the chart. */}}

{{- define "alloy.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release name, prefixed by the chart name unless it already contains it (Helm convention). */}}
{{- define "alloy.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "alloy.selectorLabels" -}}
app.kubernetes.io/name: {{ include "alloy.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "alloy.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "alloy.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: alloy-ts
{{- end -}}

{{- define "alloy.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "alloy.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "alloy.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* Fails on an unknown controller.type; returns it otherwise. */}}
{{- define "alloy.controllerType" -}}
{{- $t := .Values.controller.type -}}
{{- if not (has $t (list "statefulset" "daemonset" "deployment")) -}}
{{- fail (printf "controller.type must be statefulset, daemonset or deployment, got %q" $t) -}}
{{- end -}}
{{- $t -}}
{{- end -}}

{{/* "true" when the replicas form a cluster (never for the node-local daemonset). */}}
{{- define "alloy.clustered" -}}
{{- if and .Values.clustering.enabled (ne (include "alloy.controllerType" .) "daemonset") -}}true{{- end -}}
{{- end -}}

{{/* "true" when gossip runs over mutual TLS; fails without the Secret that holds the certificates. */}}
{{- define "alloy.clusterTls" -}}
{{- if and (include "alloy.clustered" .) .Values.clustering.tls.enabled -}}
{{- $_ := required "clustering.tls.secretName is required when clustering.tls.enabled is true (a Secret with ca.crt, tls.crt and tls.key)" .Values.clustering.tls.secretName -}}true
{{- end -}}
{{- end -}}

{{/*
The port gossip has to itself, or "" when it shares the HTTP port (HTTP/2 next to
HTTP/1.1, as in Alloy). alloy.gossipPort sets one; clustering.tls needs one, since
its mutual TLS is the gossip server's own (12346 unless alloy.gossipPort says).
*/}}
{{- define "alloy.gossipPort" -}}
{{- if include "alloy.clustered" . -}}
{{- if .Values.alloy.gossipPort -}}{{ .Values.alloy.gossipPort }}{{- else if .Values.clustering.tls.enabled -}}12346{{- end -}}
{{- end -}}
{{- end -}}

{{/* The port peers reach the gossip at: the gossip port, else the HTTP port. */}}
{{- define "alloy.peerPort" -}}
{{- default .Values.alloy.listenPort (include "alloy.gossipPort" .) -}}
{{- end -}}

{{/* The name peers' certificates must carry: clustering.tls.serverName, else the cluster Service's DNS name. */}}
{{- define "alloy.clusterTlsServerName" -}}
{{- default (printf "%s.%s.svc.cluster.local" (include "alloy.clusterServiceName" .) .Release.Namespace) .Values.clustering.tls.serverName -}}
{{- end -}}

{{/* "host:port" from (list host port); an IPv6 host gets brackets. */}}
{{- define "alloy.hostPort" -}}
{{- $host := index . 0 | toString | trimPrefix "[" | trimSuffix "]" -}}
{{- if contains ":" $host -}}[{{ $host }}]:{{ index . 1 }}{{- else -}}{{ $host }}:{{ index . 1 }}{{- end -}}
{{- end -}}

{{- define "alloy.clusterServiceName" -}}
{{- printf "%s-cluster" (include "alloy.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "alloy.configMapName" -}}
{{- if .Values.alloy.configMap.create -}}
{{- include "alloy.fullname" . -}}
{{- else -}}
{{- required "alloy.configMap.name is required when alloy.configMap.create is false" .Values.alloy.configMap.name -}}
{{- end -}}
{{- end -}}

{{- define "alloy.configKey" -}}
{{- if .Values.alloy.configMap.create -}}config.alloy{{- else -}}{{- .Values.alloy.configMap.key -}}{{- end -}}
{{- end -}}

{{/* Persistent volumes only for a StatefulSet with persistence on. */}}
{{- define "alloy.persistent" -}}
{{- if and (eq (include "alloy.controllerType" .) "statefulset") .Values.storage.persistence.enabled -}}true{{- end -}}
{{- end -}}

{{/* An Alloy list of strings: ["a", "b"]. */}}
{{- define "alloy.stringList" -}}
[{{- range $i, $v := . -}}{{- if $i }}, {{ end -}}{{- $v | toString | quote -}}{{- end -}}]
{{- end -}}

{{/* An Alloy object of strings: { "k" = "v", ... } (keys sorted). */}}
{{- define "alloy.stringMap" -}}
{{- $m := . -}}
{ {{- range $i, $k := keys $m | sortAlpha -}}{{- if $i }}, {{ end -}}{{ $k | quote }} = {{ index $m $k | toString | quote }}{{- end -}} }
{{- end -}}
