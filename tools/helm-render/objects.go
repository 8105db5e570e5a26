package main

import (
	"encoding/base64"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Files is .Files: the chart's files outside templates/ and charts/.
type Files map[string][]byte

func loadFiles(dir string) (Files, error) {
	files := Files{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == "templates" || rel == "charts" || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	return files, err
}

// Get returns a file's content, "" when absent (as Helm).
func (f Files) Get(name string) string { return string(f[name]) }

func (f Files) GetBytes(name string) []byte { return f[name] }

// Glob returns the files whose path matches the shell pattern ("**" not supported).
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for k, v := range f {
		if ok, _ := path.Match(pattern, k); ok {
			out[k] = v
		}
	}
	return out
}

// AsConfig renders the files as ConfigMap data (base name: content), YAML.
func (f Files) AsConfig() string {
	m := map[string]interface{}{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return toYAML(m)
}

// AsSecrets renders the files as Secret data (base name: base64 content), YAML.
func (f Files) AsSecrets() string {
	m := map[string]interface{}{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	s := strings.TrimSuffix(string(f[name]), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// APIVersions is .Capabilities.APIVersions.
type APIVersions []string

// Has reports whether "group/version" (or "group/version/Kind") is served.
func (a APIVersions) Has(v string) bool {
	for _, x := range a {
		if x == v {
			return true
		}
	}
	return false
}

var builtinAPIVersions = []string{
	"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2",
	"rbac.authorization.k8s.io/v1", "networking.k8s.io/v1", "discovery.k8s.io/v1",
	"coordination.k8s.io/v1", "storage.k8s.io/v1", "apiextensions.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "scheduling.k8s.io/v1", "events.k8s.io/v1",
}

func capabilities(o *options) map[string]interface{} {
	v := o.kubeVersion
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	major, minor := "", ""
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) >= 2 {
		major, minor = parts[0], parts[1]
	}
	apis := append(APIVersions{}, builtinAPIVersions...)
	apis = append(apis, o.apiVersions...)
	return map[string]interface{}{
		"KubeVersion": map[string]interface{}{"Version": v, "GitVersion": v, "Major": major, "Minor": minor},
		"APIVersions": apis,
		"HelmVersion": map[string]interface{}{"Version": "v3.16.0"},
	}
}
