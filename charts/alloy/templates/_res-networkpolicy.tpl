{{- define "alloy.resource.networkpolicy" -}}
{{- if .Values.networkPolicy.enabled }}
# Ingress to the collector's pods: a gossip port of its own only from the
# release's own pods (a stranger cannot even start a handshake), HTTP from
# networkPolicy.http.from and from the peers (gossip on the HTTP port, and
# the UI's cluster-wide targets ask them), nothing else unless
# networkPolicy.extraIngress opens it. Egress stays open: targets,
# the API server and the write endpoints are wherever they are.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "alloy.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "alloy.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "alloy.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    {{- with include "alloy.gossipPort" . }}
    - ports:
        - port: {{ . }}
          protocol: TCP
      from:
        - podSelector:
            matchLabels:
              {{- include "alloy.selectorLabels" $ | nindent 14 }}
    {{- end }}
    - ports:
        - port: {{ .Values.alloy.listenPort }}
          protocol: TCP
      {{- with .Values.networkPolicy.http.from }}
      from:
        - podSelector:
            matchLabels:
              {{- include "alloy.selectorLabels" $ | nindent 14 }}
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- with .Values.networkPolicy.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end }}
{{- end -}}
