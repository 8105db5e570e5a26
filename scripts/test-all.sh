#!/usr/bin/env bash
# The project's test command (README): system packages, type check, build,
# then every jest suite (unit + e2e). Ends with one line "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh || { echo "0 passed, 1 failed"; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
export ALLOY_LOOPBACK_ONLY=1  # tests never connect outside loopback (see src/net/loopback-guard.ts)
failed_steps=0
npx tsc -p tsconfig.json --noEmit || { echo "type check failed"; failed_steps=$((failed_steps+1)); }
npm run -s build || { echo "build failed"; failed_steps=$((failed_steps+1)); }
mkdir -p test-artifacts
node --experimental-vm-modules node_modules/jest/bin/jest.js --ci "$@" 2>&1 | tee test-artifacts/jest.log
jest_rc=${PIPESTATUS[0]}
line=$(grep -E '^Tests:' test-artifacts/jest.log | tail -1)
passed=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || true)
failed=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' || true)
passed=${passed:-0}; failed=${failed:-0}
failed=$((failed + failed_steps))
if [ "$jest_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a suite that failed to load counts
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$jest_rc" -eq 0 ]
