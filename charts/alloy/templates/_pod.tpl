{{/* The container arguments: HTTP on all interfaces, the config file, storage, clustering. */}}
{{- define "alloy.args" -}}
- run
- /etc/alloy/{{ include "alloy.configKey" . }}
- --server.http.listen-addr={{ include "alloy.hostPort" (list .Values.alloy.listenAddr .Values.alloy.listenPort) }}
- --storage.path={{ .Values.alloy.storagePath }}
- --log.level={{ .Values.alloy.logLevel }}
- --log.format={{ .Values.alloy.logFormat }}
- --config.watch-interval={{ .Values.alloy.configWatchInterval }}
{{- if include "alloy.clustered" . }}
- --cluster.enabled=true
- --cluster.node-name=$(POD_NAME)
{{- with include "alloy.gossipPort" . }}
- --cluster.listen-addr={{ include "alloy.hostPort" (list $.Values.alloy.gossipListenAddr .) }}
{{- end }}
- --cluster.advertise-address=$(POD_IP):{{ include "alloy.peerPort" . }}
- --cluster.join-addresses={{ include "alloy.clusterServiceName" . }}.{{ .Release.Namespace }}.svc.cluster.local:{{ include "alloy.peerPort" . }}
- --cluster.rejoin-interval={{ .Values.clustering.rejoinInterval }}
{{- with .Values.clustering.name }}
- --cluster.name={{ . }}
{{- end }}
{{- if include "alloy.clusterTls" . }}
{{- $dir := .Values.clustering.tls.mountPath | trimSuffix "/" }}
- --cluster.enable-tls=true
- --cluster.tls-ca-path={{ $dir }}/ca.crt
- --cluster.tls-cert-path={{ $dir }}/tls.crt
- --cluster.tls-key-path={{ $dir }}/tls.key
- --cluster.tls-server-name={{ include "alloy.clusterTlsServerName" . }}
{{- end }}
{{- if .Values.clustering.waitForSize }}
- --cluster.wait-for-size={{ .Values.clustering.waitForSize }}
- --cluster.wait-timeout={{ .Values.clustering.waitTimeout }}
{{- end }}
{{- end }}
{{- if or .Values.features.scrapeConfigs.enabled .Values.features.mimirAlerts.enabled }}
- --stability.level=experimental
{{- end }}
{{- range .Values.alloy.extraArgs }}
- {{ . | quote }}
{{- end }}
{{- end -}}

{{- define "alloy.podTemplate" -}}
{{- $type := include "alloy.controllerType" . -}}
metadata:
  labels:
    {{- include "alloy.selectorLabels" . | nindent 4 }}
    {{- with .Values.controller.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- /* No config checksum here: the collector reloads a changed config file itself, without a restart. */}}
  {{- with .Values.controller.podAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  serviceAccountName: {{ include "alloy.serviceAccountName" . }}
  automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
  terminationGracePeriodSeconds: {{ .Values.controller.terminationGracePeriodSeconds }}
  {{- with .Values.controller.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  {{- with .Values.image.pullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.alloy.podSecurityContext | nindent 4 }}
  containers:
    - name: alloy
      image: {{ include "alloy.image" . }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      args:
        {{- include "alloy.args" . | nindent 8 }}
      env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        - name: POD_NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        - name: POD_IP
          valueFrom:
            fieldRef:
              fieldPath: status.podIP
        {{- if eq $type "daemonset" }}
        - name: HOSTNAME
          valueFrom:
            fieldRef:
              fieldPath: spec.nodeName
        - name: NODE_IP
          valueFrom:
            fieldRef:
              fieldPath: status.hostIP
        {{- end }}
        {{- with include "alloy.env" . | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with .Values.alloy.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.alloy.extraEnvFrom }}
      envFrom:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.alloy.listenPort }}
          protocol: TCP
        {{- with include "alloy.gossipPort" . }}
        - name: gossip
          containerPort: {{ . }}
          protocol: TCP
        {{- end }}
        {{- with include "alloy.otlp.containerPorts" . | trim }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with .Values.alloy.extraPorts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with .Values.alloy.readinessProbe }}
      readinessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.alloy.livenessProbe }}
      livenessProbe:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      resources:
        {{- toYaml .Values.alloy.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.alloy.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/alloy
          readOnly: true
        - name: storage
          mountPath: {{ .Values.alloy.storagePath }}
        # readOnlyRootFilesystem: node and its libraries may still write temporary files.
        - name: tmp
          mountPath: /tmp
        {{- if include "alloy.clusterTls" . }}
        - name: cluster-tls
          mountPath: {{ .Values.clustering.tls.mountPath }}
          readOnly: true
        {{- end }}
        {{- with .Values.alloy.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  {{- $tolerations := .Values.controller.tolerations }}
  {{- if and (eq $type "daemonset") (not $tolerations) }}{{ $tolerations = .Values.controller.daemonsetTolerations }}{{ end }}
  {{- with $tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.controller.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.controller.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.controller.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "alloy.configMapName" . }}
    - name: tmp
      emptyDir: {}
    {{- if include "alloy.clusterTls" . }}
    - name: cluster-tls
      secret:
        secretName: {{ .Values.clustering.tls.secretName }}
        # 0440 (decimal here, as the API stores it): root owns the files, the pod's fsGroup
        # (the collector's group) reads them, nobody else does.
        defaultMode: 288
    {{- end }}
    {{- if not (include "alloy.persistent" .) }}
    - name: storage
      emptyDir:
        {{- with .Values.storage.emptyDir.sizeLimit }}
        sizeLimit: {{ . }}
        {{- end }}
    {{- end }}
    {{- with .Values.alloy.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
{{- end -}}

{{/* The config text the ConfigMap holds. */}}
{{- define "alloy.configContent" -}}
{{- if .Values.alloy.configMap.content -}}
{{- tpl .Values.alloy.configMap.content . -}}
{{- else -}}
{{- include "alloy.config" . -}}
{{- end -}}
{{- end -}}
