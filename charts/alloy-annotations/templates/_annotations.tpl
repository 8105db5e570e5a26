{{/*
This chart reuses the alloy chart's templates (the _alloy-*.tpl files are
copies kept identical by scripts/render-manifests.sh) with values computed
here: the alloy chart's defaults, this chart's few values mapped onto them,
then `advanced`.
*/}}

{{/* The alloy-chart values for this release, as YAML. */}}
{{- define "annotations.values" -}}
{{- $v := .Values -}}
{{- $base := .Files.Get "alloy-values.yaml" | fromYaml -}}
{{- $auth := dict "type" "none" "secretName" "" -}}
{{- $mapped := dict
  "controller" (dict "type" "statefulset" "replicas" $v.replicas)
  "clustering" (dict "enabled" true)
  "features" (dict
    "annotations" (dict "enabled" true "conventions" $v.conventions "roles" (list "pod" "service") "scrapeInterval" $v.scrapeInterval)
    "podLogs" (dict "enabled" $v.loki.enabled)
    "serviceMonitors" (dict "enabled" $v.serviceMonitors)
    "podMonitors" (dict "enabled" $v.podMonitors)
    "mimirRules" (dict "enabled" (not (empty $v.rules.mimir)) "address" $v.rules.mimir "tenant" $v.tenant)
    "lokiRules" (dict "enabled" (not (empty $v.rules.loki)) "address" $v.rules.loki "tenant" $v.tenant))
  "rbac" (dict "namespaces" ($v.namespaces | default list))
  "remoteWrite" (include "annotations.endpoint" (dict "cfg" $v.remoteWrite "tenant" $v.tenant "labels" $v.externalLabels) | fromYaml)
  "loki" (include "annotations.endpoint" (dict "cfg" $v.loki "tenant" $v.tenant "labels" $v.externalLabels) | fromYaml)
-}}
{{- include "annotations.merge" (dict "dst" $base "src" $mapped) -}}
{{- include "annotations.merge" (dict "dst" $base "src" ($v.advanced | default dict)) -}}
{{- toYaml $base -}}
{{- end -}}

{{- define "annotations.endpoint" -}}
url: {{ .cfg.url | quote }}
urlSecret:
  name: {{ .cfg.urlSecret | quote }}
  key: url
auth:
  type: {{ ternary "basic" "none" (not (empty .cfg.authSecret)) }}
  secretName: {{ .cfg.authSecret | quote }}
  usernameKey: username
  passwordKey: password
  tokenKey: token
tenant: {{ .tenant | quote }}
externalLabels: {{ .labels | default dict | toJson }}
{{- end -}}

{{/*
Deep merge of .src into .dst, in place: maps merge, anything else (false and
empty values included, unlike sprig's mergeOverwrite) replaces.
*/}}
{{- define "annotations.merge" -}}
{{- $dst := .dst -}}
{{- range $k, $sv := .src -}}
{{- $dv := get $dst $k -}}
{{- if and (kindIs "map" $sv) (kindIs "map" $dv) -}}
{{- include "annotations.merge" (dict "dst" $dv "src" $sv) -}}
{{- else -}}
{{- $_ := set $dst $k $sv -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The root object the alloy templates are rendered with. */}}
