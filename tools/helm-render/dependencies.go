package main

import (
	"fmt"
	"strings"
)

// Helm's dependency processing before rendering (pkg/chart/v2/util/
// dependencies.go): drop the dependencies that `tags` or `condition`
// disable, then apply `import-values` from children to parents.

func processDependencies(top *chart, user map[string]interface{}) error {
	cvals, err := coalesceChart(top, deepCopyMap(user), false)
	if err != nil {
		return err
	}
	processEnabled(top, cvals, "")
	return processImportValues(top)
}

// processEnabled removes c's disabled dependencies, then recurses. Conditions
// are paths in the top-level coalesced values, prefixed by the chart's
// position ("sub." for the dependencies of subchart sub); tags are the
// top-level `tags` map.
func processEnabled(c *chart, cvals map[string]interface{}, prefix string) {
	tags, _ := cvals["tags"].(map[string]interface{})
	disabled := map[string]bool{}
	for _, r := range c.reqs {
		r.enabled = tagsEnable(r, tags, c)
		if on, decided := conditionEnables(r, cvals, prefix, c); decided {
			r.enabled = on
		}
		if !r.enabled {
			disabled[r.name] = true
		}
	}
	var kept []*chart
	for _, d := range c.deps {
		if !disabled[d.name] {
			kept = append(kept, d)
		}
	}
	c.deps = kept
	var keptReqs []*dependency
	for _, r := range c.reqs {
		if r.enabled {
			keptReqs = append(keptReqs, r)
		}
	}
	c.reqs = keptReqs
	for _, d := range c.deps {
		processEnabled(d, cvals, prefix+d.name+".")
	}
}

// tagsEnable: disabled only when some tag is false and none is true.
func tagsEnable(r *dependency, tags map[string]interface{}, c *chart) bool {
	var anyTrue, anyFalse bool
	for _, t := range r.tags {
		v, ok := tags[t]
		if !ok {
			continue
		}
		b, isBool := v.(bool)
		if !isBool {
			warnf("%s: dependency %q: tags.%s is not a bool (%v), ignored", c.fullPath(), r.name, t, v)
			continue
		}
		if b {
			anyTrue = true
		} else {
			anyFalse = true
		}
	}
	return !(anyFalse && !anyTrue)
}

// conditionEnables evaluates the comma-separated condition paths; the first
// that resolves to a bool decides.
func conditionEnables(r *dependency, cvals map[string]interface{}, prefix string, c *chart) (bool, bool) {
	for _, cond := range strings.Split(strings.TrimSpace(r.condition), ",") {
		cond = strings.TrimSpace(cond)
		if cond == "" {
			continue
		}
		v, ok := pathValue(cvals, prefix+cond)
		if !ok {
			continue
		}
		if b, isBool := v.(bool); isBool {
			return b, true
		}
		warnf("%s: dependency %q: condition %s is not a bool (%v), ignored", c.fullPath(), r.name, cond, v)
	}
	return false, false
}

// pathValue looks up "a.b.c" through nested maps.
func pathValue(m map[string]interface{}, path string) (interface{}, bool) {
	parts := strings.Split(path, ".")
	cur := m
	for i, p := range parts {
		v, ok := cur[p]
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return v, true
		}
		if cur, ok = v.(map[string]interface{}); !ok {
			return nil, false
		}
	}
	return nil, false
}

// processImportValues applies import-values bottom-up: a child's table is
// merged into the parent's defaults, under the parent's own values (which win).
// Forms: {child: a.b, parent: x.y}, or a string "name" for exports.name at the root.
func processImportValues(c *chart) error {
	for _, d := range c.deps {
		if err := processImportValues(d); err != nil {
			return err
		}
	}
	needed := false
	for _, r := range c.reqs {
		if len(r.importValues) > 0 {
			needed = true
		}
	}
	if !needed {
		return nil
	}
	cvals, err := coalesceChart(c, map[string]interface{}{}, true)
	if err != nil {
		return err
	}
	imported := map[string]interface{}{}
	for _, r := range c.reqs {
		for _, iv := range r.importValues {
			var childPath, parentPath string
			switch t := iv.(type) {
			case map[string]interface{}:
				childPath, parentPath = fmt.Sprint(t["child"]), fmt.Sprint(t["parent"])
			case string:
				childPath, parentPath = "exports."+t, "."
			default:
				return fmt.Errorf("%s: dependency %q: import-values entries are strings or {child, parent} maps, got %T", c.fullPath(), r.name, iv)
			}
			v, ok := pathValue(cvals, r.name+"."+childPath)
			table, isMap := v.(map[string]interface{})
			if !ok || !isMap {
				warnf("%s: dependency %q: import-values: no table %s in the subchart's values", c.fullPath(), r.name, childPath)
				continue
			}
			imported = coalesceTables(imported, nestUnder(parentPath, deepCopyMap(table)), true)
		}
	}
	c.values = coalesceTables(cvals, imported, true)
	return nil
}

// nestUnder wraps data in maps along a dotted path ("." is the root).
func nestUnder(path string, data map[string]interface{}) map[string]interface{} {
	if path == "." || path == "" {
		return data
	}
	parts := strings.Split(path, ".")
	out := data
	for i := len(parts) - 1; i >= 0; i-- {
		out = map[string]interface{}{parts[i]: out}
	}
	return out
}
