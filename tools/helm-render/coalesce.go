package main

import (
	"fmt"
	"os"
)

// Helm's value coalescing (pkg/chart/common/util/coalesce.go), so that a
// chart and its subcharts see the values Helm gives them:
//   - a chart's values.yaml fills what the user values leave out;
//   - a user null deletes the default (merge=false, what rendering uses;
//     merge=true keeps nulls, what import-values uses);
//   - each subchart's section (values[<name or alias>]) is coalesced with
//     the subchart's values.yaml, recursively;
//   - the parent's `global` is copied into every subchart's `global`
//     (parent wins), so globals reach all charts.

func warnf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm-render: warning: "+format+"\n", args...)
}

// coalesceChart coalesces dest (user values, modified in place) with the
// defaults of c and of its dependencies.
func coalesceChart(c *chart, dest map[string]interface{}, merge bool) (map[string]interface{}, error) {
	coalesceDefaults(c, dest, merge)
	for _, sub := range c.deps {
		dv, ok := dest[sub.name]
		if !ok || dv == nil {
			dv = map[string]interface{}{}
			dest[sub.name] = dv
		}
		dvm, ok := dv.(map[string]interface{})
		if !ok {
			return dest, fmt.Errorf("values: %q holds the values of subchart %s and must be a map, got %T", sub.name, sub.fullPath(), dv)
		}
		coalesceGlobals(dvm, dest)
		out, err := coalesceChart(sub, dvm, merge)
		if err != nil {
			return dest, err
		}
		dest[sub.name] = out
	}
	return dest, nil
}

// coalesceGlobals copies src["global"] into dest["global"]; src wins.
func coalesceGlobals(dest, src map[string]interface{}) {
	dg, ok := dest["global"].(map[string]interface{})
	if _, present := dest["global"]; present && !ok {
		warnf("skipping globals: the subchart's global is not a map")
		return
	}
	if dg == nil {
		dg = map[string]interface{}{}
	}
	sg, ok := src["global"].(map[string]interface{})
	if _, present := src["global"]; present && !ok {
		warnf("skipping globals: global is not a map")
		return
	}
	for k, v := range sg {
		if vm, isMap := v.(map[string]interface{}); isMap {
			cp := copyShallow(vm)
			if existing, has := dg[k]; has {
				em, emIsMap := existing.(map[string]interface{})
				if !emIsMap {
					warnf("global.%s: cannot merge a map onto a non-map, skipped", k)
					continue
				}
				coalesceTables(cp, em, true)
			}
			dg[k] = cp
		} else if existing, has := dg[k]; has && isTable(existing) {
			warnf("global.%s is a map in the subchart, skipped", k)
		} else {
			dg[k] = v
		}
	}
	dest["global"] = dg
}

// coalesceDefaults fills v with the chart's own values.yaml.
func coalesceDefaults(c *chart, v map[string]interface{}, merge bool) {
	defaults := deepCopyMap(c.values)
	for key, def := range defaults {
		if user, ok := v[key]; ok {
			if user == nil && !merge {
				delete(v, key)
			} else if um, ok := user.(map[string]interface{}); ok {
				dm, ok := def.(map[string]interface{})
				if !ok {
					if def != nil {
						warnf("%s.%s: the default is not a map, skipped", c.name, key)
					}
					continue
				}
				// A subchart's section keeps its nulls here: they must reach
				// the subchart's own coalescing, which deletes its defaults.
				m := merge || c.hasDependency(key)
				if !m {
					cleanNils(dm)
				}
				coalesceTables(um, dm, m)
			}
			continue
		}
		if !merge {
			if def == nil {
				continue
			}
			if dm, ok := def.(map[string]interface{}); ok {
				cleanNils(dm)
			}
		}
		v[key] = def
	}
}

func (c *chart) hasDependency(name string) bool {
	for _, d := range c.deps {
		if d.name == name {
			return true
		}
	}
	return false
}

// coalesceTables fills dst from src (dst wins); with merge=false a null in
// dst deletes the key.
func coalesceTables(dst, src map[string]interface{}, merge bool) map[string]interface{} {
	if src == nil {
		return dst
	}
	if dst == nil {
		return src
	}
	srcNonNil := map[string]bool{}
	for k, v := range src {
		if v != nil {
			srcNonNil[k] = true
		}
	}
	for k, v := range dst {
		if v == nil {
			src[k] = nil
		}
	}
	for k, sv := range src {
		dv, ok := dst[k]
		switch {
		case ok && !merge && dv == nil && srcNonNil[k]:
			delete(dst, k)
		case !ok:
			dst[k] = sv
		case isTable(sv):
			if dm, isMap := dv.(map[string]interface{}); isMap {
				coalesceTables(dm, sv.(map[string]interface{}), merge)
			} else {
				warnf("cannot overwrite table with non table for %s (%v)", k, sv)
			}
		case isTable(dv) && sv != nil:
			warnf("destination for %s is a table; ignoring non-table value (%v)", k, sv)
		}
	}
	return dst
}

func cleanNils(m map[string]interface{}) {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		} else if sub, ok := v.(map[string]interface{}); ok {
			cleanNils(sub)
		}
	}
}

func isTable(v interface{}) bool {
	_, ok := v.(map[string]interface{})
	return ok
}

func copyShallow(m map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		return deepCopyMap(t)
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

func deepCopyMap(m map[string]interface{}) map[string]interface{} {
	if m == nil {
		return nil
	}
	out := make(map[string]interface{}, len(m))
	for k, v := range m {
		out[k] = deepCopy(v)
	}
	return out
}
