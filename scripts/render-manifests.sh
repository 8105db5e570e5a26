#!/usr/bin/env bash
# Renders both charts with their default values into manifests/ (plain YAML for
# `kubectl apply -k manifests/`). charts/alloy-annotations takes charts/alloy as
# a Helm dependency (file://../alloy), which helm-render resolves in place.
#   scripts/render-manifests.sh           render
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

cat > "$out/namespace.yaml" <<NS
apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
  labels:
    app.kubernetes.io/part-of: alloy-ts
NS

header() { printf '# Rendered by scripts/render-manifests.sh from charts/%s with default values; do not edit.\n' "$1"; }

for chart in alloy alloy-annotations; do
  { header "$chart"; "$out/helm-render" --name "$chart" --namespace "$NAMESPACE" "charts/$chart"; } > "$out/$chart.yaml"
done

cat > "$out/kustomization.yaml" <<KS
# kubectl apply -k manifests/
# The CRDs are needed only for ServiceMonitor/PodMonitor/PrometheusRule/Probe/ScrapeConfig
# (monitoring.coreos.com) and PodLogs (monitoring.grafana.com) support.
# alloy-annotations.yaml is the ready-to-use annotation-driven collector;
# alloy.yaml (the general chart's default render) does the same annotation
# scraping, so use one of the two, never both (every target would be scraped twice).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - namespace.yaml
$(for f in manifests/crds/monitoring.coreos.com_*.yaml manifests/crds/monitoring.grafana.com_*.yaml; do [ -e "$f" ] && echo "  - ${f#manifests/}"; done)
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
