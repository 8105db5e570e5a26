{{- define "alloy.resource.daemonset" -}}
{{- if eq (include "alloy.controllerType" .) "daemonset" }}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
spec:
  minReadySeconds: {{ .Values.controller.minReadySeconds }}
  {{- with .Values.controller.updateStrategy }}
  updateStrategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "alloy.selectorLabels" . | nindent 6 }}
  template:
    {{- include "alloy.podTemplate" . | nindent 4 }}
{{- end }}
{{- end -}}
