// helm-render renders a Helm chart the way `helm template` does, for the
// chart tests and scripts/render-manifests.sh (no helm binary is installed
// here). It implements Helm's documented template behaviour: values merging
// (values.yaml, then --values files, then --set), the built-in objects
// (.Values, .Release, .Chart, .Capabilities, .Files, .Template), Helm's
// extra functions on top of sprig, and the output format (documents
// separated by "---" with "# Source:" comments, sorted in install order).
//
// Usage:
//
//	helm-render [--name NAME] [--namespace NS] [--values FILE]... [--set a.b=c]...
//	            [--set-string a.b=c]... [--kube-version v1.32.0] [--api-versions g/v]...
//	            [--show-only templates/x.yaml]... CHART_DIR
package main

import (
	"fmt"
	"os"
	"strings"
)

type options struct {
	chartDir    string
	name        string
	namespace   string
	valueFiles  []string
	sets        []string
	setStrings  []string
	kubeVersion string
	apiVersions []string
	showOnly    []string
}

func parseArgs(argv []string) (*options, error) {
	o := &options{name: "release-name", namespace: "default", kubeVersion: "v1.32.0"}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			if o.chartDir != "" {
				return nil, fmt.Errorf("unexpected argument %q: only one chart directory may be given", a)
			}
			o.chartDir = a
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		next := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(argv) {
				return "", fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			return argv[i], nil
		}
		v, err := next()
		if err != nil {
			return nil, err
		}
		switch name {
		case "name", "release-name":
			o.name = v
		case "namespace", "n":
			o.namespace = v
		case "values", "f":
			o.valueFiles = append(o.valueFiles, v)
		case "set":
			o.sets = append(o.sets, v)
		case "set-string":
			o.setStrings = append(o.setStrings, v)
		case "kube-version":
			o.kubeVersion = v
		case "api-versions", "a":
			o.apiVersions = append(o.apiVersions, v)
		case "show-only", "s":
			o.showOnly = append(o.showOnly, v)
		default:
			return nil, fmt.Errorf("unknown flag --%s", name)
		}
	}
	if o.chartDir == "" {
		return nil, fmt.Errorf("usage: helm-render [flags] CHART_DIR")
	}
	return o, nil
}

func main() {
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(2)
	}
	out, err := renderChart(o)
	removeUnpacked()
	if err != nil {
		fmt.Fprintln(os.Stderr, "helm-render:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}
