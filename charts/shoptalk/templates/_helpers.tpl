{{/* Names ------------------------------------------------------------------------------ */}}
{{- define "shoptalk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shoptalk.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Component object name: <fullname>-<component>, e.g. shoptalk-gateway. */}}
{{- define "shoptalk.componentName" -}}
{{- printf "%s-%s" (include "shoptalk.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "shoptalk.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "shoptalk.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels ----------------------------------------------------------------------------- */}}
{{/* Call with (dict "root" $ "component" "gateway"). */}}
{{- define "shoptalk.selectorLabels" -}}
app.kubernetes.io/name: {{ include "shoptalk.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "shoptalk.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{ include "shoptalk.selectorLabels" . }}
app.kubernetes.io/part-of: shoptalk
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- with .root.Values.global.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Images ----------------------------------------------------------------------------- */}}
{{/* Call with (dict "root" $ "image" .Values.gateway.image). */}}
{{- define "shoptalk.image" -}}
{{- $g := .root.Values.global -}}
{{- $tag := .image.tag | default $g.imageTag | default .root.Chart.AppVersion -}}
{{- if $g.imageRegistry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $g.imageRegistry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "shoptalk.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Scheduling: a component's own value wins over the global one. ----------------------- */}}
{{/* Call with (dict "root" $ "values" .Values.gateway). */}}
{{- define "shoptalk.scheduling" -}}
{{- $g := .root.Values.global -}}
{{- with (.values.nodeSelector | default $g.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.values.tolerations | default $g.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with (.values.affinity | default $g.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Security --------------------------------------------------------------------------- */}}
{{- define "shoptalk.podSecurityContext" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end -}}

{{- define "shoptalk.containerSecurityContext" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}

{{/* Endpoints -------------------------------------------------------------------------- */}}
{{- define "shoptalk.elasticsearchUrl" -}}
{{- if .Values.elasticsearch.enabled -}}
{{- printf "http://%s-elasticsearch.%s.svc:9200" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- .Values.externalElasticsearch.url -}}
{{- end -}}
{{- end -}}

{{- define "shoptalk.milvusUri" -}}
{{- if .Values.milvus.enabled -}}
{{- printf "http://%s-milvus.%s.svc:19530" .Release.Name .Release.Namespace -}}
{{- else -}}
{{- .Values.externalMilvus.uri -}}
{{- end -}}
{{- end -}}

{{- define "shoptalk.mlflowUri" -}}
{{- if .Values.mlflow.enabled -}}
{{- printf "http://%s.%s.svc:%v" (include "shoptalk.componentName" (dict "root" . "component" "mlflow")) .Release.Namespace .Values.mlflow.port -}}
{{- end -}}
{{- end -}}

{{/* KServe Standard mode exposes <isvc>-predictor on port 80. Call with (dict "root" $ "name" "asr"). */}}
{{- define "shoptalk.inferenceUrl" -}}
{{- $svc := index .root.Values.inference .name -}}
{{- if $svc.enabled -}}
{{- printf "http://%s-predictor.%s.svc" (include "shoptalk.componentName" (dict "root" .root "component" .name)) .root.Release.Namespace -}}
{{- else -}}
{{- $svc.externalUrl -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by all ShopTalk containers: ConfigMap + secretKeyRefs only. -------- */}}
{{- define "shoptalk.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "shoptalk.componentName" (dict "root" . "component" "config") }}
{{- end -}}

{{- define "shoptalk.secretEnv" -}}
{{- $s := .Values.secrets -}}
{{- if $s.existingSecret }}
- name: SHOPTALK_OPENAI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.openaiApiKeyKey }}
      optional: true
- name: SHOPTALK_ELEVENLABS_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.elevenlabsApiKeyKey }}
      optional: true
{{- if $s.elasticsearchApiKeyKey }}
- name: SHOPTALK_ELASTICSEARCH_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.elasticsearchApiKeyKey }}
{{- end }}
{{- if $s.milvusTokenKey }}
- name: SHOPTALK_MILVUS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.milvusTokenKey }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The gateway's security settings: SHOPTALK_ENV, rate limits, proxy hops, and the API keys and
session-signing secret from secrets.existingSecret (required in production, optional in local). */}}
{{- define "shoptalk.gatewaySecurityEnv" -}}
{{- $sec := .Values.gateway.security -}}
{{- $s := .Values.secrets -}}
{{- $optional := ne $sec.env "production" -}}
- name: SHOPTALK_ENV
  value: {{ $sec.env | quote }}
- name: SHOPTALK_RATE_LIMIT_RPS
  value: {{ $sec.rateLimitRps | quote }}
- name: SHOPTALK_RATE_LIMIT_BURST
  value: {{ $sec.rateLimitBurst | quote }}
- name: SHOPTALK_TRUSTED_PROXY_HOPS
  value: {{ $sec.trustedProxyHops | quote }}
{{- if $s.existingSecret }}
- name: SHOPTALK_API_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.apiKeysKey }}
      optional: {{ $optional }}
- name: SHOPTALK_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $s.existingSecret }}
      key: {{ $s.sessionSecretKey }}
      optional: {{ $optional }}
{{- end }}
{{- end -}}

{{/* Writable scratch space: the root filesystem is read-only. --------------------------- */}}
{{- define "shoptalk.scratchVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end -}}

{{/* /data: a shared claim (query-embedding log for the drift job, flow outputs) or scratch. */}}
{{- define "shoptalk.scratchVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 1Gi
- name: data
  {{- if .Values.dataVolume.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.dataVolume.existingClaim }}
  {{- else }}
  emptyDir:
    sizeLimit: {{ .Values.dataVolume.sizeLimit }}
  {{- end }}
{{- end -}}
