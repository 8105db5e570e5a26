{{- define "alloy.resource.statefulset" -}}
{{- if eq (include "alloy.controllerType" .) "statefulset" }}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
spec:
  {{- if not .Values.controller.autoscaling.enabled }}
  replicas: {{ .Values.controller.replicas }}
  {{- end }}
  serviceName: {{ include "alloy.clusterServiceName" . }}
  podManagementPolicy: {{ .Values.controller.podManagementPolicy }}
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
  {{- if include "alloy.persistent" . }}
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
    whenScaled: Retain
  volumeClaimTemplates:
    # WAL of prometheus.remote_write and log positions survive restarts.
    - metadata:
        name: storage
      spec:
        accessModes:
          {{- toYaml .Values.storage.persistence.accessModes | nindent 10 }}
        {{- with .Values.storage.persistence.storageClassName }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ .Values.storage.persistence.size }}
  {{- end }}
{{- end }}
{{- end -}}
