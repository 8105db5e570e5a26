package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"sigs.k8s.io/yaml"
)

// Helm refuses deeper include/tpl nesting than this (it guards against recursion).
const maxIncludeDepth = 1000

// renderChart loads the chart, computes the values and renders every
// non-partial template into one multi-document stream.
func renderChart(o *options) (string, error) {
	dir := filepath.Clean(o.chartDir)
	meta, err := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return "", fmt.Errorf("reading chart: %v", err)
	}
	chartName, _ := meta["name"].(string)
	if chartName == "" {
		return "", fmt.Errorf("%s: Chart.yaml has no name", dir)
	}
	values, err := computeValues(dir, o)
	if err != nil {
		return "", err
	}
	files, err := loadFiles(dir)
	if err != nil {
		return "", err
	}
	tmpls, err := loadTemplates(dir, chartName)
	if err != nil {
		return "", err
	}

	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": o.name, "Namespace": o.namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart":        chartObject(meta),
		"Capabilities": capabilities(o),
		"Files":        files,
	}

	eng := newEngine()
	if err := eng.parse(tmpls); err != nil {
		return "", err
	}
	var docs []manifest
	for _, t := range tmpls {
		if isPartial(t.name) {
			continue
		}
		if len(o.showOnly) > 0 && !matchesShowOnly(t.name, chartName, o.showOnly) {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": t.name, "BasePath": chartName + "/templates"}
		out, err := eng.execute(t.name, data)
		if err != nil {
			return "", err
		}
		split, err := splitManifests(t.name, out)
		if err != nil {
			return "", err
		}
		docs = append(docs, split...)
	}
	sortByInstallOrder(docs)
	var b strings.Builder
	for _, d := range docs {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", d.source, d.content)
	}
	return b.String(), nil
}

func computeValues(dir string, o *options) (map[string]interface{}, error) {
	values := map[string]interface{}{}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		v, err := readYAMLMap(filepath.Join(dir, "values.yaml"))
		if err != nil {
			return nil, err
		}
		values = v
	}
	for _, f := range o.valueFiles {
		v, err := readYAMLMap(f)
		if err != nil {
			return nil, fmt.Errorf("--values: %v", err)
		}
		values = mergeValues(values, v)
	}
	for _, s := range o.sets {
		if err := applySet(values, s, true); err != nil {
			return nil, err
		}
	}
	for _, s := range o.setStrings {
		if err := applySet(values, s, false); err != nil {
			return nil, err
		}
	}
	return values, nil
}

// chartObject exposes Chart.yaml fields as Helm does: capitalised names
// (.Chart.Name, .Chart.Version, .Chart.AppVersion, .Chart.APIVersion).
func chartObject(meta map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range meta {
		switch k {
		case "apiVersion":
			out["APIVersion"] = v
		default:
			out[strings.ToUpper(k[:1])+k[1:]] = v
		}
	}
	for _, k := range []string{"Name", "Version", "AppVersion", "Description", "Type"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	return out
}

type chartTemplate struct {
	name string // <chart>/templates/<relative path>
	text string
}

func loadTemplates(dir, chartName string) ([]chartTemplate, error) {
	root := filepath.Join(dir, "templates")
	var out []chartTemplate
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && p == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := filepath.Ext(p)
		if ext != ".yaml" && ext != ".yml" && ext != ".tpl" && ext != ".txt" && ext != ".json" {
			return nil
		}
		// NOTES.txt is shown after install, never part of the manifest.
		if filepath.Base(p) == "NOTES.txt" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, chartTemplate{name: chartName + "/" + filepath.ToSlash(rel), text: string(b)})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, err
}

func isPartial(name string) bool {
	base := filepath.Base(name)
	return strings.HasPrefix(base, "_") || strings.HasSuffix(base, ".tpl")
}

func matchesShowOnly(name, chart string, want []string) bool {
	for _, w := range want {
		if name == w || name == chart+"/"+w {
			return true
		}
	}
	return false
}

// engine holds one template set (all of the chart's templates, so that
// `define`d helpers are visible everywhere) and Helm's extra functions.
type engine struct {
	root  *template.Template
	depth int
}

func newEngine() *engine {
	e := &engine{}
	e.root = template.New("chart").Option("missingkey=zero").Funcs(e.funcs())
	return e
}

func (e *engine) funcs() template.FuncMap {
	f := sprig.TxtFuncMap()
	// Helm removes these: a chart must render the same on every machine.
	delete(f, "env")
	delete(f, "expandenv")
	extra := template.FuncMap{
		"toYaml":        toYAML,
		"fromYaml":      fromYAML,
		"fromYamlArray": fromYAMLArray,
		"toJson":        toJSON,
		"fromJson":      fromJSON,
		"fromJsonArray": fromJSONArray,
		"include":       e.include,
		"tpl":           e.tpl,
		"required":      required,
		"lookup": func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
			return map[string]interface{}{}, nil
		},
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

func (e *engine) parse(tmpls []chartTemplate) error {
	for _, t := range tmpls {
		if _, err := e.root.New(t.name).Parse(t.text); err != nil {
			return fmt.Errorf("parse error in %s: %v", t.name, err)
		}
	}
	return nil
}

func (e *engine) execute(name string, data interface{}) (string, error) {
	var buf bytes.Buffer
	if err := e.root.ExecuteTemplate(&buf, name, data); err != nil {
		return "", cleanExecError(err)
	}
	// With missingkey=zero a missing map key prints "<no value>"; Helm blanks it.
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

func (e *engine) include(name string, data interface{}) (string, error) {
	if e.depth >= maxIncludeDepth {
		return "", fmt.Errorf("rendering template has a nested reference name: %s: unable to execute template", name)
	}
	e.depth++
	defer func() { e.depth-- }()
	if e.root.Lookup(name) == nil {
		return "", fmt.Errorf("include: no template %q associated with the chart", name)
	}
	var buf bytes.Buffer
	if err := e.root.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

// tpl renders a string as a template against data, with the chart's
// helpers available (a clone, so the parsed text cannot redefine them).
func (e *engine) tpl(text string, data interface{}) (string, error) {
	if e.depth >= maxIncludeDepth {
		return "", fmt.Errorf("tpl: nested too deeply")
	}
	e.depth++
	defer func() { e.depth-- }()
	clone, err := e.root.Clone()
	if err != nil {
		return "", err
	}
	t, err := clone.New("tpl").Parse(text)
	if err != nil {
		return "", fmt.Errorf("tpl: %v", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", err
	}
	return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
}

var execErrPrefix = regexp.MustCompile(`^template: ([^:]+:\d+:\d+): executing "[^"]*" at <[^>]*>: error calling (required|fail): `)

// cleanExecError shortens errors from `required`/`fail` to Helm's form.
func cleanExecError(err error) error {
	msg := err.Error()
	if m := execErrPrefix.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("execution error at (%s): %s", m[1], msg[len(m[0]):])
	}
	return err
}

func required(msg string, v interface{}) (interface{}, error) {
	if v == nil {
		return nil, errors.New(msg)
	}
	if s, ok := v.(string); ok && s == "" {
		return nil, errors.New(msg)
	}
	return v, nil
}

func toYAML(v interface{}) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(s string) []interface{} {
	var a []interface{}
	if err := yaml.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

func toJSON(v interface{}) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

func fromJSON(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromJSONArray(s string) []interface{} {
	var a []interface{}
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}
