#!/usr/bin/env bash
# Builds, once, the tools the demo and the tests run on: the Pulumi CLI, its Node.js language host,
# the dynamic-provider launcher, MinIO and mc. Everything is built from Go modules and cached outside
# the repository, under $PBR_CACHE (default ~/.cache/pulumi-bucket-replication). A second run only
# checks the cache. Prints the bin folder on its last line.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "$here/toolchain.env"

cache="${PBR_CACHE:-$HOME/.cache/pulumi-bucket-replication}"
bin="$cache/bin"
mkdir -p "$bin" "$cache/build"
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local
# The checksum database does not know every Pulumi release the module proxy serves.
export GONOSUMDB="${GONOSUMDB:+$GONOSUMDB,}github.com/pulumi/pulumi"

step() { printf '[setup] %s\n' "$*" >&2; }

command -v go >/dev/null || { echo "[setup] Go is required (see README prerequisites): 'go' is not on PATH." >&2; exit 1; }

# build_once NAME VERSION COMMAND...: runs COMMAND unless NAME was already built at VERSION.
build_once() {
  local name="$1" version="$2"; shift 2
  local stamp="$cache/build/$name.version"
  if [[ -x "$bin/$name" && -f "$stamp" && "$(cat "$stamp")" == "$version" ]]; then
    step "$name $version: cached"
    return
  fi
  step "$name $version: building from Go modules (first time only, several minutes)..."
  local started=$SECONDS
  # go build is silent for minutes at a time: say every half minute that it is still at work.
  ( trap 'kill $! 2>/dev/null; exit 0' TERM; begun=$(date +%s)
    while true; do sleep 30 & wait $!; step "$name: still building ($(( $(date +%s) - begun )) s)"; done ) >&2 &
  local ticker=$!
  local status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true; wait "$ticker" 2>/dev/null || true
  if (( status != 0 )); then step "$name $version: build failed (exit $status)"; exit "$status"; fi
  echo "$version" > "$stamp"
  step "$name $version: built in $((SECONDS - started)) s"
}

# go_build_in_wrapper DIR OUTPUT PACKAGE PACKAGE_OR_MODULE@VERSION... : builds PACKAGE inside a throwaway main
# module, because Pulumi's modules carry replace directives that 'go install pkg@version' refuses.
go_build_in_wrapper() {
  local dir="$1" output="$2" package="$3"; shift 3
  mkdir -p "$dir"
  printf '%s\n' 'module local/pulumibuild' '' 'go 1.25' '' \
    'replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e' > "$dir/go.mod"
  echo 'package pulumibuild' > "$dir/doc.go"
  (cd "$dir" && go get "$@" \
    && go build -o "$output" -tags osusergo,grpcnotrace \
         -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" "$package")
}

build_pulumi_cli() {
  go_build_in_wrapper "$cache/build/pulumi-cli-$PULUMI_VERSION" "$bin/pulumi" \
    github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$PULUMI_VERSION"
}

build_language_host() {
  go_build_in_wrapper "$cache/build/language-nodejs-$PULUMI_LANGUAGE_NODEJS_VERSION" "$bin/pulumi-language-nodejs" \
    github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs@v$PULUMI_LANGUAGE_NODEJS_VERSION"
}

build_minio() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/minio@$MINIO_VERSION"; }
build_mc() { GOBIN="$bin" go install -ldflags "-s -w" "github.com/minio/mc@$MC_VERSION"; }

# The engine starts dynamic providers as the plugin 'pulumi-resource-pulumi-nodejs'; the real one is
# a script of @pulumi/pulumi, resolved from the program's folder.
write_dynamic_provider_launcher() {
  cat > "$bin/pulumi-resource-pulumi-nodejs" <<'SH'
#!/bin/sh
exec node "$(node -e "process.stdout.write(require.resolve('@pulumi/pulumi/cmd/dynamic-provider', {paths: [process.cwd()]}))")" "$@"
SH
  chmod +x "$bin/pulumi-resource-pulumi-nodejs"
}

build_once pulumi-language-nodejs "$PULUMI_LANGUAGE_NODEJS_VERSION" build_language_host
build_once pulumi "$PULUMI_VERSION" build_pulumi_cli
build_once minio "$MINIO_VERSION" build_minio
build_once mc "$MC_VERSION" build_mc
write_dynamic_provider_launcher
step "tools ready in $bin"
echo "$bin"
