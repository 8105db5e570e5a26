#!/usr/bin/env bash
# Installs the Debian packages the test suites use (idempotent; skips what is there):
# Prometheus 2.42 + node-exporter (scrape/remote-write oracle), Go + sprig + sigs.k8s.io/yaml
# (Helm's template engine for chart tests), client_golang (the native-histogram target, tools/nhist-target),
# Chromium (UI tests), openssl (kubelet emulator TLS).
set -euo pipefail
pkgs=(prometheus prometheus-node-exporter golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-prometheus-client-golang-dev chromium openssl)
missing=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's prometheus package starts services we do not want competing for ports/CPU in tests.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus prometheus-node-exporter >/dev/null 2>&1 || true; fi
pkill -x prometheus >/dev/null 2>&1 || true
pkill -x prometheus-node-exporter >/dev/null 2>&1 || true
echo "system packages ready"
