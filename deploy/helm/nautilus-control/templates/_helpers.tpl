{{/* Names, labels and the settings the chart derives; see values.yaml. */}}

{{- define "nautilus-control.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name; the release name alone when it already says nautilus-control. */}}
{{- define "nautilus-control.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The ClusterRole holding the tenants' rules, granted per namespace by a RoleBinding. */}}
{{- define "nautilus-control.tenantClusterRole" -}}
{{- printf "%s-tenant" (include "nautilus-control.fullname" . | trunc 56 | trimSuffix "-") -}}
{{- end -}}

{{- define "nautilus-control.serviceAccountName" -}}
{{- default (include "nautilus-control.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "nautilus-control.selectorLabels" -}}
app.kubernetes.io/name: {{ include "nautilus-control.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "nautilus-control.labels" -}}
{{ include "nautilus-control.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: control-plane
app.kubernetes.io/part-of: k8s-daas
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Where the state volume, the config file and the enclave key are mounted. */}}
{{- define "nautilus-control.stateDir" -}}/var/lib/nautilus-control{{- end -}}
{{- define "nautilus-control.configDir" -}}/etc/nautilus-control{{- end -}}
{{- define "nautilus-control.enclaveKeyDir" -}}/etc/nautilus-control-enclave{{- end -}}

{{/*
The config file: the operator's settings plus what the chart decides. Unknown keys never get
here (values.schema.json), and nautilus-control refuses any it does not know.
*/}}
{{- define "nautilus-control.configFile" -}}
{{- $config := deepCopy .Values.config -}}
{{- $_ := required "config.packageId is required: the k8s_daas package id (0x…)" .Values.config.packageId -}}
{{- $_ := required "config.clusterId is required: the Cluster object this control plane serves (0x…)" .Values.config.clusterId -}}
{{- $_ := set $config "listenHost" "0.0.0.0" -}}
{{- $_ := set $config "listenPort" (int .Values.service.port) -}}
{{- $_ := set $config "dataDir" (include "nautilus-control.stateDir" .) -}}
{{- $_ := set $config "tenantClusterRole" (include "nautilus-control.tenantClusterRole" .) -}}
{{- if .Values.enclaveKey.existingSecret -}}
{{- $_ := set $config "enclaveKeyFile" (printf "%s/%s" (include "nautilus-control.enclaveKeyDir" .) .Values.enclaveKey.key) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* K8S_DAAS_BILLING_* variables for the billing settings that are given. */}}
{{- define "nautilus-control.billingEnv" -}}
{{- $names := dict
  "enabled" "K8S_DAAS_BILLING_ENABLED"
  "periodMs" "K8S_DAAS_BILLING_PERIOD_MS"
  "sampleIntervalMs" "K8S_DAAS_BILLING_SAMPLE_MS"
  "maxGapMs" "K8S_DAAS_BILLING_MAX_GAP_MS"
  "suspensionCheckMs" "K8S_DAAS_BILLING_SUSPENSION_CHECK_MS" -}}
{{- range $key, $value := .Values.billing }}
{{- if not (or (eq (toString $value) "") (eq (toString $value) "<nil>")) }}
- name: {{ get $names $key }}
  value: {{ toJson $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* K8S_DAAS_WORKERS_* variables for the worker settings that are given. */}}
{{- define "nautilus-control.workerEnv" -}}
{{- $names := dict
  "enabled" "K8S_DAAS_WORKERS_ENABLED"
  "placeOnWorkers" "K8S_DAAS_WORKERS_PLACE_PODS"
  "missedPeriods" "K8S_DAAS_WORKERS_MISSED_PERIODS"
  "livenessIntervalMs" "K8S_DAAS_WORKERS_LIVENESS_INTERVAL_MS"
  "stateReportIntervalMs" "K8S_DAAS_WORKERS_STATE_REPORT_INTERVAL_MS"
  "tokenTtlMs" "K8S_DAAS_WORKERS_TOKEN_TTL_MS"
  "minStakeMist" "K8S_DAAS_WORKERS_MIN_STAKE_MIST"
  "apiServerUrl" "K8S_DAAS_WORKERS_API_SERVER_URL" -}}
{{- range $key, $value := .Values.workers }}
{{- if not (or (eq (toString $value) "") (eq (toString $value) "<nil>")) }}
- name: {{ get $names $key }}
  {{- /* toJson, not toString: numbers arrive as floats, and %v would print 8.64e+07 */}}
  value: {{ if kindIs "string" $value }}{{ $value | quote }}{{ else }}{{ toJson $value | quote }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}
