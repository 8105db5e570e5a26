package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// readYAMLMap reads a YAML file holding a map (an empty file is an empty map).
func readYAMLMap(path string) (map[string]interface{}, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return m, nil
}

// mergeMaps merges src over dst as Helm merges values files: maps merge key
// by key, anything else (null included) replaces; the nulls delete chart
// defaults later, when the values are coalesced.
func mergeMaps(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		sm, sIsMap := v.(map[string]interface{})
		dm, dIsMap := dst[k].(map[string]interface{})
		if sIsMap && dIsMap {
			dst[k] = mergeMaps(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// applySet applies one --set (or --set-string) argument: comma-separated
// assignments of dotted paths ("a.b[0].c=v"); "\," and "\." escape; "{x,y}"
// is a list; with typed=true, true/false/null and integers get their type.
func applySet(values map[string]interface{}, arg string, typed bool) error {
	for _, assign := range splitUnescaped(arg, ',', true) {
		if assign == "" {
			continue
		}
		eq := indexUnescaped(assign, '=')
		if eq < 0 {
			return fmt.Errorf("--set %q: expected key=value", assign)
		}
		key, raw := assign[:eq], unescape(assign[eq+1:])
		var v interface{}
		if strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			items := []interface{}{}
			for _, s := range splitUnescaped(raw[1:len(raw)-1], ',', false) {
				if s != "" {
					items = append(items, typedValue(unescape(s), typed))
				}
			}
			v = items
		} else {
			v = typedValue(raw, typed)
		}
		path, err := parsePath(key)
		if err != nil {
			return fmt.Errorf("--set %q: %v", assign, err)
		}
		if err := setPath(values, path, v); err != nil {
			return fmt.Errorf("--set %q: %v", assign, err)
		}
	}
	return nil
}

func typedValue(s string, typed bool) interface{} {
	if !typed {
		return s
	}
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	// Helm keeps "0"-prefixed numbers (like "0755") as strings.
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && (s == "0" || !strings.HasPrefix(strings.TrimPrefix(s, "-"), "0")) {
		return n
	}
	return s
}

type pathElem struct {
	key   string
	index int // -1: a map key
}

func parsePath(key string) ([]pathElem, error) {
	var out []pathElem
	for _, part := range splitUnescaped(key, '.', true) {
		name := part
		var idx []int
		for strings.HasSuffix(name, "]") {
			open := strings.LastIndex(name, "[")
			if open < 0 {
				return nil, fmt.Errorf("unbalanced [ in %q", part)
			}
			n, err := strconv.Atoi(name[open+1 : len(name)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad list index in %q", part)
			}
			idx = append([]int{n}, idx...)
			name = name[:open]
		}
		name = unescape(name)
		if name == "" && len(idx) == 0 {
			return nil, fmt.Errorf("empty key segment")
		}
		if name != "" {
			out = append(out, pathElem{key: name, index: -1})
		}
		for _, n := range idx {
			out = append(out, pathElem{index: n})
		}
	}
	return out, nil
}

func setPath(root map[string]interface{}, path []pathElem, v interface{}) error {
	var cur interface{} = root
	set := func(parent interface{}, e pathElem, val interface{}) interface{} {
		switch p := parent.(type) {
		case map[string]interface{}:
			// A null stays: coalescing deletes the default it overrides.
			p[e.key] = val
			return p
		case []interface{}:
			for len(p) <= e.index {
				p = append(p, nil)
			}
			p[e.index] = val
			return p
		}
		return parent
	}
	// Walk, creating maps/lists, and re-link lists (appending may reallocate).
	type frame struct {
		container interface{}
		elem      pathElem
	}
	var frames []frame
	for i, e := range path {
		frames = append(frames, frame{cur, e})
		if i == len(path)-1 {
			break
		}
		var child interface{}
		switch p := cur.(type) {
		case map[string]interface{}:
			if e.index >= 0 {
				return fmt.Errorf("index [%d] used on a map", e.index)
			}
			child = p[e.key]
		case []interface{}:
			if e.index < 0 {
				return fmt.Errorf("key %q used on a list", e.key)
			}
			if e.index < len(p) {
				child = p[e.index]
			}
		}
		if path[i+1].index >= 0 {
			if _, ok := child.([]interface{}); !ok {
				child = []interface{}{}
			}
		} else if _, ok := child.(map[string]interface{}); !ok {
			child = map[string]interface{}{}
		}
		cur = child
	}
	val := v
	for i := len(frames) - 1; i >= 0; i-- {
		val = set(frames[i].container, frames[i].elem, val)
	}
	return nil
}

func splitUnescaped(s string, sep byte, braces bool) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case braces && s[i] == '{':
			depth++
		case braces && s[i] == '}':
			depth--
		case s[i] == sep && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == c {
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
