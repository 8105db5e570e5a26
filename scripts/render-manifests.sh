#!/usr/bin/env bash
# Renders both charts with their default values into manifests/ (plain YAML for
# `kubectl apply -k manifests/`), after syncing the alloy chart's helpers and
# default values into charts/alloy-annotations (which reuses them).
#   scripts/render-manifests.sh           sync + render
#   scripts/render-manifests.sh --check   exit 1 when anything differs (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
check=false
[ "${1:-}" = "--check" ] && check=true

NAMESPACE=alloy
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Build the renderer (GOPATH mode with Debian's sprig and sigs.k8s.io/yaml).
GOPATH=/usr/share/gocode GO111MODULE=off go build -o "$out/helm-render" ./tools/helm-render

# charts/alloy-annotations/templates/_alloy-*.tpl and alloy-values.yaml are copies.
mkdir -p "$out/sync/templates"
for f in charts/alloy/templates/_*.tpl; do cp "$f" "$out/sync/templates/_alloy-$(basename "$f" | sed 's/^_//')"; done
cp charts/alloy/values.yaml "$out/sync/alloy-values.yaml"

cat > "$out/namespace.yaml" <<NS
apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
  labels:
    app.kubernetes.io/part-of: alloy-ts
NS

header() { printf '# Rendered by scripts/render-manifests.sh from charts/%s with default values; do not edit.\n' "$1"; }

if $check; then
  status=0
  for f in "$out"/sync/templates/*.tpl; do
    cmp -s "$f" "charts/alloy-annotations/templates/$(basename "$f")" || { echo "stale copy: charts/alloy-annotations/templates/$(basename "$f")"; status=1; }
  done
  for f in charts/alloy-annotations/templates/_alloy-*.tpl; do
    [ -e "$out/sync/templates/$(basename "$f")" ] || { echo "orphan copy: $f"; status=1; }
  done
  cmp -s "$out/sync/alloy-values.yaml" charts/alloy-annotations/alloy-values.yaml || { echo "stale copy: charts/alloy-annotations/alloy-values.yaml"; status=1; }
  [ $status -eq 0 ] || exit 1
else
  rm -f charts/alloy-annotations/templates/_alloy-*.tpl
  cp "$out"/sync/templates/*.tpl charts/alloy-annotations/templates/
  cp "$out/sync/alloy-values.yaml" charts/alloy-annotations/alloy-values.yaml
fi

for chart in alloy alloy-annotations; do
  { header "$chart"; "$out/helm-render" --name "$chart" --namespace "$NAMESPACE" "charts/$chart"; } > "$out/$chart.yaml"
done

cat > "$out/kustomization.yaml" <<KS
# kubectl apply -k manifests/
# The CRDs are needed only for ServiceMonitor/PodMonitor/PrometheusRule support.
# alloy-annotations.yaml is the ready-to-use annotation-driven collector;
# alloy.yaml (the general chart's default render) does the same annotation
# scraping, so use one of the two, never both (every target would be scraped twice).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
$(for f in manifests/crds/monitoring.coreos.com_*.yaml; do [ -e "$f" ] && echo "  - ${f#manifests/}"; done)
  - alloy-annotations.yaml
  # - alloy.yaml
KS
status=0
for f in namespace.yaml alloy.yaml alloy-annotations.yaml kustomization.yaml; do
  if $check; then
    cmp -s "$out/$f" "manifests/$f" || { echo "manifests/$f differs from a fresh render (run scripts/render-manifests.sh)"; status=1; }
  else
    cp "$out/$f" "manifests/$f"
  fi
done
exit $status
