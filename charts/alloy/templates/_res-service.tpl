{{- define "alloy.resource.service" -}}
{{- if .Values.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
  {{- with .Values.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.service.type }}
  selector:
    {{- include "alloy.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .Values.alloy.listenPort }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- if include "alloy.clustered" . }}
---
# Peers find each other through this headless Service; not-ready pods are
# listed too, so a starting replica can join before it is ready.
apiVersion: v1
kind: Service
metadata:
  name: {{ include "alloy.clusterServiceName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "alloy.selectorLabels" . | nindent 4 }}
  ports:
    {{- with include "alloy.gossipPort" . }}
    - name: gossip
      port: {{ . }}
      targetPort: gossip
      protocol: TCP
    {{- end }}
    - name: http
      port: {{ .Values.alloy.listenPort }}
      targetPort: http
      protocol: TCP
{{- end }}
{{- end -}}
