#!/usr/bin/env bash
# npm test: installs and builds what is missing, starts the local zones, and runs every test
# (unit, contract and real-engine) with mocha. Zones started here are stopped at the end.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_node_modules
ensure_tools

started_zones=false
if ! bash "$root/scripts/zones.sh" status 2>/dev/null; then
  bash "$root/scripts/zones.sh" up
  started_zones=true
fi
stop_zones() { if $started_zones; then bash "$root/scripts/zones.sh" down; fi; }
trap stop_zones EXIT

say "type-checking the examples and test programs"
(cd "$root" && npx tsc -p examples/tsconfig.json --noEmit)

cd "$root"
if [[ $# -gt 0 ]]; then specs=("$@"); else
  specs=('test/unit/**/*.test.ts' 'test/contract/**/*.test.ts' 'test/engine/**/*.test.ts')
fi
npx mocha --reporter "$root/test/support/summaryReporter.js" "${specs[@]}"
