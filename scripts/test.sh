#!/usr/bin/env bash
# npm test: installs and builds what is missing, starts the local zones, and runs every test with mocha.
#
# With no arguments, five suites run at the same time:
#   main      unit, real-engine and bad-input tests, on the main MinIO pair (ports 9100/9200)
#   owners    the real-engine tests of two sites with different owners (test/engine/minio-owners*), on the
#             owners pair (ports 9150/9250), whose servers have different root users; a suite of its own
#             so that the main suite does not grow longer
#   fault     the fault suite, which counts every bucket, user and policy on its servers, on the fault
#             pair (ports 9300/9400), two files at a time (PBR_FAULT_JOBS)
#   contract  the contract tests (Exoscale, AWS on moto, Alibaba OSS on our contract server: each starts
#             its own stand-in) and the package tests (the packed tarball and the component provider,
#             against the main pair)
#   drift     the drift suite, which changes users, policies, remote targets, rules, versioning and buckets
#             outside Pulumi with mc, on the drift pair (ports 9700/9800)
# scripts/zones.sh says how to move any pair to other ports.
# Their output is shown as it comes, each line prefixed with the suite's name; the last line sums them
# ("mocha: N passed, N failed"), and the exit code is non-zero when any suite fails.
# PBR_SUITES="drift" (or any of main, owners, fault, contract, drift, space-separated) runs only those suites.
# With arguments (spec globs), those specs alone run, on the main pair.
# Zones started here are stopped at the end, whatever happens.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_node_modules
ensure_tools

started_pairs=()
suite_groups=()
cleanup() {
  local pgid
  for pgid in "${suite_groups[@]}"; do kill -- "-$pgid" 2>/dev/null || true; done
  local pair
  for pair in "${started_pairs[@]}"; do bash "$root/scripts/zones.sh" --pair "$pair" down || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_pair NAME: starts the pair unless it already runs (a developer's own zones are left running).
start_pair() {
  if ! bash "$root/scripts/zones.sh" --pair "$1" status 2>/dev/null; then
    started_pairs+=("$1")
    bash "$root/scripts/zones.sh" --pair "$1" up
  fi
}

say "type-checking the examples and test programs"
(cd "$root" && npx tsc -p examples/tsconfig.json --noEmit)

cd "$root"
reporter="$root/test/support/summaryReporter.js"

owners_zones="${PBR_OWNERS_ZONES_DIR:-$root/.zones/pairs/owners}/zones.json"

if [[ $# -gt 0 ]]; then
  start_pair main
  # The owners pair too when a spec may reach the tests of sites with different owners.
  if [[ "$*" == *engine* || "$*" == *owners* ]]; then start_pair owners; fi
  PBR_OWNERS_ZONES="$owners_zones" npx mocha --reporter "$reporter" "$@"
  exit
fi

owners_glob='test/engine/minio-owners*.engine.test.ts'
main_specs=('test/unit/**/*.test.ts' 'test/engine/**/*.test.ts' 'test/bad-input/**/*.test.ts' --ignore "$owners_glob")
owners_specs=("$owners_glob")
fault_specs=('test/fault/**/*.test.ts')
contract_specs=('test/contract/**/*.test.ts' 'test/package/**/*.test.ts')
drift_specs=('test/drift/**/*.test.ts')

# PBR_SUITES picks some of them ("drift", "main contract"); the default is all five.
read -r -a suites <<< "${PBR_SUITES:-main owners fault contract drift}"
for name in "${suites[@]}"; do
  case "$name" in
    main|contract) start_pair main ;;
    owners) start_pair owners ;;
    fault) start_pair fault ;;
    drift) start_pair drift ;;
    *) say "unknown suite '$name' in PBR_SUITES: use main, owners, fault, contract or drift"; exit 2 ;;
  esac
done

logs="$root/.zones/test-logs"
mkdir -p "$logs"

# run_suite NAME ZONES_FILE MOCHA_ARGS...: mocha in a process group of its own (so that an interrupted
# run stops all of it), every line prefixed with the suite's name and kept in .zones/test-logs/NAME.log.
run_suite() {
  local name="$1" zones_file="$2"; shift 2
  PBR_LOCAL_ZONES="$zones_file" PBR_OWNERS_ZONES="$owners_zones" setsid bash -c '
    set -o pipefail
    name="$1" log="$2"; shift 2
    npx mocha --reporter "$0" "$@" 2>&1 | tee "$log" | sed -u "s/^/[$name] /"
  ' "$reporter" "$name" "$logs/$name.log" "$@" &
  suite_groups+=("$!")
}

say "running the ${suites[*]} suites in parallel (logs in $logs)"
started=$SECONDS
declare -A suite_pids
for name in "${suites[@]}"; do
  case "$name" in
    main) run_suite main "${PBR_ZONES_DIR:-$root/.zones}/zones.json" "${main_specs[@]}" ;;
    owners) run_suite owners "$owners_zones" "${owners_specs[@]}" ;;
    # The fault cells wait on timeouts and backoff more than they compute: two files at a time.
    fault) run_suite fault "${PBR_FAULT_ZONES_DIR:-$root/.zones/pairs/fault}/zones.json" --parallel --jobs "${PBR_FAULT_JOBS:-2}" "${fault_specs[@]}" ;;
    contract) run_suite contract "${PBR_ZONES_DIR:-$root/.zones}/zones.json" "${contract_specs[@]}" ;;
    drift) run_suite drift "${PBR_DRIFT_ZONES_DIR:-$root/.zones/pairs/drift}/zones.json" "${drift_specs[@]}" ;;
  esac
  suite_pids[$name]=$!
done

declare -A suite_status
for name in "${suites[@]}"; do
  suite_status[$name]=0; wait "${suite_pids[$name]}" || suite_status[$name]=$?
done
suite_groups=()

# summary NAME: the suite's own "mocha: N passed, N failed" line, or a note that it never got there.
passed=0; failed=0; exits=(); all_passed=true
for name in "${suites[@]}"; do
  exits+=("$name exit ${suite_status[$name]}")
  (( suite_status[$name] == 0 )) || all_passed=false
  line="$(grep -E '^mocha: [0-9]+ passed, [0-9]+ failed' "$logs/$name.log" | tail -1 || true)"
  if [[ -z "$line" ]]; then say "$name: mocha ended without a summary (see $logs/$name.log)"; failed=$((failed + 1)); continue; fi
  say "$name: ${line#mocha: }"
  read -r p f <<< "$(sed -E 's/^mocha: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' <<< "$line")"
  passed=$((passed + p)); failed=$((failed + f))
done
say "the suites took $((SECONDS - started)) s ($(IFS=,; echo "${exits[*]}" | sed 's/,/, /g'))"
printf '\nmocha: %d passed, %d failed\n' "$passed" "$failed"
[[ "$all_passed" == true ]]
