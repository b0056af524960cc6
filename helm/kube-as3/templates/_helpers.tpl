{{/* Chart name. */}}
{{- define "kube-as3.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects. */}}
{{- define "kube-as3.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Selector labels. */}}
{{- define "kube-as3.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kube-as3.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Common labels. */}}
{{- define "kube-as3.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kube-as3.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* ServiceAccount name. */}}
{{- define "kube-as3.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kube-as3.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The image reference. */}}
{{- define "kube-as3.image" -}}
{{- $repo := required "image.repository is required" .Values.image.repository }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" $repo .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The config's multiCluster block, or an empty dict. */}}
{{- define "kube-as3.multiCluster" -}}
{{- toYaml (default dict (get (default dict .Values.config) "multiCluster")) }}
{{- end }}

{{/*
Rules of src/controller/rbac-rules.ts, which this chart must hold exactly (test/helm-chart.test.ts
compares). clusterRules(config.poolMemberType): Pods only in nodeportlocal mode.
*/}}
{{- define "kube-as3.clusterRules" -}}
- apiGroups: [""]
  resources: [nodes, namespaces, services, secrets{{ if eq (toString (get (default dict .Values.config) "poolMemberType")) "nodeportlocal" }}, pods{{ end }}]
  verbs: [list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [list, watch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses, ingressclasses]
  verbs: [list, watch]
- apiGroups: [cis.f5.com]
  resources: [virtualservers, transportservers, tlsprofiles, policies]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [services/status]
  verbs: [patch]
- apiGroups: [networking.k8s.io]
  resources: [ingresses/status]
  verbs: [patch]
- apiGroups: [cis.f5.com]
  resources: [virtualservers/status, transportservers/status]
  verbs: [patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end }}

{{/* NAMESPACED_RULES (the controller's namespace). */}}
{{- define "kube-as3.namespacedRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
- apiGroups: [kube-as3.dev]
  resources: [ipamallocations]
  verbs: [get, create, update]
{{- end }}

{{/*
referencedObjectRules(): `get` by name on each kubeconfigSecret and on extendedSpecConfigMap, in
their namespaces. Renders a dict namespace → {secrets: [...], configmaps: [...]} as YAML.
*/}}
{{- define "kube-as3.referencedObjects" -}}
{{- $mc := include "kube-as3.multiCluster" . | fromYaml }}
{{- $refs := dict }}
{{- range (default list $mc.clusters) }}
{{- if .kubeconfigSecret }}
{{- $parts := splitList "/" .kubeconfigSecret }}
{{- $ns := index $parts 0 }}
{{- $entry := default (dict "secrets" list "configmaps" list) (get $refs $ns) }}
{{- $_ := set $entry "secrets" (append $entry.secrets (index $parts 1) | uniq) }}
{{- $_ := set $refs $ns $entry }}
{{- end }}
{{- end }}
{{- if $mc.extendedSpecConfigMap }}
{{- $parts := splitList "/" $mc.extendedSpecConfigMap }}
{{- $ns := index $parts 0 }}
{{- $entry := default (dict "secrets" list "configmaps" list) (get $refs $ns) }}
{{- $_ := set $entry "configmaps" (append $entry.configmaps (index $parts 1) | uniq) }}
{{- $_ := set $refs $ns $entry }}
{{- end }}
{{- toYaml $refs }}
{{- end }}
