package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// renderChart loads the chart and its dependencies, computes the values as
// Helm does (user values coalesced with every chart's defaults, conditions
// and import-values applied) and renders every non-partial template of every
// chart into one multi-document stream.
func renderChart(o *options) (string, error) {
	top, err := loadChart(filepath.Clean(o.chartDir), nil, 0)
	if err != nil {
		return "", err
	}
	if top.isLibrary() {
		return "", fmt.Errorf("%s: library charts are not installable", top.dir)
	}
	user, err := userValues(o)
	if err != nil {
		return "", err
	}
	if err := processDependencies(top, user); err != nil {
		return "", err
	}
	values, err := coalesceChart(top, deepCopyMap(user), false)
	if err != nil {
		return "", err
	}
	release := map[string]interface{}{
		"Name": o.name, "Namespace": o.namespace, "Service": "Helm",
		"IsInstall": true, "IsUpgrade": false, "Revision": 1,
	}
	var tmpls []renderable
	collectTemplates(top, values, release, capabilities(o), &tmpls)

	eng := newEngine()
	if err := eng.parse(tmpls); err != nil {
		return "", err
	}
	sort.Slice(tmpls, func(i, j int) bool { return tmpls[i].name < tmpls[j].name })
	var docs []manifest
	for _, t := range tmpls {
		if isPartial(t.name) {
			continue
		}
		if len(o.showOnly) > 0 && !matchesShowOnly(t.name, top.name, o.showOnly) {
			continue
		}
		data := map[string]interface{}{}
		for k, v := range t.scope {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": t.name, "BasePath": t.basePath}
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

// renderable is one template with the scope it renders in (its chart's
// .Values, .Chart and .Files; .Release and .Capabilities are shared).
type renderable struct {
	name     string // <top>/charts/<sub>/templates/<relative path>
	text     string
	basePath string
	scope    map[string]interface{}
}

// collectTemplates is Helm's recAllTpls: a subchart's .Values is its
// section of the parent's .Values (already coalesced with its defaults and
// globals); .Subcharts holds each subchart's scope.
func collectTemplates(c *chart, values map[string]interface{}, release, caps map[string]interface{}, out *[]renderable) map[string]interface{} {
	chartObj := chartObject(c.meta)
	chartObj["Name"] = c.name
	chartObj["IsRoot"] = c.parent == nil
	subcharts := map[string]interface{}{}
	scope := map[string]interface{}{
		"Values":       values,
		"Release":      release,
		"Chart":        chartObj,
		"Capabilities": caps,
		"Files":        c.files,
		"Subcharts":    subcharts,
	}
	for _, sub := range c.deps {
		sv, ok := values[sub.name].(map[string]interface{})
		if !ok {
			sv = map[string]interface{}{}
		}
		subcharts[sub.name] = collectTemplates(sub, sv, release, caps, out)
	}
	id := c.fullPath()
	for _, f := range c.templates {
		// A library chart contributes only its named templates.
		if c.isLibrary() && !strings.HasPrefix(filepath.Base(f.rel), "_") {
			continue
		}
		*out = append(*out, renderable{name: id + "/" + f.rel, text: f.text, basePath: id + "/templates", scope: scope})
	}
	return scope
}

// userValues merges --values files, then --set and --set-string, keeping
// nulls: coalescing turns them into deletions of the charts' defaults.
func userValues(o *options) (map[string]interface{}, error) {
	values := map[string]interface{}{}
	for _, f := range o.valueFiles {
		v, err := readYAMLMap(f)
		if err != nil {
			return nil, fmt.Errorf("--values: %v", err)
		}
		values = mergeMaps(values, v)
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

// parse adds every template to one set, in Helm's order: deeper paths first
// (subcharts before their parent), reverse-lexicographic within a depth, so
// that when two charts define the same name the higher-level one wins.
func (e *engine) parse(tmpls []renderable) error {
	order := append([]renderable(nil), tmpls...)
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i].name, order[j].name
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca != cb {
			return ca > cb
		}
		return a > b
	})
	for _, t := range order {
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
