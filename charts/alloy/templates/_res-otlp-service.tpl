{{- define "alloy.resource.otlpService" -}}
{{- if include "alloy.otlp.enabled" . }}
# OTLP/gRPC and OTLP/HTTP in front of the pods (otlp.enabled or features.otlp.enabled).
apiVersion: v1
kind: Service
metadata:
  name: {{ printf "%s-otlp" (include "alloy.fullname" .) | trunc 63 | trimSuffix "-" }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
  {{- with .Values.otlp.service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .Values.otlp.service.type }}
  selector:
    {{- include "alloy.selectorLabels" . | nindent 4 }}
  ports:
    - name: otlp-grpc
      port: {{ .Values.otlp.grpcPort }}
      targetPort: otlp-grpc
      protocol: TCP
      appProtocol: grpc
    - name: otlp-http
      port: {{ .Values.otlp.httpPort }}
      targetPort: otlp-http
      protocol: TCP
{{- end }}
{{- end -}}
