package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/Masterminds/semver" // Debian ships v3 here (GOPATH mode has no /v3 path)
)

// A subchart chain deeper than this is a cycle (a chart depending on itself
// through file:// paths), not a real chart.
const maxChartDepth = 20

// chart is one loaded chart: the top-level one or a dependency.
type chart struct {
	dir       string
	name      string // Chart.yaml name, or the dependency's alias
	meta      map[string]interface{}
	values    map[string]interface{} // values.yaml (import-values may add to it)
	files     Files
	templates []chartFile // paths relative to the chart ("templates/x.yaml")
	reqs      []*dependency
	deps      []*chart
	parent    *chart
}

type chartFile struct {
	rel  string
	text string
}

// dependency is one entry of Chart.yaml's `dependencies`.
type dependency struct {
	name         string // after processing: the alias when one is set
	version      string
	repository   string
	condition    string
	tags         []string
	alias        string
	importValues []interface{}
	enabled      bool
}

// fullPath is Helm's ChartFullPath: "parent/charts/sub/charts/subsub".
func (c *chart) fullPath() string {
	if c.parent == nil {
		return c.name
	}
	return c.parent.fullPath() + "/charts/" + c.name
}

func (c *chart) isLibrary() bool {
	t, _ := c.meta["type"].(string)
	return t == "library"
}

func (c *chart) version() string {
	v, _ := c.meta["version"].(string)
	return v
}

// loadChart reads a chart directory and, recursively, its dependencies: the
// charts unpacked under charts/ and the Chart.yaml dependencies, which come
// from charts/ when there (what `helm dependency build` leaves) and from the
// repository path when it is file:// (so no build step is needed here).
func loadChart(dir string, parent *chart, depth int) (*chart, error) {
	if depth > maxChartDepth {
		return nil, fmt.Errorf("%s: dependencies nested more than %d deep (a cycle of file:// dependencies?)", dir, maxChartDepth)
	}
	meta, err := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, fmt.Errorf("reading chart: %v", err)
	}
	name, _ := meta["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("%s: Chart.yaml has no name", dir)
	}
	c := &chart{dir: dir, name: name, meta: meta, values: map[string]interface{}{}, parent: parent}
	if _, err := os.Stat(filepath.Join(dir, "values.yaml")); err == nil {
		if c.values, err = readYAMLMap(filepath.Join(dir, "values.yaml")); err != nil {
			return nil, err
		}
	}
	if c.files, err = loadFiles(dir); err != nil {
		return nil, err
	}
	if c.templates, err = loadTemplateFiles(dir); err != nil {
		return nil, err
	}
	if c.reqs, err = parseDependencies(dir, meta); err != nil {
		return nil, err
	}
	if err := c.loadDependencies(depth); err != nil {
		return nil, err
	}
	return c, nil
}

func parseDependencies(dir string, meta map[string]interface{}) ([]*dependency, error) {
	raw, ok := meta["dependencies"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]interface{})
	if !ok {
		return nil, fmt.Errorf("%s/Chart.yaml: dependencies must be a list", dir)
	}
	var out []*dependency
	for i, item := range list {
		m, ok := item.(map[string]interface{})
		if !ok {
			return nil, fmt.Errorf("%s/Chart.yaml: dependencies[%d] is not a map", dir, i)
		}
		d := &dependency{}
		d.name, _ = m["name"].(string)
		d.version, _ = m["version"].(string)
		d.repository, _ = m["repository"].(string)
		d.condition, _ = m["condition"].(string)
		d.alias, _ = m["alias"].(string)
		if d.name == "" {
			return nil, fmt.Errorf("%s/Chart.yaml: dependencies[%d] has no name", dir, i)
		}
		if tags, ok := m["tags"].([]interface{}); ok {
			for _, t := range tags {
				d.tags = append(d.tags, fmt.Sprint(t))
			}
		}
		if iv, ok := m["import-values"].([]interface{}); ok {
			d.importValues = iv
		}
		out = append(out, d)
	}
	return out, nil
}

// loadDependencies fills c.deps as Helm's processDependencyEnabled starts:
// charts under charts/ that Chart.yaml does not list stay as they are; each
// listed dependency gets its own copy of the matching chart, renamed to its
// alias.
func (c *chart) loadDependencies(depth int) error {
	vendored, err := c.vendoredCharts(depth)
	if err != nil {
		return err
	}
	listed := func(sub *chart) bool {
		for _, r := range c.reqs {
			if r.name == sub.name && compatible(r.version, sub.version()) {
				return true
			}
		}
		return false
	}
	for _, sub := range vendored {
		if !listed(sub) {
			c.deps = append(c.deps, sub)
		}
	}
	for _, r := range c.reqs {
		dir, err := c.dependencyDir(r, vendored)
		if err != nil {
			return err
		}
		// A fresh load per entry: two aliases of one chart must not share values.
		sub, err := loadChart(dir, c, depth+1)
		if err != nil {
			return fmt.Errorf("%s: dependency %q: %v", c.dir, r.name, err)
		}
		if sub.name != r.name {
			return fmt.Errorf("%s: dependency %q: %s holds chart %q", c.dir, r.name, dir, sub.name)
		}
		if !compatible(r.version, sub.version()) {
			return fmt.Errorf("%s: dependency %q: version %q of %s does not satisfy %q", c.dir, r.name, sub.version(), dir, r.version)
		}
		if r.alias != "" {
			sub.name = r.alias
			r.name = r.alias
		}
		c.deps = append(c.deps, sub)
	}
	return nil
}

// vendoredCharts loads the chart directories under charts/.
func (c *chart) vendoredCharts(depth int) ([]*chart, error) {
	root := filepath.Join(c.dir, "charts")
	entries, err := os.ReadDir(root)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out []*chart
	for _, n := range names {
		p := filepath.Join(root, n)
		if strings.HasPrefix(n, ".") {
			continue
		}
		var sub *chart
		if strings.HasSuffix(n, ".tgz") || strings.HasSuffix(n, ".tar.gz") {
			// What `helm dependency build` leaves: a packaged chart.
			sub, err = loadPackagedChart(p, c, depth+1)
		} else if st, statErr := os.Stat(p); statErr != nil || !st.IsDir() {
			continue
		} else {
			sub, err = loadChart(p, c, depth+1)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, nil
}

// dependencyDir finds where a listed dependency's chart is: under charts/
// (matched by name and version, as Helm matches), else at its file:// path.
func (c *chart) dependencyDir(r *dependency, vendored []*chart) (string, error) {
	for _, v := range vendored {
		if v.name == r.name && compatible(r.version, v.version()) {
			return v.dir, nil
		}
	}
	if !strings.HasPrefix(r.repository, "file://") {
		return "", fmt.Errorf("%s: dependency %q (repository %q) is not in charts/ and only file:// repositories are resolved here; run `helm dependency build` or vendor it", c.dir, r.name, r.repository)
	}
	p := strings.TrimPrefix(r.repository, "file://")
	if !filepath.IsAbs(p) {
		p = filepath.Join(c.dir, p)
	}
	if st, err := os.Stat(filepath.Join(p, "Chart.yaml")); err != nil || st.IsDir() {
		return "", fmt.Errorf("%s: dependency %q: repository %s: no chart at %s (directory or Chart.yaml missing)", c.dir, r.name, r.repository, p)
	}
	return p, nil
}

// compatible is Helm's IsCompatibleRange: the version satisfies the constraint.
func compatible(constraint, version string) bool {
	cons, err := semver.NewConstraint(constraint)
	if err != nil {
		return false
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return false
	}
	return cons.Check(v)
}

func loadTemplateFiles(dir string) ([]chartFile, error) {
	root := filepath.Join(dir, "templates")
	var out []chartFile
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && p == root {
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
		out = append(out, chartFile{rel: filepath.ToSlash(rel), text: string(b)})
		return nil
	})
	return out, err
}
