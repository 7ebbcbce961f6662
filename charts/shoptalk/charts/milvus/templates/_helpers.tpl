{{- define "milvus.fullname" -}}
{{- printf "%s-milvus" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "milvus.selectorLabels" -}}
app.kubernetes.io/name: milvus
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: milvus
{{- end -}}

{{- define "milvus.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{ include "milvus.selectorLabels" . }}
app.kubernetes.io/part-of: shoptalk
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
