#!/usr/bin/env bash
# Installs what the benchmarks run beside us (Debian's Prometheus 2.42 and
# vmagent from victoria-metrics) and builds dist/ (the benchmarks run the
# shipped CLI). Idempotent. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(prometheus victoria-metrics)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The packages start services; the benchmarks start their own copies.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus victoria-metrics >/dev/null 2>&1 || true; fi
pkill -x prometheus >/dev/null 2>&1 || true
pkill -x victoria-metrics >/dev/null 2>&1 || true
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run -s build
echo "bench ready"
