{{- define "alloy.resource.configmap" -}}
{{- if .Values.alloy.configMap.create }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
data:
  config.alloy: |-
    {{- include "alloy.configContent" . | nindent 4 }}
{{- end }}
{{- end -}}
