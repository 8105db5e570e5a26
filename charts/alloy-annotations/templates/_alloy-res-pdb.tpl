{{- define "alloy.resource.pdb" -}}
{{- if and .Values.controller.pdb.enabled (ne (include "alloy.controllerType" .) "daemonset") }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
spec:
  {{- if not (kindIs "invalid" .Values.controller.pdb.minAvailable) }}
  minAvailable: {{ .Values.controller.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ .Values.controller.pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "alloy.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end -}}
