{{/* Cross-field rules a JSON schema cannot express; rendered from configmap.yaml. */}}
{{- define "shoptalk.validate" -}}
{{- $gw := .Values.gateway -}}
{{- if and $gw.enabled $gw.autoscaling.enabled (gt (int $gw.autoscaling.minReplicas) (int $gw.autoscaling.maxReplicas)) -}}
{{- fail "gateway.autoscaling.minReplicas must not exceed maxReplicas" -}}
{{- end -}}
{{- if and $gw.enabled $gw.pdb.enabled (not (kindIs "string" $gw.pdb.minAvailable)) -}}
{{- $replicas := ternary $gw.autoscaling.minReplicas $gw.replicaCount $gw.autoscaling.enabled -}}
{{- if ge (int $gw.pdb.minAvailable) (int $replicas) -}}
{{- fail (printf "gateway.pdb.minAvailable (%v) must be below the replica count (%v), or no node could ever be drained" $gw.pdb.minAvailable $replicas) -}}
{{- end -}}
{{- end -}}
{{- range $name := list "asr" "embedder" "captioner" "reranker" -}}
{{- $svc := index $.Values.inference $name -}}
{{- if and $svc.enabled (gt (int $svc.minReplicas) (int $svc.maxReplicas)) -}}
{{- fail (printf "inference.%s.minReplicas must not exceed maxReplicas" $name) -}}
{{- end -}}
{{- if and $svc.enabled $svc.externalUrl -}}
{{- fail (printf "inference.%s.externalUrl is only used when inference.%s.enabled is false" $name $name) -}}
{{- end -}}
{{- end -}}
{{- if and $gw.enabled (eq $gw.security.env "production") (le (float64 $gw.security.rateLimitRps) 0.0) -}}
{{- fail "gateway.security.env=production needs gateway.security.rateLimitRps > 0" -}}
{{- end -}}
{{- if and .Values.inference.ray.enabled (not .Values.inference.ray.cluster.name) -}}
{{- fail "inference.ray.enabled needs inference.ray.cluster.name (an existing KubeRay RayCluster)" -}}
{{- end -}}
{{- if and .Values.prefect.deployments.register (not .Values.prefect.worker.enabled) -}}
{{- fail "prefect.deployments.register needs prefect.worker.enabled" -}}
{{- end -}}
{{- end -}}
