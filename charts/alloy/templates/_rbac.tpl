{{/*
The RBAC rules the enabled features need, and nothing more, as YAML:
  namespaced: [rules on namespaced resources]
  cluster:    [rules on cluster-scoped resources]
Each need is an entry "scope|verbs|apiGroup|resource"; verbs "read" = get, list, watch;
"status" = patch (the Accepted condition we write on the custom resources we use).
e2e/charts/rbac-coverage.test.ts checks these against what the code requests.
*/}}
{{- define "alloy.rbac.needs" -}}
{{- $type := include "alloy.controllerType" . -}}
{{- $f := .Values.features -}}
{{- $needs := list -}}
{{- if ne $type "daemonset" -}}
  {{- if $f.annotations.enabled -}}
    {{- range $role := $f.annotations.roles -}}
      {{- if eq $role "pod" -}}{{- $needs = append $needs "namespaced|read||pods" -}}
      {{- else if eq $role "service" -}}{{- $needs = append $needs "namespaced|read||services" -}}
      {{- else if eq $role "endpoints" -}}{{- $needs = concat $needs (list "namespaced|read||endpoints" "namespaced|read||services" "namespaced|read||pods") -}}
      {{- else if eq $role "endpointslice" -}}{{- $needs = concat $needs (list "namespaced|read|discovery.k8s.io|endpointslices" "namespaced|read||services" "namespaced|read||pods") -}}
      {{- else if eq $role "ingress" -}}{{- $needs = append $needs "namespaced|read|networking.k8s.io|ingresses" -}}
      {{- else if eq $role "node" -}}{{- $needs = append $needs "cluster|read||nodes" -}}
      {{- else -}}{{- fail (printf "features.annotations.roles: unknown role %q (pod, service, endpoints, endpointslice, ingress, node)" $role) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- if $f.podLogs.enabled -}}
    {{- $needs = concat $needs (list "namespaced|read||pods" "namespaced|get||pods/log") -}}
  {{- end -}}
{{- else -}}
  {{- if or $f.annotations.enabled $f.podLogs.enabled -}}
    {{- $needs = append $needs "cluster|get||nodes/pods" -}}
    {{- if $.Values.rbac.kubeletProxy -}}{{- $needs = append $needs "cluster|get||nodes/proxy" -}}{{- end -}}
  {{- end -}}
  {{- if $f.podLogs.enabled -}}{{- $needs = append $needs "namespaced|get||pods/log" -}}{{- end -}}
{{- end -}}
{{- if $f.podLogsObjects.enabled -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.grafana.com|podlogs" "namespaced|read||pods" "namespaced|get||pods/log" "cluster|read||namespaces") -}}
{{- end -}}
{{- if $f.kubernetesEvents.enabled -}}
  {{- $needs = append $needs "namespaced|read||events" -}}
{{- end -}}
{{- if $f.serviceMonitors.enabled -}}
  {{- $needs = append $needs "namespaced|status|monitoring.coreos.com|servicemonitors/status" -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.coreos.com|servicemonitors" "namespaced|read||services" "namespaced|read||endpoints" "namespaced|read|discovery.k8s.io|endpointslices" "namespaced|read||pods" "cluster|read||namespaces") -}}
{{- end -}}
{{- if $f.podMonitors.enabled -}}
  {{- $needs = append $needs "namespaced|status|monitoring.coreos.com|podmonitors/status" -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.coreos.com|podmonitors" "namespaced|read||pods" "cluster|read||namespaces") -}}
{{- end -}}
{{- if $f.probes.enabled -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.coreos.com|probes" "namespaced|status|monitoring.coreos.com|probes/status" "namespaced|read|networking.k8s.io|ingresses" "cluster|read||namespaces") -}}
{{- end -}}
{{- if $f.scrapeConfigs.enabled -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.coreos.com|scrapeconfigs" "namespaced|read||pods" "namespaced|read||services" "namespaced|read||endpoints" "namespaced|read|discovery.k8s.io|endpointslices" "namespaced|read|networking.k8s.io|ingresses" "cluster|read||nodes" "cluster|read||namespaces") -}}
{{- end -}}
{{- if or $f.mimirRules.enabled $f.lokiRules.enabled -}}
  {{- $needs = append $needs "namespaced|status|monitoring.coreos.com|prometheusrules/status" -}}
  {{- $needs = concat $needs (list "namespaced|read|monitoring.coreos.com|prometheusrules" "cluster|read||namespaces") -}}
{{- end -}}
{{- if $f.mimirAlerts.enabled -}}
  {{- $needs = append $needs "namespaced|read|monitoring.coreos.com|alertmanagerconfigs" -}}
{{- end -}}
{{- if $f.otlp.enabled -}}
  {{- $needs = concat $needs (list "namespaced|read||pods" "namespaced|read|apps|replicasets") -}}
  {{- if $f.otlp.namespaceLabels -}}{{- $needs = append $needs "cluster|read||namespaces" -}}{{- end -}}
{{- end -}}
{{- if and .Values.rbac.crCredentials (or $f.serviceMonitors.enabled $f.podMonitors.enabled $f.probes.enabled $f.scrapeConfigs.enabled $f.mimirAlerts.enabled) -}}
  {{- $needs = concat $needs (list "namespaced|read||secrets" "namespaced|read||configmaps") -}}
{{- end -}}
{{- toYaml (uniq $needs | sortAlpha) -}}
{{- end -}}

{{/* Rules of one scope ("namespaced" or "cluster") as a YAML list, grouped by API group and verbs. */}}
{{- define "alloy.rbac.rules" -}}
{{- $scope := .scope -}}
{{- $needs := include "alloy.rbac.needs" .ctx | fromYamlArray -}}
{{- $rules := list -}}
{{- range $verbs := list "read" "get" "status" -}}
  {{- $groups := list -}}
  {{- range $n := $needs -}}
    {{- $p := splitList "|" $n -}}
    {{- if and (eq (index $p 0) $scope) (eq (index $p 1) $verbs) -}}{{- $groups = append $groups (index $p 2) -}}{{- end -}}
  {{- end -}}
  {{- range $g := uniq $groups | sortAlpha -}}
    {{- $res := list -}}
    {{- range $n := $needs -}}
      {{- $p := splitList "|" $n -}}
      {{- if and (eq (index $p 0) $scope) (eq (index $p 1) $verbs) (eq (index $p 2) $g) -}}{{- $res = append $res (index $p 3) -}}{{- end -}}
    {{- end -}}
    {{- $v := ternary (list "get" "list" "watch") (ternary (list "patch") (list "get") (eq $verbs "status")) (eq $verbs "read") -}}
    {{- $rules = append $rules (dict "apiGroups" (list $g) "resources" (uniq $res | sortAlpha) "verbs" $v) -}}
  {{- end -}}
{{- end -}}
{{- toYaml $rules -}}
{{- end -}}

{{/* "true" when log positions are shared through ConfigMaps in the release namespace. */}}
{{- define "alloy.rbac.positions" -}}
{{- if or .Values.features.podLogs.enabled .Values.features.podLogsObjects.enabled -}}true{{- end -}}
{{- end -}}
