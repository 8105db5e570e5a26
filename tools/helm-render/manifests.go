package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

type manifest struct {
	source  string
	content string
	kind    string
	order   int // position in the rendering, for a stable sort
}

// Documents are separated by lines starting with "---".
var docSeparator = regexp.MustCompile(`(?m)^---[^\n]*$`)

// splitManifests splits a rendered template into documents, drops empty ones
// (whitespace or comments only) and checks that each is valid YAML.
func splitManifests(source, rendered string) ([]manifest, error) {
	var out []manifest
	for _, part := range docSeparator.Split(rendered, -1) {
		content := strings.TrimSpace(part)
		if content == "" {
			continue
		}
		var head struct {
			Kind string `json:"kind"`
		}
		var any interface{}
		if err := yaml.Unmarshal([]byte(content), &any); err != nil {
			return nil, fmt.Errorf("YAML parse error on %s: %v", source, err)
		}
		if any == nil {
			continue
		}
		if _, ok := any.(map[string]interface{}); !ok {
			return nil, fmt.Errorf("%s: a document is not a YAML map", source)
		}
		_ = yaml.Unmarshal([]byte(content), &head)
		out = append(out, manifest{source: source, content: content, kind: head.Kind})
	}
	return out, nil
}

// Helm's install order: kinds others depend on come first; unknown kinds last.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList",
	"RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "APIService",
}

func sortByInstallOrder(docs []manifest) {
	rank := map[string]int{}
	for i, k := range installOrder {
		rank[k] = i
	}
	for i := range docs {
		docs[i].order = i
	}
	r := func(k string) int {
		if v, ok := rank[k]; ok {
			return v
		}
		return len(installOrder)
	}
	sort.SliceStable(docs, func(i, j int) bool {
		ri, rj := r(docs[i].kind), r(docs[j].kind)
		if ri != rj {
			return ri < rj
		}
		if ri == len(installOrder) && docs[i].kind != docs[j].kind {
			return docs[i].kind < docs[j].kind
		}
		return docs[i].order < docs[j].order
	})
}
